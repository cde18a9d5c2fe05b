"""The fan onto its pad, facing the robot: place_fan.

As the other stand tasks (`tasks/robotwin2/stands.py`), sizes, spawn ranges and thresholds follow RoboTwin
2.0's (`robotwin2-tasks.md` item 18), in its world frame: table top z=0.74, x from the left arm to the
right arm, y away from the arms. The fan is built in `tasks/scene/stands.py`.
"""

from __future__ import annotations

import numpy as np
import sapien

from tasks.base import RoboTwinTaskEnv
from tasks.language import InstructionTemplates, named_rgba
from tasks.robotwin2.articulated import pick
from tasks.scene.layout import sample_points
from tasks.scene.primitives import HIDDEN, build_box, yaw_quaternion
from tasks.scene.stands import build_fan
from tasks.spec import task

# RoboTwin's 23 pad colours, by the names gwbench's instructions use (its palette has fewer: near ones merge).
PAD_COLORS = ("red", "green", "blue", "yellow", "cyan", "purple", "black", "gray", "orange", "brown", "pink", "white")
FAN_COLORS = ("white", "black", "gray", "blue")
BLADE_COLORS = ("white", "cyan", "yellow")
FACING_ROBOT = (float(np.cos(np.pi / 4)), float(np.sin(np.pi / 4)), 0.0, 0.0)  # RoboTwin's target quaternion


def robotwin_quaternion(q) -> np.ndarray:
    """A fan's quaternion (wxyz) as RoboTwin's mesh would have it: its frame is gwbench's turned by 90 deg
    about x (Y-up meshes), so gwbench's fan facing the arms reads FACING_ROBOT; w made non-negative."""
    mesh = np.asarray((sapien.Pose(q=list(q)) * sapien.Pose(q=list(FACING_ROBOT))).q, dtype=np.float64)
    return -mesh if mesh[0] < 0 else mesh


@task("place_fan", max_episode_steps=400, arms="one", category="stands")
class PlaceFan(RoboTwinTaskEnv):
    """Put the fan on the coloured pad, facing the robot.

    Task: the arm on the fan's side takes the fan by the top of its head, lifts it 5 cm, turns it to
    face the arms and sets it down on the pad beside it, then lets go.
    Randomizations: the fan 11-14 cm wide, 15.5-16.4 cm high, 8-11 cm deep, its body and blade colours,
    at x[-0.1, 0.1], y[-0.15, -0.05], upright, any yaw; the pad (a 10 x 10 x 0.2 cm, 1 kg box, one of
    twelve colours) on the fan's side at |x| in [0.15, 0.25], y[-0.15, -0.05], at least 13 cm from
    the fan (RoboTwin does not keep them apart: a fan standing on the pad's edge would tilt).
    Success: the fan's quaternion, as RoboTwin's mesh frame reads it, within 0.05 per component of
    upright facing the arms (-y), about +-8 deg; the fan's origin (its bottom centre) within 4 cm in x,
    y and z of the pad's centre at reset; both grippers open; as RoboTwin's, which stores the pad's
    centre at load.
    Differs from RoboTwin: the fan is a base, a post and a round head (RoboTwin's models 4 and 5 are
    not available) whose front shows a dark grille with light blades and whose back carries the motor.
    """

    WIDTH = (0.11, 0.14)
    HEIGHT = (0.155, 0.164)
    DEPTH = (0.08, 0.11)
    FAN_MASS = 0.01  # kg, RoboTwin's
    PAD_HALF = (0.05, 0.05, 0.001)
    PAD_MASS = 1.0  # kg, RoboTwin's
    QUAT_TOLERANCE = 0.05
    XYZ_TOLERANCE = 0.04

    INSTRUCTIONS = InstructionTemplates(
        seen=(
            "put the {fan} on the {pad}, facing the robot",
            "place the {fan} on the {pad} so that it blows towards you",
            "pick up the {fan} and set it on the {pad}, its front towards the robot",
            "move the {fan} onto the {pad} and turn it to face the arms",
            "use the {arm} arm to put the {fan} on the {pad} facing the robot",
            "stand the {fan} on the {pad} with its blades towards the robot",
        ),
        unseen=(
            "set the {fan} down on the {pad}, turned towards the robot",
            "carry the {fan} to the {pad} and point its front at the robot",
            "the {fan} goes on the {pad}, facing the arms: put it there",
            "with the {arm} hand, place the {fan} on the {pad} so it faces you",
        ),
    )

    def build_objects(self):
        rng = self.rng
        self.fan_color = pick(rng, FAN_COLORS)
        blades = pick(rng, BLADE_COLORS, avoid=self.fan_color)
        self.pad_color = pick(rng, PAD_COLORS, avoid=self.fan_color)
        size = [float(rng.uniform(*limits)) for limits in (self.WIDTH, self.HEIGHT, self.DEPTH)]
        self.fan_size = tuple(size)
        self.fan = build_fan(self.scene, "fan", width=size[0], height=size[1], depth=size[2],
                             color=named_rgba(self.fan_color), blade_color=named_rgba(blades), mass=self.FAN_MASS)
        self.pad = build_box(self.scene, "pad", self.PAD_HALF, named_rgba(self.pad_color), HIDDEN, mass=self.PAD_MASS)

    def place_objects(self):
        rng, top = self.rng, self.room.table_top_z
        fan_xy = np.array([rng.uniform(-0.1, 0.1), rng.uniform(-0.15, -0.05)])
        side = 1.0 if fan_xy[0] > 0 else -1.0
        apart = lambda xy: np.linalg.norm(xy - fan_xy) >= 0.13  # noqa: E731
        pad_xy = sample_points(rng, 1, tuple(sorted((side * 0.15, side * 0.25))), (-0.15, -0.05), 0.0, apart)[0]
        self.fan.set_pose(sapien.Pose(p=[*fan_xy, top], q=yaw_quaternion(rng.uniform(-np.pi, np.pi))))
        self.pad.set_pose(sapien.Pose(p=[*pad_xy, top + self.PAD_HALF[2]]))
        self.pad_center = np.array([*pad_xy, top + self.PAD_HALF[2]])  # RoboTwin's target, stored at load
        self.arm = "right" if side > 0 else "left"  # RoboTwin's arm: the fan's side

    def object_actors(self):
        return {"fan": self.fan.actor, "pad": self.pad}

    def instruction_slots(self) -> dict[str, str]:
        return {"fan": f"{self.fan_color} fan", "pad": f"{self.pad_color} pad", "arm": self.arm}

    def check_success(self) -> bool:
        pose = self.fan.pose()
        facing = np.all(np.abs(robotwin_quaternion(pose.q) - FACING_ROBOT) < self.QUAT_TOLERANCE)
        on_pad = np.all(np.abs(np.asarray(pose.p) - self.pad_center) < self.XYZ_TOLERANCE)
        return bool(facing and on_pad and self.gripper_open("left") and self.gripper_open("right"))
