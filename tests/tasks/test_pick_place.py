"""place_a2b_left/right, place_empty_cup, move_can_pot: success checks, experts, instructions."""

import numpy as np
import pytest
import sapien
import torch

from gwbench.episode import run_episode
from policies.expert import ExpertPolicy
from tasks.robotwin2.protocol import candidate_seed

TASK_NAMES = ["place_a2b_left", "place_a2b_right", "place_empty_cup", "move_can_pot"]


def set_pose(actor, xyz, tilt_about_x_deg: float = 0.0):
    half = np.deg2rad(tilt_about_x_deg) / 2
    actor.set_pose(sapien.Pose(p=list(map(float, xyz)), q=[float(np.cos(half)), float(np.sin(half)), 0.0, 0.0]))


def command_grippers(env, left: float, right: float):
    """Set both grippers' commanded values (0 closed .. 1 open), arms at home."""
    for arm, value in (("left", left), ("right", right)):
        gripper = env.embodiment.gripper.maniskill_action(value)
        action = torch.tensor([[*env.embodiment.home_qpos[arm], gripper]], dtype=torch.float32)
        env.arm_agent(arm).set_action(action)


def position(actor) -> np.ndarray:
    return actor.pose.p.numpy()[0].astype(np.float64)


@pytest.mark.parametrize("task", ["place_a2b_left", "place_a2b_right"])
def test_place_a2b_goal_and_near_misses(make_env, task):
    env = make_env(task)
    env.reset(seed=100001)
    sim = env.sim
    a, b = sim.props["a"], sim.props["b"]
    side = sim.SIDE
    b_xy = position(b.actor)[:2]
    z = sim.room.table_top_z + a.half_height

    def put_a(dx, dy):
        set_pose(a.actor, [b_xy[0] + dx, b_xy[1] + dy, z])

    command_grippers(sim, 1, 1)
    put_a(side * 0.13, 0.0)
    assert sim.check_success()
    put_a(-side * 0.13, 0.0)  # on the other side of B
    assert not sim.check_success()
    put_a(side * 0.13, 0.06)  # 6 cm out of line with B
    assert not sim.check_success()
    put_a(side * 0.07, 0.0)  # crowding B
    assert not sim.check_success()
    put_a(side * 0.21, 0.0)  # too far away
    assert not sim.check_success()
    put_a(side * 0.13, 0.0)
    command_grippers(sim, 1, 0)  # still held
    assert not sim.check_success()


def test_place_empty_cup_goal_and_near_misses(make_env):
    env = make_env("place_empty_cup")
    env.reset(seed=100002)
    sim = env.sim
    resting = sim.coaster_top() + [0.0, 0.0, sim.cup_half]
    command_grippers(sim, 1, 1)
    set_pose(sim.cup, resting)
    assert sim.check_success()
    set_pose(sim.cup, resting + [0.04, 0.0, 0.0])  # half off the coaster
    assert not sim.check_success()
    set_pose(sim.cup, resting + [0.0, 0.0, 0.02])  # hovering 2 cm above it
    assert not sim.check_success()
    set_pose(sim.cup, resting, tilt_about_x_deg=20)  # leaning over
    assert not sim.check_success()
    set_pose(sim.cup, resting)
    command_grippers(sim, 0, 1)  # still held
    assert not sim.check_success()


def test_move_can_pot_goal_and_near_misses(make_env):
    env = make_env("move_can_pot")
    env.reset(seed=100003)
    sim = env.sim
    pot = position(sim.pot)
    side = sim.side
    beside = np.array([pot[0] + side * 0.18, pot[1], sim.room.table_top_z + sim.can_half])
    command_grippers(sim, 1, 1)
    set_pose(sim.can, beside)
    assert sim.check_success()
    set_pose(sim.can, beside * [-1, 1, 1])  # beside the pot, but on the other side
    assert not sim.check_success()
    set_pose(sim.can, beside + [0.0, 0.04, 0.0])  # 4 cm off the pot's line
    assert not sim.check_success()
    set_pose(sim.can, beside + [side * 0.03, 0.0, 0.0])  # 21 cm from the pot
    assert not sim.check_success()
    set_pose(sim.can, beside + [0.0, 0.0, 0.02])  # lifted off the table
    assert not sim.check_success()
    lying = [beside[0], beside[1], sim.room.table_top_z + sim.can_radius]
    set_pose(sim.can, lying, tilt_about_x_deg=90)  # knocked over
    assert not sim.check_success()
    set_pose(sim.can, beside)
    command_grippers(sim, 1, 0)  # still held
    assert not sim.check_success()


@pytest.mark.parametrize("embodiment", ["aloha-agilex", "franka-panda"])
@pytest.mark.parametrize("task", TASK_NAMES)
def test_expert_solves_clean_and_randomized_scenes(make_env, task, embodiment):
    for setting, indices in (("clean", (0, 1)), ("randomized", (2,))):
        env = make_env(task, setting=setting, embodiment=embodiment)
        for index in indices:
            result = run_episode(env, ExpertPolicy(), candidate_seed(0, index))
            assert result.success, f"{embodiment} {task} [{setting}] seed {result.seed}: {result.error}"
            assert result.steps < env.task_spec.step_limit and result.n_renders == 0


@pytest.mark.parametrize("task", TASK_NAMES)
def test_scene_slots_fill_every_template_and_start_unsolved(make_env, task):
    env = make_env(task)
    templates = env.sim.INSTRUCTIONS
    for index in range(3):
        env.reset(seed=candidate_seed(0, index))
        slots = env.sim.instruction_slots()
        assert templates.slots() <= set(slots)
        for template in (*templates.seen, *templates.unseen):
            text = template.format(**slots)
            assert "{" not in text and "}" not in text
        assert not env.sim.check_success()


def test_place_a2b_objects_are_told_apart(make_env):
    env = make_env("place_a2b_left")
    for index in range(5):
        env.reset(seed=candidate_seed(0, index))
        a, b = env.sim.props["a"], env.sim.props["b"]
        assert a.kind != b.kind and a.color != b.color
        assert a.description in env.sim.instruction() and b.description in env.sim.instruction()
