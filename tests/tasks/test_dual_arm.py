"""The two-arm tasks: success checks accept the goal and reject near-misses; experts solve them."""

import numpy as np
import pytest
import sapien
import torch

from gwbench.episode import run_episode
from policies.expert import ExpertPolicy
from tasks.experts.motion import TwoArmMotion, top_down_pose
from tasks.language import SPLITS
from tasks.robotwin2.protocol import candidate_seed

TASK_NAMES = ["lift_pot", "grab_roller", "handover_mic", "pick_dual_bottles"]


def set_pose(actor, xyz, tilt_about_y_deg: float = 0.0):
    half = np.deg2rad(tilt_about_y_deg) / 2
    actor.set_pose(sapien.Pose(p=[float(v) for v in xyz], q=[float(np.cos(half)), 0.0, float(np.sin(half)), 0.0]))


def put_tool_centre(sim, arm: str, position):
    """Set an arm's joints (no physics step) so its tool centre is at `position`, pointing down."""
    planner = TwoArmMotion(sim).planners[arm]
    target = top_down_pose(np.asarray(position, dtype=np.float64), 0.0)
    qpos = sim.full_qpos(arm)
    goal = planner.transform_goal_to_wrt_base(np.concatenate([target.p, target.q]))
    status, solutions = planner.IK(goal, qpos, n_init_qpos=1)
    assert status == "Success", status
    sim.arm_agent(arm).robot.set_qpos(solutions[0])
    np.testing.assert_allclose(sim.tcp_pose(arm).p, position, atol=2e-3)


def command_grippers(sim, left: float, right: float):
    """Commanded gripper values (0 closed .. 1 open); the arms' joint targets stay where they are."""
    for arm, value in (("left", left), ("right", right)):
        gripper = sim.embodiment.gripper.maniskill_action(value)
        action = torch.tensor([[*sim.arm_qpos(arm), gripper]], dtype=torch.float32)
        sim.arm_agent(arm).set_action(action)


@pytest.fixture
def scene(make_env):
    """A task's scene with the hands placed by IK: these test the success check, a pure function of the
    scene, so they use the robot whose reach every placement below was written for."""
    def reset(task):
        env = make_env(task, embodiment="franka-panda")
        env.reset(seed=100000)
        return env.sim

    return reset


def test_lift_pot_goal_and_near_misses(scene):
    sim = scene("lift_pot")
    top = sim.room.table_top_z

    def pose(lift, tilt=0.0, right_hand_offset=(0, 0, 0)):
        set_pose(sim.pot, [0.0, 0.0, top + lift], tilt)
        handles = sim.handle_points()
        put_tool_centre(sim, "left", handles["left"])
        put_tool_centre(sim, "right", handles["right"] + np.asarray(right_hand_offset))
        return sim.check_success()

    assert pose(0.12)
    assert not pose(0.06)  # raised, but not high enough
    assert not pose(0.12, tilt=25.0)  # high, but tipped
    assert not pose(0.12, right_hand_offset=(0, 0.04, 0))  # right hand off its handle
    assert not pose(0.0)  # both hands on the handles, pot still on the table


def test_grab_roller_goal_and_near_misses(scene):
    sim = scene("grab_roller")
    rest = sim.room.table_top_z + sim.RADIUS

    def pose(lift, grippers=(0, 0), right_inward=0.0):
        set_pose(sim.roller, [0.0, 0.0, rest + lift])
        handles = sim.handle_points()
        put_tool_centre(sim, "left", handles["left"])
        put_tool_centre(sim, "right", handles["right"] - [right_inward, 0, 0])
        command_grippers(sim, *grippers)
        return sim.check_success()

    assert pose(0.1)
    assert not pose(0.04)  # hovering just above the table
    assert not pose(0.1, grippers=(1, 0))  # the left gripper is not closed
    assert not pose(0.1, right_inward=sim.HANDLE_HALF + 0.05)  # right hand on the body, not its end


def test_handover_mic_goal_and_near_misses(scene):
    sim = scene("handover_mic")
    top = sim.room.table_top_z
    side = -1.0 if sim.receiver == "left" else 1.0
    grippers = {sim.giver: 1.0, sim.receiver: 0.0}

    def pose(x, lift, hand_offset=0.0, giver_gripper=1.0):
        set_pose(sim.mic, [x, 0.0, top + lift])
        head = np.array([x + hand_offset, 0.0, top + lift + sim.head_center_height()])
        put_tool_centre(sim, sim.receiver, head)
        command_grippers(sim, **{**grippers, sim.giver: giver_gripper})
        return sim.check_success()

    assert pose(side * 0.13, 0.2)
    assert not pose(side * 0.13, 0.2, giver_gripper=0.0)  # the giver still holds on
    assert not pose(0.0, 0.2)  # still in the middle
    assert not pose(-side * 0.13, 0.2)  # back on the giver's side
    assert not pose(side * 0.13, 0.0)  # resting on the table
    assert not pose(side * 0.13, 0.2, hand_offset=side * 0.05)  # beside the hand, not in it


def test_pick_dual_bottles_goal_and_near_misses(scene):
    sim = scene("pick_dual_bottles")
    top = sim.room.table_top_z

    def pose(left=(0, 0, 0.15), right=(0, 0, 0.15), right_tilt=0.0):
        for arm, (dx, dy, lift), tilt in (("left", left, 0.0), ("right", right, right_tilt)):
            x, y = sim.TARGETS[arm]
            set_pose(sim.bottles[arm], [x + dx, y + dy, top + lift], tilt)
        return sim.check_success()

    assert pose()
    assert not pose(left=(0, 0, 0.0))  # the left bottle still stands on the table
    assert not pose(right=(0.12, 0, 0.15))  # the right bottle 12 cm beside its target
    assert not pose(left=(0, 0, 0.08))  # lifted only 8 cm
    assert not pose(right_tilt=40.0)  # held at a slant


@pytest.mark.parametrize("task", TASK_NAMES)
def test_instruction_slots_fill_every_template_and_start_is_not_success(make_env, task):
    env = make_env(task)
    for seed in (100000, 100001):
        env.reset(seed=seed)
        slots = env.sim.instruction_slots()
        for split in SPLITS:
            for template in env.sim.INSTRUCTIONS.split(split):
                assert "{" not in template.format(**slots)
        assert not env.sim.check_success()


@pytest.mark.parametrize("embodiment", ["aloha-agilex", "franka-panda"])
@pytest.mark.parametrize("task", TASK_NAMES)
def test_expert_solves_clean_and_randomized(make_env, task, embodiment):
    for setting, indices in (("clean", (0, 1)), ("randomized", (2,))):
        env = make_env(task, setting=setting, embodiment=embodiment)
        for index in indices:
            result = run_episode(env, ExpertPolicy(), candidate_seed(0, index))
            assert result.success, f"{embodiment} {task} [{setting}] seed {result.seed}: {result.error}"
            assert result.steps < env.task_spec.step_limit
