"""The observation/action contract of every task env (RoboTwin 2.0 layout)."""

import gymnasium as gym
import numpy as np
import pytest

import tasks
from tasks.base import actor_pose
from tasks.observation import StaleObservationError

TASK_NAMES = sorted(tasks.TASKS.names())
ACTION_DIMS = {"franka-panda": 16, "aloha-agilex": 14}  # RoboTwin's qpos widths: 7- and 6-joint arms
EMBODIMENT_NAMES = sorted(ACTION_DIMS)


def object_poses(env):
    return {name: np.concatenate([actor_pose(a).p, actor_pose(a).q]) for name, a in env.sim.object_actors().items()}


@pytest.mark.parametrize("embodiment", EMBODIMENT_NAMES)
def test_gym_make_builds_the_env_with_the_step_limit(embodiment):
    env = gym.make("gwbench/stack_blocks_two-v0", embodiment=embodiment)
    try:
        assert env.spec.max_episode_steps == 800
        assert env.action_space.shape == (ACTION_DIMS[embodiment],)
        obs, info = env.reset(seed=100000)
        hold = env.unwrapped.embodiment.home_action()
        truncated = False
        for _ in range(800):
            obs, reward, terminated, truncated, info = env.step(hold)
        assert truncated and not terminated and info["steps"] == 800
    finally:
        env.close()


@pytest.mark.parametrize("embodiment", EMBODIMENT_NAMES)
@pytest.mark.parametrize("task", TASK_NAMES)
def test_observation_layout(make_env, task, embodiment):
    env = make_env(task, embodiment=embodiment)
    dim, dof = ACTION_DIMS[embodiment], ACTION_DIMS[embodiment] // 2 - 1
    obs, info = env.reset(seed=100001)
    assert set(obs) == {"observation", "joint_action", "endpose", "instruction"}
    assert set(obs["observation"]) == {"head_camera", "left_camera", "right_camera"}
    view = obs["observation"]["left_camera"]
    assert view["rgb"].shape == (240, 320, 3) and view["rgb"].dtype == np.uint8
    assert view["intrinsic_cv"].shape == (3, 3)
    assert view["extrinsic_cv"].shape == (3, 4)
    assert view["cam2world_gl"].shape == (4, 4)
    joints = obs["joint_action"]
    assert joints["vector"].shape == (dim,)
    assert joints["left_arm"].shape == (dof,) and joints["right_arm"].shape == (dof,)
    assert isinstance(joints["left_gripper"], float) and isinstance(joints["right_gripper"], float)
    assert 0.0 <= joints["left_gripper"] <= 1.0 and joints["left_gripper"] > 0.9  # opens at reset
    np.testing.assert_allclose(joints["vector"][:dof], env.embodiment.home_qpos["left"], atol=1e-3)
    np.testing.assert_allclose(joints["right_arm"], env.embodiment.home_qpos["right"], atol=1e-3)
    assert obs["endpose"]["right_endpose"].shape == (7,)
    assert isinstance(obs["instruction"], str) and obs["instruction"] == info["instruction"] != ""
    space = env.observation_space
    assert space["observation"]["head_camera"]["rgb"].shape == view["rgb"].shape
    assert space["joint_action"]["vector"].contains(joints["vector"])
    assert env.action_space.shape == (dim,) and env.action_space.contains(env.embodiment.home_action())


@pytest.mark.parametrize("embodiment", EMBODIMENT_NAMES)
def test_cameras_render_only_when_read(make_env, embodiment):
    env = make_env("stack_blocks_two", embodiment=embodiment)
    obs, _ = env.reset(seed=100000)
    start = env.sim.renders
    hold = env.embodiment.home_action()
    for _ in range(5):
        obs, *_ = env.step(hold)
    assert env.sim.renders == start  # physics only
    obs["observation"]["head_camera"]["rgb"]
    obs["observation"]["head_camera"]["rgb"]
    assert env.sim.renders == start + 1  # rendered once, cached
    old = obs
    env.step(hold)
    with pytest.raises(StaleObservationError):
        old["observation"]["right_camera"]["rgb"]


def test_head_camera_sees_the_scene(make_env):
    env = make_env("stack_blocks_two")
    obs, _ = env.reset(seed=100000)
    image = obs["observation"]["head_camera"]["rgb"].astype(int)
    red = (image[..., 0] > 150) & (image[..., 1] < 80) & (image[..., 2] < 80)
    green = (image[..., 1] > 150) & (image[..., 0] < 80) & (image[..., 2] < 80)
    assert red.sum() > 20 and green.sum() > 20  # both blocks are in view


@pytest.mark.parametrize("embodiment", EMBODIMENT_NAMES)
def test_bad_actions_are_rejected_with_the_expected_layout(make_env, embodiment):
    env = make_env("stack_blocks_two", embodiment=embodiment)
    dim = ACTION_DIMS[embodiment]
    env.reset(seed=100000)
    with pytest.raises(ValueError, match=rf"shape \({dim},\).*left arm {dim // 2 - 1} joints.*got shape \(3,\)"):
        env.step(np.zeros(3))
    action = env.embodiment.home_action().astype(np.float64)
    action[4] = np.nan
    with pytest.raises(ValueError, match="NaN or inf at index 4"):
        env.step(action)
    action[4] = 0.0
    action[7] = np.inf
    with pytest.raises(ValueError, match="index 7"):
        env.step(action)


@pytest.mark.parametrize("embodiment", EMBODIMENT_NAMES)
def test_out_of_limit_values_are_clipped_and_counted(make_env, embodiment):
    env = make_env("stack_blocks_two", embodiment=embodiment)
    env.reset(seed=100000)
    action = env.embodiment.home_action().astype(np.float64)
    action[0] = 10.0  # beyond joint 1's limit
    action[env.embodiment.layout.gripper_index("right")] = 3.0  # gripper beyond 1
    _, _, _, _, info = env.step(action)
    assert info["clipped"] == 2
    env.step(env.embodiment.home_action())
    assert env.clipped == 2
    env.reset(seed=100000)
    assert env.clipped == 0


@pytest.mark.parametrize("embodiment", EMBODIMENT_NAMES)
def test_gripper_value_closes_and_opens_the_fingers(make_env, embodiment):
    env = make_env("stack_blocks_two", embodiment=embodiment)
    env.reset(seed=100000)
    action = env.embodiment.home_action()
    action[env.embodiment.layout.gripper_index("left")] = 0.0
    for _ in range(15):
        obs, *_ = env.step(action)
    assert obs["joint_action"]["left_gripper"] < 0.1 and obs["joint_action"]["right_gripper"] > 0.9
    assert not env.sim.gripper_open("left") and env.sim.gripper_open("right")


@pytest.mark.parametrize("task", TASK_NAMES)
def test_same_seed_same_scene_and_different_seed_different_scene(make_env, task):
    env = make_env(task)
    env.reset(seed=100003)
    first = object_poses(env), env.sim.scene_hash()
    env.reset(seed=100004)
    other = env.sim.scene_hash()
    env.reset(seed=100003)
    again = object_poses(env), env.sim.scene_hash()
    for name in first[0]:
        np.testing.assert_array_equal(first[0][name], again[0][name])
    assert first[1] == again[1] != other


def test_tasks_make_rejects_unknown_task_and_setting():
    with pytest.raises(ValueError, match="did you mean 'handover_block'"):
        tasks.make("handover_blocks")
    with pytest.raises(ValueError, match="unknown setting 'dirty'; known: clean"):
        tasks.make("handover_block", setting="dirty")


def test_camera_resolution_is_configurable():
    from core.contract import CameraSpec

    env = tasks.make("handover_block", camera=CameraSpec(160, 120))
    try:
        obs, _ = env.reset(seed=100000)
        assert obs["observation"]["right_camera"]["rgb"].shape == (120, 160, 3)
        assert env.observation_space["observation"]["right_camera"]["rgb"].shape == (120, 160, 3)
    finally:
        env.close()
    with pytest.raises(ValueError, match="between 16 and 4096"):
        CameraSpec(8, 8)
