"""Experts for the tool tasks: striking a block with a hammer, pressing a bell's button."""

from __future__ import annotations

from typing import Iterator

import numpy as np
import sapien

from tasks.base import actor_pose, actor_position
from tasks.experts.blocks import APPROACH, nearer_arm, object_yaw, up
from tasks.experts.motion import TwoArmMotion, closing_yaw, nearest_symmetric_yaw, top_down_pose
from tasks.experts.spec import expert

HAMMER_LIFT = 0.1  # the head clears the block (5 cm) and low clutter while the hammer is carried
STRIKE_DEPTH = 0.003  # the head is aimed this far into the block's top so it really lands on it
PRESS_OVERSHOOT = 0.004  # the fingertips are aimed this far below the deepest successful press


@expert("beat_block_hammer")
def beat_block_hammer(env) -> Iterator[np.ndarray]:
    motion = TwoArmMotion(env)
    arm = nearer_arm(actor_position(env.block))
    # Top-down grasp across the handle (a two-fold symmetric grip), nearest the hand's current yaw.
    handle_point = np.asarray((actor_pose(env.hammer) * sapien.Pose(p=[env.GRASP_X, 0.0, 0.0])).p)
    across = object_yaw(env.hammer) + np.pi / 2
    yaw = nearest_symmetric_yaw(across, closing_yaw(env.tcp_pose(arm)), symmetry=2)
    yield motion.move({arm: top_down_pose(handle_point + up(APPROACH), yaw)})
    yield motion.move({arm: top_down_pose(handle_point, yaw)})
    yield motion.gripper({arm: 0.0})
    yield motion.move({arm: top_down_pose(handle_point + up(HAMMER_LIFT), yaw)})
    # Carry the head over the block, then bring it straight down onto the block's top.
    tcp = np.asarray(env.tcp_pose(arm).p)
    head_bottom = np.append(env.head_center()[:2], env.head_lowest_z())
    goal = env.block_top() + (tcp - head_bottom) - up(STRIKE_DEPTH)
    yield motion.move({arm: top_down_pose(goal + up(APPROACH), yaw)})
    yield motion.move({arm: top_down_pose(goal, yaw)})
    yield motion.move({arm: top_down_pose(goal + up(APPROACH), yaw)})


@expert("click_bell")
def click_bell(env) -> Iterator[np.ndarray]:
    motion = TwoArmMotion(env)
    top = env.bell.button_top()
    arm = nearer_arm(top)
    yield motion.gripper({arm: 0.0})  # press with closed fingers
    yaw = closing_yaw(env.tcp_pose(arm))
    yield motion.move({arm: top_down_pose(top + up(APPROACH), yaw)})
    yield motion.move({arm: top_down_pose(top - up(env.PRESS_DEPTH + PRESS_OVERSHOOT), yaw)})
    yield motion.move({arm: top_down_pose(top + up(APPROACH), yaw)})
