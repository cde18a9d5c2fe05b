"""The aloha-agilex arm: gym-aloha's ViperX 300s model, converted once into a URDF and SRDF in the cache.

RoboTwin's aloha-agilex is two 6-DoF arms with parallel grippers; the ALOHA model the PyPI wheel
gym-aloha 0.1.5 ships (Apache-2.0) is the closest one available offline. Its MJCF is not used
directly: ManiSkill's MJCF loader drops nested includes and the real inertias, and mplib needs a URDF.
`build_aloha_arm` writes, under `<cache>/robots/aloha-agilex/v<MODEL_VERSION>/`:

- `vx300s_arm.urdf`: one arm (gwbench builds one agent per arm). Each MJCF geom becomes a mesh in
  metres, already in its link's frame; inertias are the MJCF's (rotated into the link frame).
  Two fixed frames are added with Panda's TCP convention, so experts plan alike for every robot:
  `hand` at the wrist and `tcp` between the fingertip pads, both with z pointing out between the
  fingers, y along the finger motion and x towards the gripper's underside (where the wrist camera
  sits). The finger joints are re-zeroed so a finger's position is its pad's distance from the
  centre line (0 = pads touching), as Panda's are.
- `<mesh>.convex.stl` beside each collision mesh (mplib loads those) and `vx300s_arm.srdf`, which
  disables adjacent and never-colliding link pairs: without it mplib samples a million
  configurations before its first plan.
- `vx300s_arm_light.urdf`: the same arm drawn with decimated visual meshes for software rendering.

`scripts/setup` builds these once; `ensure_aloha_arm()` builds them on first use if missing.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from core.paths import cache_dir

MODEL_VERSION = 1  # bump when the conversion changes what it writes
URDF_NAME = "vx300s_arm.urdf"
LIGHT_URDF_NAME = "vx300s_arm_light.urdf"
MJCF_PREFIX = "vx300s_left/"  # the left arm's file; both arms are the same model
ARM_JOINTS = ("waist", "shoulder", "elbow", "forearm_roll", "wrist_angle", "wrist_rotate")
FINGER_JOINTS = ("left_finger", "right_finger")
WRIST_LINK = "gripper_link"  # the body the wrist_rotate joint turns; the fingers ride on it
# A finger pad's inner face, measured from the finger mesh: in MJCF joint coordinates the pads touch
# at 0.0224 m; the MJCF opens each finger to 0.057 m.
FINGER_TOUCH_MJCF = 0.0224
FINGER_OPEN_MJCF = 0.057
FINGER_OPEN_WIDTH = round(FINGER_OPEN_MJCF - FINGER_TOUCH_MJCF, 4)  # joint position of an open finger
TCP_FROM_WRIST = 0.1437  # m along the approach axis: 1 cm short of the fingertips (Panda's TCP is similar)
BASE_MASS = 1.0  # kg; the MJCF gives the fixed base no inertia and the base never moves
COLLISION_SAMPLES = 5000  # random configurations that find the never-colliding link pairs
LIGHT_KEEP_FRACTION = 0.25  # of a visual mesh's triangles in the light URDF
COLORS = {"default": (0.16, 0.16, 0.17), "gripper": (0.55, 0.55, 0.57), "finger": (0.08, 0.08, 0.08)}


def aloha_dir() -> Path:
    """The built model; versioned, so a changed conversion never reads an older build."""
    return cache_dir() / "robots" / "aloha-agilex" / f"v{MODEL_VERSION}"


def gym_aloha_assets() -> Path:
    """gym-aloha's asset folder, found without importing the package (its import registers gym envs)."""
    spec = importlib.util.find_spec("gym_aloha")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "the aloha-agilex model needs gym-aloha's assets: run scripts/setup "
            "(or: pip install --no-deps gym-aloha==0.1.5)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "assets"


# ------------------------------------------------------------------ small geometry helpers
def _floats(text: str | None, default) -> np.ndarray:
    return np.array([float(v) for v in text.split()]) if text else np.array(default, dtype=float)


def _rotation(element: ET.Element) -> np.ndarray:
    """A geom's or body's rotation: MJCF `quat` (wxyz) or `euler` (radians, intrinsic x-y-z)."""
    from scipy.spatial.transform import Rotation

    if element.get("quat"):
        w, x, y, z = _floats(element.get("quat"), None)
        return Rotation.from_quat([x, y, z, w]).as_matrix()
    if element.get("euler"):
        return Rotation.from_euler("XYZ", _floats(element.get("euler"), None)).as_matrix()
    return np.eye(3)


def _transform(element: ET.Element) -> np.ndarray:
    matrix = np.eye(4)
    matrix[:3, :3] = _rotation(element)
    matrix[:3, 3] = _floats(element.get("pos"), [0.0, 0.0, 0.0])
    return matrix


def _fmt(values) -> str:
    return " ".join(f"{float(v) + 0.0:.9g}" for v in values)  # + 0.0 turns -0 into 0


def _origin(parent: ET.Element, xyz, rotation: np.ndarray | None = None) -> None:
    from transforms3d.euler import mat2euler

    rpy = mat2euler(rotation, "sxyz") if rotation is not None else (0.0, 0.0, 0.0)  # URDF rpy: fixed x, y, z
    ET.SubElement(parent, "origin", xyz=_fmt(xyz), rpy=_fmt(rpy))


# ------------------------------------------------------------------ MJCF -> URDF
def _link_name(body: ET.Element) -> str:
    name = body.get("name").removeprefix(MJCF_PREFIX)
    return "base_link" if name == MJCF_PREFIX.rstrip("/") else name


def _color_of(link: str) -> str:
    if "finger" in link:
        return "finger"
    return "gripper" if link in (WRIST_LINK, "gripper_prop_link") else "default"


class _UrdfWriter:
    """Walks the MJCF body tree and writes links, joints and per-geom meshes."""

    def __init__(self, assets: Path, out: Path):
        self.assets, self.out = assets, out
        dependencies = ET.parse(assets / "vx300s_dependencies.xml").getroot()
        self.meshes = {m.get("name"): (m.get("file"), _floats(m.get("scale"), [1, 1, 1]))
                       for m in dependencies.iter("mesh")}
        self.robot = ET.Element("robot", name="aloha_agilex_vx300s_arm")
        for name, rgb in COLORS.items():
            ET.SubElement(ET.SubElement(self.robot, "material", name=name), "color", rgba=_fmt([*rgb, 1.0]))

    def body(self, body: ET.Element, parent: str | None, offset: np.ndarray) -> None:
        """Write `body` as a link (and the joint to `parent`); `offset` is its frame in the parent link."""
        name = _link_name(body)
        link = ET.SubElement(self.robot, "link", name=name)
        self._inertial(link, body.find("inertial"))
        for geom in body.findall("geom"):
            self._geom(link, name, geom)
        if parent is not None:
            self._joint(body.find("joint"), parent, name, offset)
        for child in body.findall("body"):
            if child.find("geom") is not None or child.find("body") is not None:  # skips camera targets
                self.body(child, name, _transform(child))

    def _inertial(self, link: ET.Element, inertial: ET.Element | None) -> None:
        element = ET.SubElement(link, "inertial")
        if inertial is None:
            ET.SubElement(element, "origin", xyz="0 0 0", rpy="0 0 0")
            ET.SubElement(element, "mass", value=_fmt([BASE_MASS]))
            ET.SubElement(element, "inertia", ixx="0.01", iyy="0.01", izz="0.01", ixy="0", ixz="0", iyz="0")
            return
        # MJCF gives principal moments in a rotated frame; URDF takes the full tensor in the link frame.
        rotation = _rotation(inertial)
        tensor = rotation @ np.diag(_floats(inertial.get("diaginertia"), None)) @ rotation.T
        ET.SubElement(element, "origin", xyz=_fmt(_floats(inertial.get("pos"), None)), rpy="0 0 0")
        ET.SubElement(element, "mass", value=inertial.get("mass"))
        ET.SubElement(element, "inertia", ixx=_fmt([tensor[0, 0]]), iyy=_fmt([tensor[1, 1]]), izz=_fmt([tensor[2, 2]]),
                      ixy=_fmt([tensor[0, 1]]), ixz=_fmt([tensor[0, 2]]), iyz=_fmt([tensor[1, 2]]))

    def _geom(self, link: ET.Element, link_name: str, geom: ET.Element) -> None:
        import trimesh

        file, scale = self.meshes[geom.get("mesh")]
        mesh = trimesh.load(self.assets / file, force="mesh")
        mesh.apply_scale(scale)
        mesh.apply_transform(_transform(geom))  # baked into the link frame: the URDF needs no geom origins
        filename = Path("meshes") / f"{geom.get('name').removeprefix(MJCF_PREFIX)}.stl"
        mesh.export(self.out / filename)
        visual = ET.SubElement(link, "visual")
        ET.SubElement(ET.SubElement(visual, "geometry"), "mesh", filename=str(filename))
        ET.SubElement(visual, "material", name=_color_of(link_name))
        if geom.get("contype") == "0" and geom.get("conaffinity") == "0":
            return  # the base plate is drawn only, as in the MJCF
        collision = ET.SubElement(link, "collision")
        ET.SubElement(ET.SubElement(collision, "geometry"), "mesh", filename=str(filename))
        mesh.convex_hull.export(self.out / f"{filename}.convex.stl")

    def _joint(self, joint: ET.Element | None, parent: str, child: str, offset: np.ndarray) -> None:
        if joint is None:
            element = ET.SubElement(self.robot, "joint", name=f"{child}_fixed", type="fixed")
            _origin(element, offset[:3, 3], offset[:3, :3])
        else:
            name = joint.get("name").removeprefix(MJCF_PREFIX)
            axis = _floats(joint.get("axis"), None)
            low, high = _floats(joint.get("range"), None)
            xyz = offset[:3, 3].copy()
            kind = "revolute"
            if joint.get("type") == "slide":
                # A finger: flip the right finger's axis so both open towards positive positions, then move
                # the joint's zero to where the pads touch.
                kind = "prismatic"
                if high <= 0:
                    axis, low, high = -axis, -high, -low
                xyz = xyz + axis * FINGER_TOUCH_MJCF
                low, high = low - FINGER_TOUCH_MJCF, high - FINGER_TOUCH_MJCF
            element = ET.SubElement(self.robot, "joint", name=name, type=kind)
            _origin(element, xyz, offset[:3, :3])
            ET.SubElement(element, "axis", xyz=_fmt(axis))
            ET.SubElement(element, "limit", lower=_fmt([low]), upper=_fmt([high]), effort="100", velocity="3.14")
        ET.SubElement(element, "parent", link=parent)
        ET.SubElement(element, "child", link=child)

    def tool_frames(self) -> None:
        """`hand` (at the wrist) and `tcp` (between the pads) with Panda's TCP axes: z = the gripper's
        approach (its x), y = along the finger motion (its y), x = the gripper's underside (its -z).
        The wrist camera sits on the hand's +x side: with the gripper pointing down and its top
        facing away from the robot, the camera looks past the fingertips away from the robot, as
        Panda's does."""
        rotation = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]])  # columns: hand x, y, z
        for name, parent, xyz, rot in (("hand", WRIST_LINK, (0, 0, 0), rotation),
                                       ("tcp", "hand", (0, 0, TCP_FROM_WRIST), None)):
            ET.SubElement(self.robot, "link", name=name)
            joint = ET.SubElement(self.robot, "joint", name=f"{name}_fixed", type="fixed")
            _origin(joint, xyz, rot)
            ET.SubElement(joint, "parent", link=parent)
            ET.SubElement(joint, "child", link=name)

    def write(self, path: Path) -> None:
        ET.indent(self.robot)
        path.write_text(ET.tostring(self.robot, encoding="unicode") + "\n")


def _write_urdf(assets: Path, out: Path) -> None:
    (out / "meshes").mkdir(parents=True, exist_ok=True)
    writer = _UrdfWriter(assets, out)
    arm = ET.parse(assets / "vx300s_left.xml").getroot().find("body")
    writer.body(arm, None, np.eye(4))  # the arm's own frame: its placement in the MJCF scene is dropped
    writer.tool_frames()
    writer.write(out / URDF_NAME)


# ------------------------------------------------------------------ SRDF
def _adjacent_pairs(urdf: Path) -> set[tuple[str, str]]:
    """Links joined by a joint, where fixed joints first merge links into one rigid body."""
    root = ET.parse(urdf).getroot()
    joints = root.findall("joint")
    body = {}  # link -> the rigid body (its first ancestor reached through a moving joint)
    for joint in joints:  # joints are written parent-first
        parent, child = joint.find("parent").get("link"), joint.find("child").get("link")
        body[child] = body.get(parent, parent) if joint.get("type") == "fixed" else child
    links = {link.get("name") for link in root.findall("link")}
    rigid = lambda link: body.get(link, link)  # noqa: E731
    moving = [(rigid(j.find("parent").get("link")), rigid(j.find("child").get("link")))
              for j in joints if j.get("type") != "fixed"]
    pairs = set()
    for a in links:
        for b in links:
            ra, rb = rigid(a), rigid(b)
            if a < b and (ra == rb or (ra, rb) in moving or (rb, ra) in moving):
                pairs.add((a, b))
    return pairs


def _write_srdf(path: Path, reasons: dict[tuple[str, str], str]) -> None:
    """An SRDF that disables the collision checks of these link pairs (reason: 'Adjacent' or 'Never')."""
    robot = ET.Element("robot", name="aloha_agilex_vx300s_arm")
    for (a, b), reason in sorted(reasons.items()):
        ET.SubElement(robot, "disable_collisions", link1=a, link2=b, reason=reason)
    ET.indent(robot)
    path.write_text(ET.tostring(robot, encoding="unicode") + "\n")


def _never_colliding_pairs(urdf: Path, srdf: Path) -> set[tuple[str, str]]:
    """Link pairs that never collide (or always do) over seeded random configurations: mplib skips them."""
    import mplib

    planner = mplib.Planner(urdf=str(urdf), srdf=str(srdf), move_group="tcp")
    names = planner.user_link_names
    limits = np.array(planner.joint_limits).reshape(-1, 2)
    rng = np.random.default_rng(0)
    counts: dict[tuple[str, str], int] = {}
    for _ in range(COLLISION_SAMPLES):
        planner.robot.set_qpos(rng.uniform(limits[:, 0], limits[:, 1]), True)
        for result in planner.planning_world.collide_full():
            pair = tuple(sorted((result.link_name1, result.link_name2)))
            counts[pair] = counts.get(pair, 0) + 1
    geometric = set(planner.robot.get_fcl_model().get_collision_link_names())
    pairs = set()
    for a in names:
        for b in names:
            if a < b and a in geometric and b in geometric and counts.get((a, b), 0) in (0, COLLISION_SAMPLES):
                pairs.add((a, b))
    return pairs


# ------------------------------------------------------------------ light visuals
def _write_light_urdf(out: Path) -> int:
    """A copy of the URDF whose visual meshes keep LIGHT_KEEP_FRACTION of their triangles."""
    import fast_simplification
    import trimesh

    root = ET.parse(out / URDF_NAME).getroot()
    triangles = 0
    for visual in root.iter("visual"):
        mesh_element = visual.find("geometry/mesh")
        source = Path(mesh_element.get("filename"))
        light = source.with_name(f"{source.stem}.light.stl")
        mesh = trimesh.load(out / source, force="mesh")
        mesh.merge_vertices()  # split vertices would let the simplifier tear the surface apart
        reduction = 1 - LIGHT_KEEP_FRACTION
        points, faces = fast_simplification.simplify(mesh.vertices, mesh.faces, target_reduction=reduction)
        trimesh.Trimesh(points, faces, process=False).export(out / light)
        triangles += len(faces)
        mesh_element.set("filename", str(light))
    ET.indent(root)
    (out / LIGHT_URDF_NAME).write_text(ET.tostring(root, encoding="unicode") + "\n")
    return triangles


def build_aloha_arm(force: bool = False) -> Path:
    """Write the arm's URDF, SRDF, meshes and light URDF into the cache; return the URDF path."""
    out = aloha_dir()
    if (out / URDF_NAME).exists() and not force:
        return out / URDF_NAME
    assets = gym_aloha_assets()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}-"))  # private: workers may build at once
    _write_urdf(assets, tmp)
    urdf, srdf = tmp / URDF_NAME, tmp / URDF_NAME.replace(".urdf", ".srdf")
    adjacent = dict.fromkeys(_adjacent_pairs(urdf), "Adjacent")
    _write_srdf(srdf, adjacent)  # the sampling below already skips adjacent pairs
    _write_srdf(srdf, {**dict.fromkeys(_never_colliding_pairs(urdf, srdf), "Never"), **adjacent})
    triangles = _write_light_urdf(tmp)
    if force:
        shutil.rmtree(out, ignore_errors=True)
    try:
        tmp.rename(out)  # last and whole, so a half-built folder never looks complete
    except OSError:  # another process finished first; its copy is the same
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"aloha-agilex arm: {triangles} light visual triangles -> {out / URDF_NAME}")
    return out / URDF_NAME


def ensure_aloha_arm() -> Path:
    return build_aloha_arm(force=False)
