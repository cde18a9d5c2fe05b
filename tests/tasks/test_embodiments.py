"""Embodiments: the aloha-agilex model and agent, the conventions every robot shares, and reach."""

import xml.etree.ElementTree as ET

import numpy as np
import pytest
import sapien

from core.contract import ARMS
from tasks.base import actor_pose
from tasks.catalog import TASKS
from tasks.experts.motion import TwoArmMotion, closing_yaw, nearest_symmetric_yaw, top_down_pose
from tasks.scene.embodiments import DEFAULT_EMBODIMENT, EMBODIMENTS, Gripper

ALOHA = "aloha-agilex"
EMBODIMENT_NAMES = ["franka-panda", ALOHA]
TABLE_TOP_Z = 0.74
# Each arm's half of the tasks' workspace on the table (x ranges), and its depth (y range).
ARM_X = {"left": (-0.35, 0.05), "right": (-0.05, 0.35)}
WORKSPACE_Y = (-0.25, 0.2)


def aloha_env(make_env):
    return make_env("stack_blocks_two", embodiment=ALOHA)


def test_both_embodiments_are_registered_and_aloha_is_the_default_as_in_robotwin():
    assert set(EMBODIMENT_NAMES) <= set(EMBODIMENTS.names())
    assert DEFAULT_EMBODIMENT == ALOHA
    aloha = EMBODIMENTS.get(ALOHA)
    assert aloha.arm_dof == 6 and aloha.action_dim == 14 and len(aloha.home_qpos["left"]) == 6


def test_gripper_maps_values_targets_and_openings_linearly():
    gripper = Gripper(("a", "b"), open_width=0.04, close_target=-0.01)
    assert [gripper.maniskill_action(v) for v in (0.0, 0.5, 1.0)] == [-1.0, 0.0, 1.0]
    assert gripper.command(-0.01) == 0.0 and gripper.command(0.04) == 1.0
    assert gripper.command(0.015) == pytest.approx(0.5)
    assert gripper.opening(0.0) == 0.0 and gripper.opening(0.02) == pytest.approx(0.5) and gripper.opening(0.05) == 1.0


def test_aloha_model_is_a_urdf_with_real_inertias_convex_hulls_and_an_srdf():
    from tasks.scene.aloha_assets import ensure_aloha_arm

    urdf = ensure_aloha_arm()
    root = ET.parse(urdf).getroot()
    masses = {link.get("name"): float(link.find("inertial/mass").get("value")) for link in root.iter("link")
              if link.find("inertial") is not None}
    assert masses["upper_arm_link"] == pytest.approx(0.792592)  # the MJCF's, not a density guess
    for mesh in root.iter("mesh"):
        path = urdf.parent / mesh.get("filename")
        assert not mesh.get("filename").startswith("/") and path.exists()
    for collision in root.iter("collision"):
        assert (urdf.parent / f"{collision.find('geometry/mesh').get('filename')}.convex.stl").exists()
    disabled = ET.parse(urdf.with_suffix(".srdf")).getroot().findall("disable_collisions")
    assert {("shoulder_link", "upper_arm_link"), ("gripper_link", "left_finger_link")} <= {
        (d.get("link1"), d.get("link2")) for d in disabled}
    joints = {joint.get("name"): joint for joint in root.iter("joint")}
    for finger in ("left_finger", "right_finger"):  # re-zeroed: 0 = pads touching, open at the gripper's width
        limit = joints[finger].find("limit")
        assert float(limit.get("lower")) < 0 < float(limit.get("upper")) == EMBODIMENTS.get(ALOHA).gripper.open_width


def test_aloha_model_is_built_on_first_use_into_an_empty_cache(tmp_path, monkeypatch):
    from tasks.scene import aloha_assets

    monkeypatch.setenv("GWBENCH_CACHE", str(tmp_path))
    assert not aloha_assets.aloha_dir().exists()
    urdf = aloha_assets.ensure_aloha_arm()
    assert urdf.is_relative_to(tmp_path) and urdf.exists() and urdf.with_suffix(".srdf").exists()
    assert (urdf.parent / aloha_assets.LIGHT_URDF_NAME).exists()
    assert list(tmp_path.glob("robots/aloha-agilex/.*")) == []  # no half-built folder left behind


@pytest.mark.parametrize("embodiment", EMBODIMENT_NAMES)
def test_tool_frames_follow_one_convention(make_env, embodiment):
    """TCP between the fingertips, z pointing out between the fingers, y along the finger motion; the
    hand has the same axes at the wrist. Experts' top_down_pose/grasp_pose rely on it."""
    env = make_env("stack_blocks_two", embodiment=embodiment)
    env.reset(seed=100000)
    sim, emb = env.sim, env.embodiment
    for arm in ARMS:
        links = sim.arm_agent(arm).robot.links_map
        tcp = sim.tcp_pose(arm)
        hand = links[emb.hand_link]._objs[0].entity.get_pose()
        np.testing.assert_allclose(hand.to_transformation_matrix()[:3, :3], tcp.to_transformation_matrix()[:3, :3],
                                   atol=1e-6)
        in_tcp = lambda p: (tcp.inv() * p).p  # noqa: E731
        np.testing.assert_allclose(in_tcp(hand)[:2], 0.0, atol=1e-6)
        assert in_tcp(hand)[2] < -0.08  # the hand lies behind the TCP along z
        fingers = [in_tcp(links[joint.child_link.name]._objs[0].entity.get_pose())
                   for joint in sim.arm_agent(arm).robot.active_joints if joint.name in emb.gripper.joint_names]
        across = fingers[0] - fingers[1]
        assert abs(across[1]) > 0.05 and abs(across[0]) < 1e-3 and abs(across[2]) < 1e-3  # open fingers part along y
        np.testing.assert_allclose((fingers[0] + fingers[1])[1] / 2, 0.0, atol=1e-3)  # symmetric about the TCP


def test_aloha_gripper_value_moves_both_fingers(make_env):
    env = aloha_env(make_env)
    env.reset(seed=100000)
    dof, gripper = env.embodiment.arm_dof, env.embodiment.gripper
    action = env.embodiment.home_action()
    action[env.embodiment.layout.gripper_index("left")] = 0.0
    for _ in range(15):
        obs, *_ = env.step(action)
    left, right = env.sim.full_qpos("left")[dof:], env.sim.full_qpos("right")[dof:]
    assert np.all(np.abs(left) < 0.003)  # both pads at the centre line
    np.testing.assert_allclose(right, gripper.open_width, atol=1e-3)
    assert obs["joint_action"]["left_gripper"] < 0.1 and obs["joint_action"]["right_gripper"] > 0.9
    assert env.sim.gripper_command("left") == 0.0 and env.sim.gripper_command("right") == 1.0
    for _ in range(15):
        obs, *_ = env.step(env.embodiment.home_action())
    assert obs["joint_action"]["left_gripper"] > 0.9
    np.testing.assert_allclose(env.sim.full_qpos("left")[dof:], gripper.open_width, atol=1e-3)


def test_aloha_cameras_render_and_the_wrist_cameras_see_the_fingers(make_env):
    env = aloha_env(make_env)
    obs, _ = env.reset(seed=100000)
    head = obs["observation"]["head_camera"]["rgb"].astype(int)
    red = (head[..., 0] > 150) & (head[..., 1] < 80) & (head[..., 2] < 80)
    green = (head[..., 1] > 150) & (head[..., 0] < 80) & (head[..., 2] < 80)
    assert red.sum() > 20 and green.sum() > 20  # at home the arms stand aside: both blocks are in view
    for arm in ARMS:
        image = obs["observation"][f"{arm}_camera"]["rgb"].astype(int)
        assert image.shape == (240, 320, 3)
        finger = image.max(axis=-1) < 60  # the fingers are near-black, the table is light brown
        third = image.shape[1] // 3
        bottom = finger[2 * image.shape[0] // 3:]
        assert bottom[:, :third].mean() > 0.1 and bottom[:, -third:].mean() > 0.1  # one finger each side
        assert finger[: image.shape[0] // 3].mean() < 0.01  # above them: the table


def reach_starts(embodiment, arm: str, count: int = 8) -> list[np.ndarray]:
    """IK start configurations: home, then seeded random ones (mplib's own restarts are not seeded)."""
    rng = np.random.default_rng(0)
    home = embodiment.home_joint_positions(arm)
    return [home] + [np.concatenate([rng.uniform(-1.5, 1.5, embodiment.arm_dof), home[embodiment.arm_dof:]])
                     for _ in range(count - 1)]


@pytest.mark.parametrize("arm", ARMS)
def test_aloha_reaches_the_workspace_top_down(make_env, arm):
    """Each arm reaches a top-down tool pose 8 cm above the table at the corners and the centre of its half."""
    env = aloha_env(make_env)
    env.reset(seed=100000)
    planner = TwoArmMotion(env.sim).planners[arm]
    (x0, x1), (y0, y1) = ARM_X[arm], WORKSPACE_Y
    points = [(x0, y0), (x0, y1), (x1, y0), (x1, y1), ((x0 + x1) / 2, (y0 + y1) / 2)]
    missed = []
    for x, y in points:
        for yaw in (0.0, np.pi / 2):
            target = top_down_pose(np.array([x, y, TABLE_TOP_Z + 0.08]), yaw)
            goal = planner.transform_goal_to_wrt_base(np.concatenate([target.p, target.q]))
            starts = reach_starts(env.embodiment, arm)
            if not any(planner.IK(goal, start, n_init_qpos=1)[0] == "Success" for start in starts):
                missed.append((x, y, yaw))
    assert missed == []


def test_aloha_planned_moves_reach_their_targets_in_the_env(make_env):
    """As an expert moves: above the target, turning the fingers the shorter way, then straight down.

    (One long move with a large turn ends 1-1.5 cm off on either robot: mplib's screw plan integrates
    the tool twist to first order. The descent starts from where the arm really is.)"""
    env = aloha_env(make_env)
    env.reset(seed=100000)
    motion = TwoArmMotion(env.sim)
    points = {"left": np.array([-0.25, 0.1, 0.77]), "right": np.array([0.2, -0.15, 0.77])}
    yaws = {arm: nearest_symmetric_yaw(0.3, closing_yaw(env.sim.tcp_pose(arm)), symmetry=2) for arm in ARMS}
    for height in (0.08, 0.0):
        targets = {arm: top_down_pose(point + [0.0, 0.0, height], yaws[arm]) for arm, point in points.items()}
        for action in motion.move(targets):
            env.step(action)
    for arm, target in targets.items():
        reached = env.sim.tcp_pose(arm)
        assert np.linalg.norm(reached.p - target.p) < 0.01
        assert abs(float(np.dot(reached.q, target.q))) > np.cos(np.deg2rad(2.0) / 2)  # within 2 degrees
        # The arm itself follows its commands: the tool is where the commanded joints put it.
        planner = motion.planners[arm]
        commanded = env.sim.full_qpos(arm)
        commanded[: env.embodiment.arm_dof] = motion.command[env.embodiment.layout.arm_slice(arm)]
        planner.pinocchio_model.compute_forward_kinematics(commanded)
        planned = planner.pinocchio_model.get_link_pose(planner.link_name_2_idx[env.embodiment.tcp_link])
        base = env.sim.base_pose(arm)
        assert np.linalg.norm((base * sapien.Pose(planned[:3], planned[3:])).p - reached.p) < 0.003


@pytest.mark.parametrize("task, setting", [(name, "clean") for name in sorted(TASKS.names())]
                         + [("stack_blocks_two", "randomized"), ("lift_pot", "randomized")])
def test_a_seed_lays_out_the_same_scene_whichever_robot_stands_there(make_env, task, setting):
    layouts = []
    for embodiment in EMBODIMENT_NAMES:
        env = make_env(task, setting=setting, embodiment=embodiment)
        env.reset(seed=100001)
        poses = {name: np.concatenate([actor_pose(a).p, actor_pose(a).q]) for name, a in env.sim.object_actors().items()}
        layouts.append((poses, env.describe_scene(), env.instruction))
    (panda, panda_scene, panda_text), (aloha, aloha_scene, aloha_text) = layouts
    assert panda.keys() == aloha.keys() and panda_scene == aloha_scene and panda_text == aloha_text
    for name in panda:  # after settling: physics may differ by less than the stability check's tolerance
        np.testing.assert_allclose(panda[name], aloha[name], atol=2e-3, err_msg=name)
