"""Simplified robot visual meshes for software rendering.

The stock Panda visual meshes hold ~135k triangles; lavapipe spends most of a
3-camera render on them. This module writes a copy of ManiSkill's Panda URDF whose
visual meshes are decimated to ~10% (colours kept), leaving collision meshes and
kinematics untouched, so physics is identical and only the pictures get coarser.
`scripts/setup` builds them once; `ensure_light_panda()` builds them on first use
if they are missing, and `build_light_panda(force=True)` rebuilds them.
"""

from __future__ import annotations

import re
from pathlib import Path

from core.paths import cache_dir

KEEP_FRACTION = 0.1  # of each visual mesh's triangles
MIN_TRIANGLES = 300  # meshes this small are copied as they are
LIGHT_URDF_NAME = "panda_v2_light.urdf"


def panda_asset_dir() -> Path:
    from mani_skill import PACKAGE_ASSET_DIR

    return Path(PACKAGE_ASSET_DIR) / "robots" / "panda"


def light_panda_dir() -> Path:
    return cache_dir() / "meshes" / "panda_light"


def _decimate(mesh):
    import fast_simplification
    import trimesh

    mesh = mesh.copy()
    mesh.merge_vertices()  # split vertices would let the simplifier tear the surface apart
    if len(mesh.faces) < MIN_TRIANGLES:
        return mesh
    points, faces = fast_simplification.simplify(mesh.vertices, mesh.faces, target_reduction=1 - KEEP_FRACTION)
    simple = trimesh.Trimesh(points, faces, process=False)
    simple.visual = trimesh.visual.TextureVisuals(material=mesh.visual.material)
    return simple


def _simplify_glb(source: Path, target: Path) -> int:
    import trimesh

    scene = trimesh.load(source, force="scene")
    for name, geometry in list(scene.geometry.items()):
        scene.geometry[name] = _decimate(geometry)
    target.write_bytes(scene.export(file_type="glb"))
    return sum(len(g.faces) for g in scene.geometry.values())


def build_light_panda(force: bool = False) -> Path:
    """Write the light URDF and meshes into the cache; return the URDF path."""
    out = light_panda_dir()
    urdf = out / LIGHT_URDF_NAME
    if urdf.exists() and not force:
        return urdf
    out.mkdir(parents=True, exist_ok=True)
    stock = panda_asset_dir()
    text = (stock / "panda_v2.urdf").read_text()
    triangles = 0
    for visual in sorted(set(re.findall(r'filename="(franka_description/meshes/visual/[^"]+\.glb)"', text))):
        light = out / Path(visual).name
        triangles += _simplify_glb(stock / visual, light)
        text = text.replace(f'filename="{visual}"', f'filename="{light}"')
    # Collision meshes stay the stock ones, referenced by absolute path.
    text = re.sub(r'filename="(franka_description/[^"]+)"', lambda m: f'filename="{stock / m.group(1)}"', text)
    tmp = urdf.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(urdf)  # last, so a half-built directory never looks complete
    print(f"light Panda meshes: {triangles} visual triangles -> {urdf}")
    return urdf


def ensure_light_panda() -> Path:
    return build_light_panda(force=False)
