"""Experts for the pick-and-place tasks: one top-down pick, one placement from above."""

from __future__ import annotations

from typing import Iterator

import numpy as np

from tasks.base import actor_position
from tasks.experts.blocks import nearer_arm, pick_block, place_held
from tasks.experts.motion import TwoArmMotion
from tasks.experts.spec import expert

# The cup is held around its upper walls, this far below the rim: deeper than a
# block grasp, so the fingers squeeze more than the top edge.
CUP_GRASP_BELOW_RIM = 0.035


def pick_and_place(env, actor, grasp_half_height: float, held_point, target) -> Iterator[np.ndarray]:
    """The nearer arm picks `actor` from above, then brings the point `held_point()` onto `target`."""
    motion = TwoArmMotion(env)
    arm = nearer_arm(actor_position(actor))
    yield from pick_block(motion, arm, actor, grasp_half_height)
    yield from place_held(motion, arm, held_point(), target)


@expert("place_a2b_left")
@expert("place_a2b_right")
def place_a2b(env) -> Iterator[np.ndarray]:
    a = env.props["a"]
    target = np.array([*env.goal_xy, env.room.table_top_z + a.half_height])
    yield from pick_and_place(env, a.actor, a.half_height, lambda: actor_position(a.actor), target)


@expert("place_empty_cup")
def place_empty_cup(env) -> Iterator[np.ndarray]:
    # pick_block grasps 2 cm below the top of an object of the half height it is given, closing
    # along one of four yaws 90 deg apart: all face normals of the cup's 12-sided wall.
    grasp_half = env.cup_half - (CUP_GRASP_BELOW_RIM - 0.02)
    yield from pick_and_place(env, env.cup, grasp_half, env.cup_bottom, env.coaster_top())


@expert("move_can_pot")
def move_can_pot(env) -> Iterator[np.ndarray]:
    target = np.array([*env.goal_xy, env.room.table_top_z + env.can_half])
    yield from pick_and_place(env, env.can, env.can_half, lambda: actor_position(env.can), target)
