"""Experts for the two-arm tasks: symmetric grasps lifted together, and a microphone handover.

Both arms move in one chunk where the task needs them together (a rigid object
held in two hands must rise in step); the hands always stay on their own side
of the middle, since the planner does not see the other arm.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from tasks.base import actor_position
from tasks.experts.blocks import APPROACH, object_yaw, up
from tasks.experts.motion import TwoArmMotion, closing_yaw, grasp_pose, lowered_poses, top_down_pose
from tasks.experts.spec import expert

ARMS = ("left", "right")
TWO_HANDED_LIFT = 0.15  # m the pot and the roller are raised
HOLD_STEPS = 10  # a last steady hold, so a lifted object settles in the hands


def top_down_grasp_both(motion: TwoArmMotion, points: dict, yaws: dict) -> Iterator[np.ndarray]:
    """Both hands straight down onto their grasp points, closed together."""
    yield motion.move({arm: top_down_pose(points[arm] + up(APPROACH), yaws[arm]) for arm in ARMS})
    yield motion.move({arm: top_down_pose(points[arm], yaws[arm]) for arm in ARMS})
    yield motion.gripper({arm: 0.0 for arm in ARMS})


def roomiest_yaw(motion: TwoArmMotion, arm: str, position, yaws) -> float:
    """Of equivalent top-down closing yaws, the one whose IK solution stays furthest from joint limits.

    The nearest yaw to the hand's current one can leave the wrist's last joint
    at its limit, where the descent onto the object then fails.
    """
    env, planner = motion.env, motion.planners[arm]
    limits = env.arm_agent(arm).robot.get_qlimits()[0].numpy()[: env.embodiment.arm_dof]

    def margin(yaw: float) -> float:
        pose = top_down_pose(position, yaw)
        goal = planner.transform_goal_to_wrt_base(np.concatenate([pose.p, pose.q]))
        status, solutions = planner.IK(goal, env.full_qpos(arm), n_init_qpos=1)
        if status != "Success":
            return -np.inf
        joints = solutions[0][: len(limits)]
        return float(np.min(np.minimum(joints - limits[:, 0], limits[:, 1] - joints)))

    return max(yaws, key=margin)


def across_yaws(motion: TwoArmMotion, points: dict, axis_yaw: float) -> dict[str, float]:
    """Per arm, a closing direction across an object axis (two choices, opposite ways round)."""
    across = axis_yaw + np.pi / 2
    return {arm: roomiest_yaw(motion, arm, points[arm], (across, across + np.pi)) for arm in ARMS}


def lift_both(motion: TwoArmMotion, points: dict, yaws: dict, height: float) -> Iterator[np.ndarray]:
    """Both hands straight up from their grasp points by `height`, then a steady hold."""
    yield motion.move({arm: top_down_pose(points[arm] + up(height), yaws[arm]) for arm in ARMS})
    yield motion.hold(HOLD_STEPS)


@expert("lift_pot")
@expert("grab_roller")
def grasp_handles_and_lift(env) -> Iterator[np.ndarray]:
    """Fingers close across each handle (the pot's tabs, the roller's ends), then both hands rise together."""
    motion = TwoArmMotion(env)
    (body,) = env.object_actors().values()  # the pot or the roller: the one object these tasks move
    handles = env.handle_points()
    yaws = across_yaws(motion, handles, object_yaw(body))
    yield from top_down_grasp_both(motion, handles, yaws)
    yield from lift_both(motion, handles, yaws, TWO_HANDED_LIFT)


BOTTLE_CLOSING_YAW = np.pi / 2  # fingers close along y: hands stay narrow in x, side by side in front
BOTTLE_LIFT = 0.1
CARRY_MARGIN = 0.05  # m the bottles' bottoms are carried above BOTTLE_LIFT, where the arm reaches
CARRY_MIN_MARGIN = 0.015  # m: a short arm may carry lower, down to this, when the nominal is out of reach


def bottle_lift(motion: TwoArmMotion, arm: str, neck, target_xy, carry_height: float, yaw: float):
    """Where a hand lifts its bottle to: straight up to the carry height, else a little lower, else
    (a far bottle, beyond a short arm's top-down reach even so) rising diagonally towards its target."""
    lowest = CARRY_MARGIN - CARRY_MIN_MARGIN
    poses = lowered_poses(top_down_pose([*neck[:2], carry_height], yaw), lowest)
    return motion.first_reachable(arm, [*poses, top_down_pose([*target_xy, carry_height - lowest], yaw)])


@expert("pick_dual_bottles")
def pick_dual_bottles(env) -> Iterator[np.ndarray]:
    """Both necks grasped from above at once, lifted straight up, then carried to the targets."""
    motion = TwoArmMotion(env)
    neck_grip = env.height - env.NECK[1]
    necks = {arm: actor_position(env.bottles[arm]) + up(neck_grip) for arm in ARMS}
    yaws = {arm: roomiest_yaw(motion, arm, necks[arm], (BOTTLE_CLOSING_YAW, -BOTTLE_CLOSING_YAW)) for arm in ARMS}
    yield from top_down_grasp_both(motion, necks, yaws)
    carry_height = env.room.table_top_z + BOTTLE_LIFT + CARRY_MARGIN + neck_grip
    lifts = {arm: bottle_lift(motion, arm, necks[arm], env.TARGETS[arm], carry_height, yaws[arm]) for arm in ARMS}
    yield motion.move(lifts)
    yield motion.move({arm: top_down_pose([*env.TARGETS[arm], lifts[arm].p[2]], yaws[arm]) for arm in ARMS})
    yield motion.hold(HOLD_STEPS)


HANDOVER_XY = np.array([0.0, -0.02])
HANDOVER_BOTTOM = 0.14  # m above the table: the microphone's bottom during the handover
RECEIVER_GRIP = 0.07  # m above the microphone's bottom: the receiver's side grasp of the handle
HELD_UP_X = 0.13  # the receiver holds the microphone this far on its side
HELD_UP_BOTTOM = 0.2


@expert("handover_mic")
def handover_mic(env) -> Iterator[np.ndarray]:
    """Giver: top-down grasp of the head. Receiver: side grasp of the handle, coming from its own side."""
    motion = TwoArmMotion(env)
    giver, receiver = env.giver, env.receiver
    table = env.room.table_top_z
    head_grip = env.head_center_height() - 0.004  # the palm stays just clear of the head's top
    # Giver: pick the microphone by its head and bring it upright to the middle.
    head = actor_position(env.mic) + up(head_grip)
    yaw = closing_yaw(env.tcp_pose(giver))  # the head is round: any yaw grips it, so keep the hand's
    yield motion.move({giver: top_down_pose(head + up(APPROACH), yaw)})
    yield motion.move({giver: top_down_pose(head, yaw)})
    yield motion.gripper({giver: 0.0})
    yield motion.move({giver: top_down_pose(head + up(0.1), yaw)})
    hand_over_bottom = np.asarray(env.tcp_pose(giver).p) - env.axis_segment()[0]
    yield motion.move({giver: top_down_pose([*HANDOVER_XY, table + HANDOVER_BOTTOM] + hand_over_bottom, yaw)})
    # Receiver: fingers close along y on the handle, the hand coming in along x from its side.
    side = -1.0 if receiver == "left" else 1.0
    approach, closing = np.array([-side, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    handle = env.axis_segment()[0] + up(RECEIVER_GRIP)
    yield motion.move({receiver: grasp_pose(handle - APPROACH * approach, approach, closing)})
    yield motion.move({receiver: grasp_pose(handle, approach, closing)})
    yield motion.gripper({receiver: 0.0})
    # Giver lets go and rises clear before going home.
    yield motion.gripper({giver: 1.0})
    yield motion.move({giver: top_down_pose(np.asarray(env.tcp_pose(giver).p) + up(APPROACH), yaw)})
    yield motion.move_home((giver,))
    # Receiver: hold the microphone up on its own side.
    receiver_over_bottom = np.asarray(env.tcp_pose(receiver).p) - env.axis_segment()[0]
    held_bottom = np.array([side * HELD_UP_X, HANDOVER_XY[1], table + HELD_UP_BOTTOM])
    yield motion.move({receiver: grasp_pose(held_bottom + receiver_over_bottom, approach, closing)})
    yield motion.hold(HOLD_STEPS)
