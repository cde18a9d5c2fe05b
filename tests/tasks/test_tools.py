"""Tool tasks (beat_block_hammer, click_bell): success checks reject near-misses, experts solve them."""

import numpy as np
import pytest
import sapien

import tasks
from gwbench.episode import run_episode
from policies.expert import ExpertPolicy
from tasks.experts import EXPERTS
from tasks.robotwin2.protocol import candidate_seed
from tasks.scene.primitives import yaw_quaternion

TASK_NAMES = ["beat_block_hammer", "click_bell"]


def put_head_at(sim, head_center, yaw=np.pi / 2):
    """Pose the hammer, lying level, so that its head's centre is at `head_center`."""
    rotation = sapien.Pose(q=yaw_quaternion(yaw))
    origin = np.asarray(head_center) - (rotation * sapien.Pose(p=list(sim.head_offset))).p
    sim.hammer.set_pose(sapien.Pose(p=list(map(float, origin)), q=rotation.q))


def test_beat_block_hammer_goal_and_near_misses(make_env):
    env = make_env("beat_block_hammer")
    env.reset(seed=100000)
    sim = env.sim
    assert not sim.check_success()  # the hammer starts on the table
    on_block = sim.block_top() + [0, 0, sim.HEAD_HALF[2]]
    put_head_at(sim, on_block)
    assert sim.check_success()
    put_head_at(sim, on_block + [0.003, -0.004, 0.002], yaw=np.pi / 2 + 0.3)  # turned, light touch
    assert sim.check_success()
    put_head_at(sim, on_block + [0.025, 0, 0])  # beside the block's centre by 2.5 cm
    assert not sim.check_success()
    put_head_at(sim, on_block + [0, 0, 0.05])  # hovering 5 cm above
    assert not sim.check_success()
    put_head_at(sim, on_block + [0, 0, 0.005])  # hovering 5 mm above: not touching
    assert not sim.check_success()
    put_head_at(sim, [on_block[0] + 0.08, on_block[1], sim.room.table_top_z + sim.HEAD_HALF[2]])  # on the table
    assert not sim.check_success()


def test_click_bell_goal_and_near_misses(make_env):
    env = make_env("click_bell")
    env.reset(seed=100000)
    sim = env.sim
    assert sim.bell.pressed_depth() == pytest.approx(0.0, abs=1e-4)  # the spring holds it up at rest
    assert not sim.check_success()
    sim.bell.set_pressed_depth(sim.PRESS_DEPTH + 0.001)
    assert sim.check_success()
    sim.bell.set_pressed_depth(sim.TRAVEL / 2)  # pressed only halfway
    assert not sim.check_success()
    sim.bell.set_pressed_depth(sim.PRESS_DEPTH - 0.002)
    assert not sim.check_success()


def test_click_bell_hovering_gripper_does_not_ring_and_the_spring_returns_the_button(make_env):
    env = make_env("click_bell")
    env.reset(seed=100001)
    sim = env.sim
    plan = EXPERTS.get("click_bell")(sim)
    for chunk in (next(plan), next(plan)):  # close the gripper, stop 8 cm above the button
        for action in chunk:
            env.step(action)
    assert not sim.success_latched and sim.bell.pressed_depth() < 1e-3
    sim.bell.set_pressed_depth(sim.TRAVEL)  # a full press, then let go
    for _ in range(10):
        env.step(chunk[-1])
    assert sim.bell.pressed_depth() < 1e-3 and not sim.check_success()


@pytest.mark.parametrize("task", TASK_NAMES)
def test_templates_are_filled_from_the_scene(make_env, task):
    env = make_env(task)
    templates = tasks.TASKS.get(task).env_cls.INSTRUCTIONS
    for seed in (100000, 100003):
        env.reset(seed=seed)
        sim = env.sim
        slots = sim.instruction_slots()
        assert templates.slots() <= set(slots)
        for template in (*templates.seen, *templates.unseen):
            assert "{" not in template.format(**slots)
        target_x = sim.block_top()[0] if task == "beat_block_hammer" else sim.bell.pose().p[0]
        assert slots["arm"] == ("left" if target_x < 0 else "right")  # the arm the expert uses


@pytest.mark.parametrize("embodiment", ["aloha-agilex", "franka-panda"])
@pytest.mark.parametrize("task", TASK_NAMES)
@pytest.mark.parametrize("setting, indices", [("clean", (0, 1)), ("randomized", (2,))])
def test_expert_solves_the_task(make_env, task, setting, indices, embodiment):
    env = make_env(task, setting=setting, embodiment=embodiment)
    for index in indices:
        result = run_episode(env, ExpertPolicy(), candidate_seed(0, index))
        assert result.success, f"{embodiment} {task} [{setting}] seed {result.seed}: {result.error}"
        assert result.steps < env.task_spec.step_limit
