"""The stand and scale tasks: their props carry their functional points where an object rests, their
layouts follow RoboTwin's, their success checks accept the goal and reject near-misses, and their
experts solve them on both robots."""

import numpy as np
import pytest
import sapien

from gwbench.episode import run_episode
from policies.expert import ExpertPolicy
from tasks.experts.motion import TwoArmMotion
from tasks.experts.stands import PHONE_LET_GO, phone_rest_pose
from tasks.robotwin2.protocol import candidate_seed
from tasks.robotwin2.fan import FACING_ROBOT, robotwin_quaternion
from tasks.scene.objects import build_object
from tasks.scene.primitives import yaw_quaternion
from tasks.scene.stands import PHONE_LEAN
from tests.tasks.test_dual_arm import command_grippers

# Candidate seeds the expert tests run, per task and setting: ones the expert check kept on both robots.
EXPERT_SEEDS = {
    "place_object_stand": {"clean": 0, "randomized": 1},
    "place_object_scale": {"clean": 0, "randomized": 1},
    "place_phone_stand": {"clean": 0, "randomized": 1},
    "place_fan": {"clean": 0, "randomized": 1},
}


def test_the_props_points_lie_on_their_top_faces(make_env):
    """An object set on a prop's functional point rests there: it neither sinks in nor falls."""
    for task in ("place_object_stand", "place_object_scale"):
        env = make_env(task)
        env.reset(seed=100000)
        sim = env.sim
        prop = sim.prop
        prop.set_pose(sapien.Pose(p=[0.0, -0.05, sim.room.table_top_z], q=yaw_quaternion(0.4)))
        target = sim.target()
        top = sim.stand_height if task == "place_object_stand" else sim.scale_size[2]
        assert target[2] == pytest.approx(sim.room.table_top_z + top, abs=1e-6)
        sim.object.set_pose(sapien.Pose(p=list(target + [0.0, 0.0, 0.002])))
        sim._physics(100)
        resting = sim.object_position()
        assert np.linalg.norm(resting[:2] - target[:2]) < 0.005, task
        assert resting[2] == pytest.approx(target[2], abs=0.003), task


def test_the_scale_pan_lies_behind_its_readout(make_env):
    env = make_env("place_object_scale")
    for seed in (100000, 100001, 100002):
        env.reset(seed=seed)
        sim = env.sim
        in_scale = np.asarray((sim.prop.pose().inv() * sapien.Pose(p=list(sim.target()))).p)
        assert in_scale[0] == pytest.approx(0.0, abs=1e-6)
        assert in_scale[1] == pytest.approx(0.0145, abs=1e-4)  # behind the readout strip at the front


def test_place_object_stand_layout_follows_robotwins(make_env):
    env = make_env("place_object_stand")
    sides, kinds = set(), set()
    for seed in range(100000, 100008):
        env.reset(seed=seed)
        sim = env.sim
        obj, stand = sim.object_position(), np.asarray(sim.prop.pose().p)
        assert 0.2 - 1e-3 <= abs(obj[0]) <= 0.28 + 1e-3 and -0.05 - 1e-3 <= obj[1] <= 0.05 + 1e-3
        assert abs(stand[0]) <= 0.05 + 1e-3 and -0.15 - 1e-3 <= stand[1] <= -0.1 + 1e-3
        assert stand[0] * obj[0] >= -1e-6  # on the object's side (or on the centre line)
        assert sim.arm == ("right" if obj[0] > 0 else "left")
        assert 0.043 <= sim.stand_height <= 0.074 and 0.06 <= sim.stand_depth <= 0.14
        assert not sim.check_success()
        sides.add(sim.arm)
        kinds.add(sim.kind.design)
    assert sides == {"left", "right"} and len(kinds) >= 3


def test_place_object_scale_layout_follows_robotwins(make_env):
    env = make_env("place_object_scale")
    sides = set()
    for seed in range(100000, 100008):
        env.reset(seed=seed)
        sim = env.sim
        obj, scale = sim.object_position(), np.asarray(sim.prop.pose().p)
        assert 0.02 - 1e-3 <= abs(obj[0]) <= 0.25 + 1e-3 and -0.15 - 1e-3 <= obj[1] <= 0.05 + 1e-3
        assert np.sign(scale[0]) == np.sign(obj[0]) and 0.02 - 1e-3 <= abs(scale[0]) <= 0.25 + 1e-3
        assert np.linalg.norm(scale[:2] - obj[:2]) >= 0.15 - 2e-3
        assert sim.arm == ("right" if obj[0] > 0 else "left") and sim.kind.design in ("mouse", "stapler")
        assert not sim.check_success()
        sides.add(sim.arm)
    assert sides == {"left", "right"}


def test_place_object_stand_goal_and_near_misses(make_env):
    env = make_env("place_object_stand")
    env.reset(seed=100000)
    sim = env.sim
    stand = np.asarray(sim.prop.pose().p)

    def state(dx=0.0, dy=0.0, dz=None, left=1.0, right=1.0):
        z = sim.target()[2] if dz is None else sim.target()[2] + dz
        sim.object.set_pose(sapien.Pose(p=[stand[0] + dx, stand[1] + dy, z]))
        command_grippers(sim, left, right)
        return sim.check_success()

    assert state()
    assert state(dx=0.028, dy=-0.028)
    assert state(dz=0.05)  # no height check, as RoboTwin's
    assert not state(dx=0.032)  # beside the stand's centre
    assert not state(dy=-0.032)
    assert not state(left=0.0)  # a gripper still closed
    assert not state(right=0.0)


def test_place_object_scale_goal_and_near_misses(make_env):
    env = make_env("place_object_scale")
    env.reset(seed=100000)
    sim = env.sim
    pan = sim.target()
    other = "left" if sim.arm == "right" else "right"

    def state(dx=0.0, dy=0.0, dz=0.0, arm_open=1.0, other_open=1.0):
        sim.object.set_pose(sapien.Pose(p=list(pan + [dx, dy, dz])))
        command_grippers(sim, **{sim.arm: arm_open, other: other_open})
        return sim.check_success()

    assert state()
    assert state(dx=0.024, dy=-0.024, dz=-0.009)  # 3.4 cm off, 9 mm low
    assert state(other_open=0.0)  # only the object side's gripper is read, as RoboTwin's
    assert not state(dx=0.026, dy=0.026)  # 3.7 cm off the pan's centre
    assert not state(dy=-0.036)
    assert not state(dz=-0.011)  # below the pan (on the table beside a thin scale)
    assert not state(arm_open=0.0)  # still held


def phone_tilt_deg(sim) -> float:
    """How far the phone's long axis (bottom edge to top) leans from the vertical."""
    along = sim.phone.pose().to_transformation_matrix()[:3, 0]
    return float(np.rad2deg(np.arccos(np.clip(along[2], -1.0, 1.0))))


def test_a_phone_let_go_in_the_cradle_leans_there_and_stays(make_env):
    env = make_env("place_phone_stand")
    env.reset(seed=100000)
    sim = env.sim
    sim.phone.set_pose(phone_rest_pose(sim, PHONE_LET_GO + [0.0, 0.0, 0.01]))  # let go 1.3 cm over the seat
    sim._physics(200)  # 2 s
    offset = sim.phone.point("bottom_edge") - sim.stand.point("rest")
    # Seated on the ledge at the stand's rest point, leaning on the backrest: its bottom edge may sit
    # anywhere in the 5 mm between the backrest and the lip, which tips it back by up to 3.6 deg more.
    assert np.all(np.abs(offset) < 0.006), offset
    assert np.rad2deg(PHONE_LEAN) - 0.5 < phone_tilt_deg(sim) < np.rad2deg(PHONE_LEAN) + 4.0
    still = sim.phone.pose()
    sim._physics(100)  # and stays: 1 s later it has not moved
    assert np.linalg.norm(np.asarray(sim.phone.pose().p) - still.p) < 1e-4
    assert sim.check_success()


def test_the_phone_comes_narrower_for_the_grip(make_env):
    env = make_env("place_phone_stand")
    env.reset(seed=100000)
    sim = env.sim
    from tasks.base import entity_bounds

    for width in (0.075, 0.062):
        phone = build_object(sim.scene, "phone", f"phone_{width}", sapien.Pose(p=[2.0, 2.0, 0.0]), width=width)
        low, high = entity_bounds(phone.actor._objs[0])
        np.testing.assert_allclose(high - low, [0.15, width, 0.015], atol=1e-4)


def test_place_phone_stand_layout_follows_robotwins(make_env):
    env = make_env("place_phone_stand")
    sides = set()
    for seed in range(100000, 100008):
        env.reset(seed=seed)
        sim = env.sim
        phone, stand = np.asarray(sim.phone.pose().p), np.asarray(sim.stand.pose().p)
        assert 0.05 - 1e-3 <= abs(phone[0]) <= 0.25 + 1e-3 and -0.2 - 1e-3 <= phone[1] <= 1e-3
        assert abs(stand[0]) <= 0.15 + 1e-6 and stand[0] * phone[0] >= 0 and 0.0 <= stand[1] <= 0.2
        assert np.linalg.norm(stand[:2] - phone[:2]) >= 0.15
        assert sim.arm == ("right" if phone[0] > 0 else "left")
        top = sim.phone.pose().to_transformation_matrix()[:3, 0]
        assert top[1] > np.cos(0.7) - 1e-3  # its top end away from the arms, turned by at most 0.7 rad
        np.testing.assert_allclose(sim.stand.point("rest") - stand, [0.0, -0.035, 0.099], atol=1e-6)
        assert not sim.check_success()
        sides.add(sim.arm)
    assert sides == {"left", "right"}


def test_place_phone_stand_goal_and_near_misses(make_env):
    env = make_env("place_phone_stand")
    env.reset(seed=100000)
    sim = env.sim
    rest = phone_rest_pose(sim, np.zeros(3))

    def state(dx=0.0, dy=0.0, dz=0.0, left=1.0, right=1.0):
        sim.phone.set_pose(sapien.Pose(np.asarray(rest.p) + [dx, dy, dz], rest.q))
        command_grippers(sim, left, right)
        return sim.check_success()

    assert state()
    assert state(dx=0.044, dy=-0.039, dz=0.039)
    assert not state(dx=0.046)  # beside the cradle
    assert not state(dy=-0.041)  # in front of it
    assert not state(dz=0.041)  # held above it
    assert not state(dz=-0.041)
    assert not state(left=0.0)  # a gripper still closed
    assert not state(right=0.0)
    lying = sapien.Pose(np.asarray(sim.stand.pose().p) + [0.0, -0.2, 0.0])  # flat on the table in front of it
    sim.phone.set_pose(lying)
    assert not sim.check_success()


def test_place_fan_layout_follows_robotwins(make_env):
    env = make_env("place_fan")
    sides = set()
    for seed in range(100000, 100008):
        env.reset(seed=seed)
        sim = env.sim
        fan, pad = np.asarray(sim.fan.pose().p), np.asarray(sim.pad._objs[0].get_pose().p)
        assert abs(fan[0]) <= 0.1 + 1e-3 and -0.15 - 1e-3 <= fan[1] <= -0.05 + 1e-3
        assert np.sign(pad[0]) == np.sign(fan[0]) and 0.15 - 1e-3 <= abs(pad[0]) <= 0.25 + 1e-3
        assert np.linalg.norm(pad[:2] - fan[:2]) >= 0.13 - 2e-3
        np.testing.assert_allclose(sim.pad_center, pad, atol=2e-3)
        assert sim.arm == ("right" if fan[0] > 0 else "left")
        assert not sim.check_success()
        sides.add(sim.arm)
    assert sides == {"left", "right"}


def test_robotwin_reads_the_fan_facing_the_arms_as_its_target_quaternion():
    np.testing.assert_allclose(robotwin_quaternion([1.0, 0.0, 0.0, 0.0]), FACING_ROBOT, atol=1e-6)
    turned = robotwin_quaternion(yaw_quaternion(np.deg2rad(90.0)))
    assert np.max(np.abs(turned - FACING_ROBOT)) > 0.2


def test_place_fan_goal_and_near_misses(make_env):
    env = make_env("place_fan")
    env.reset(seed=100000)
    sim = env.sim
    pad_top = sim.pad_center + [0.0, 0.0, sim.PAD_HALF[2]]

    def state(dx=0.0, dy=0.0, dz=0.0, yaw_deg=0.0, tilt_deg=0.0, left=1.0, right=1.0):
        yaw = sapien.Pose(q=yaw_quaternion(np.deg2rad(yaw_deg)))
        tilt = sapien.Pose(q=[np.cos(np.deg2rad(tilt_deg) / 2), np.sin(np.deg2rad(tilt_deg) / 2), 0.0, 0.0])
        sim.fan.set_pose(sapien.Pose(pad_top + [dx, dy, dz], (yaw * tilt).q))
        command_grippers(sim, left, right)
        return sim.check_success()

    assert state()
    assert state(dx=0.039, dy=-0.039, dz=0.038, yaw_deg=7.5)
    assert state(yaw_deg=-7.5)
    assert not state(yaw_deg=9.0)  # turned a little too far
    assert not state(yaw_deg=-9.0)
    assert not state(yaw_deg=180.0)  # its back to the arms
    assert not state(tilt_deg=9.0)  # leaning forward
    assert not state(dx=0.041)  # beside the pad
    assert not state(dy=0.041)
    assert not state(dz=0.041)  # held above it
    assert not state(left=0.0)  # a gripper still closed
    assert not state(right=0.0)


def test_a_joint_line_too_short_for_topp_is_one_step(make_env, monkeypatch):
    """mplib's TOPP cannot time some joint lines of under 0.01 rad (a refining walk's last correction):
    such a line becomes one step; a longer one it cannot time still fails."""
    env = make_env("place_object_stand")
    env.reset(seed=100000)
    motion = TwoArmMotion(env.sim, refine=True)

    def cannot_time(*args, **kwargs):
        raise RuntimeError("Fail to parameterize path")

    monkeypatch.setattr(motion.planners["left"], "TOPP", cannot_time)
    start = env.sim.full_qpos("left")
    end = start.copy()
    end[0] += 0.009
    np.testing.assert_allclose(motion._joint_line("left", start, end), [end[: env.sim.embodiment.arm_dof]])
    end[0] += 0.05
    with pytest.raises(RuntimeError):
        motion._joint_line("left", start, end)


# What each task's expert leaves at its first success, besides the check passing.
def _rests_on_the_prop(sim) -> bool:
    return sim.object_position()[2] > sim.target()[2] - 0.01


FINAL_STATES = {
    "place_object_stand": _rests_on_the_prop,
    "place_object_scale": _rests_on_the_prop,
    "place_phone_stand": lambda sim: phone_tilt_deg(sim) < 40.0,  # upright, leaning back
    "place_fan": lambda sim: abs(sim.fan.pose().p[2] - sim.pad_center[2]) < 0.01,  # down on the pad
}


@pytest.mark.parametrize("embodiment", ["aloha-agilex", "franka-panda"])
@pytest.mark.parametrize("setting", ["clean", "randomized"])
@pytest.mark.parametrize("task", sorted(EXPERT_SEEDS))
def test_expert_solves_the_task(make_env, task, setting, embodiment):
    env = make_env(task, setting=setting, embodiment=embodiment)
    result = run_episode(env, ExpertPolicy(), candidate_seed(0, EXPERT_SEEDS[task][setting]))
    assert result.success, f"{embodiment} [{setting}] seed {result.seed}: {result.error}"
    assert result.steps < env.task_spec.step_limit and result.n_renders == 0
    sim = env.sim  # the episode ends at the first success
    assert sim.check_success() and FINAL_STATES[task](sim)
