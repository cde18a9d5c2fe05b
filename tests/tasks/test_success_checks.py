"""Success checks accept the goal and reject near-misses; they read the scene alone."""

import numpy as np
import pytest
import sapien
import torch


def set_position(actor, xyz):
    actor.set_pose(sapien.Pose(p=list(map(float, xyz))))


def command_grippers(env, left: float, right: float):
    """Set both grippers' commanded values (0 closed .. 1 open), arms at home."""
    for arm, value in (("left", left), ("right", right)):
        gripper = env.embodiment.gripper.maniskill_action(value)
        action = torch.tensor([[*env.embodiment.home_qpos[arm], gripper]], dtype=torch.float32)
        env.arm_agent(arm).set_action(action)


@pytest.fixture
def stack(make_env):
    env = make_env("stack_blocks_two")
    env.reset(seed=100000)
    sim = env.sim
    top = sim.room.table_top_z
    red = np.array([0.0, -0.13, top + sim.HALF])
    set_position(sim.blocks['red'], red)
    set_position(sim.blocks['green'], red + [0, 0, 2 * sim.HALF])
    command_grippers(sim, 1, 1)
    return sim, red


def test_stack_blocks_two_goal_and_near_misses(stack):
    sim, red = stack
    assert sim.check_success()
    set_position(sim.blocks['green'], red + [0.03, 0, 2 * sim.HALF])  # off the edge by 3 cm
    assert not sim.check_success()
    set_position(sim.blocks['green'], red + [0, 0, 2 * sim.HALF + 0.015])  # hovering 1.5 cm above
    assert not sim.check_success()
    set_position(sim.blocks['green'], red + [0.1, 0, 0])  # beside it on the table
    assert not sim.check_success()
    set_position(sim.blocks['green'], red + [0, 0, 2 * sim.HALF])
    command_grippers(sim, 1, 0)  # still holding it
    assert not sim.check_success()


def test_handover_block_goal_and_near_misses(make_env):
    env = make_env("handover_block")
    env.reset(seed=100000)
    sim = env.sim
    pad = sim.pad_top()
    standing = pad + [0, 0, sim.BLOCK_HALF[2]]
    set_position(sim.block, standing)
    command_grippers(sim, 0, 1)  # only the right gripper must be open
    assert sim.check_success()
    set_position(sim.block, standing + [0.035, 0, 0])
    assert not sim.check_success()
    set_position(sim.block, standing + [0, 0, 0.015])
    assert not sim.check_success()
    set_position(sim.block, standing)
    command_grippers(sim, 1, 0)
    assert not sim.check_success()


def test_blocks_ranking_rgb_goal_and_near_misses(make_env):
    env = make_env("blocks_ranking_rgb")
    env.reset(seed=100000)
    sim = env.sim
    z = sim.room.table_top_z + sim.halves['red']
    row = {"red": [-0.08, -0.15, z], "green": [0.0, -0.15, z], "blue": [0.08, -0.15, z]}

    def place(layout):
        for name, xyz in layout.items():
            set_position(sim.blocks[name], xyz)

    command_grippers(sim, 1, 1)
    place(row)
    assert sim.check_success()
    place({**row, "red": [0.0, -0.15, z], "green": [-0.08, -0.15, z]})  # green and red swapped
    assert not sim.check_success()
    place({**row, "green": [0.0, -0.11, z]})  # green 4 cm out of the row
    assert not sim.check_success()
    place({**row, "blue": [0.14, -0.15, z]})  # blue 14 cm from green
    assert not sim.check_success()
    place(row)
    command_grippers(sim, 0, 1)
    assert not sim.check_success()


def test_stack_blocks_three_goal_and_near_misses(make_env):
    env = make_env("stack_blocks_three")
    env.reset(seed=100000)
    sim = env.sim
    step = np.array([0, 0, 2 * sim.HALF])
    base = np.array([0.0, -0.13, sim.room.table_top_z + sim.HALF])
    tower = {"red": base, "green": base + step, "blue": base + 2 * step}

    def place(layout):
        for name, xyz in layout.items():
            set_position(sim.blocks[name], xyz)

    command_grippers(sim, 1, 1)
    place(tower)
    assert sim.check_success()
    place({**tower, "blue": base + step + [0.1, 0, -2 * sim.HALF]})  # two-block tower, blue beside it
    assert not sim.check_success()
    place({**tower, "blue": tower["blue"] + [0.03, 0, 0]})  # blue slid off green's edge
    assert not sim.check_success()
    place({**tower, "green": tower["blue"], "blue": tower["green"]})  # green and blue swapped
    assert not sim.check_success()
    place(tower)
    command_grippers(sim, 0, 1)
    assert not sim.check_success()


def test_blocks_ranking_size_goal_and_near_misses(make_env):
    env = make_env("blocks_ranking_size")
    env.reset(seed=100000)
    sim = env.sim
    top = sim.room.table_top_z
    row = {name: [x, -0.15, top + sim.halves[name]] for name, x in zip(("large", "medium", "small"), (-0.09, 0, 0.09))}

    def place(layout):
        for name, xyz in layout.items():
            set_position(sim.blocks[name], xyz)

    command_grippers(sim, 1, 1)
    place(row)
    assert sim.check_success()
    place({**row, "large": [0.0, -0.15, row["large"][2]], "medium": [-0.09, -0.15, row["medium"][2]]})  # swapped
    assert not sim.check_success()
    place({**row, "small": [0.09, -0.11, row["small"][2]]})  # small block 4 cm out of the row
    assert not sim.check_success()
    place(row)
    command_grippers(sim, 1, 0)
    assert not sim.check_success()
