"""The observation/action contract between tasks, policies and the harness (RoboTwin 2.0's layout).

Actions and measured joints are one vector per step:

    [left arm joints (dof), left gripper, right arm joints (dof), right gripper]     2 * (dof + 1) values

grippers in [0, 1] (0 closed, 1 open). An embodiment fixes `dof` (ActionLayout); everything else here
is the same for every robot: two arms, three cameras (a fixed head camera and one per wrist), images
as (H, W, 3) uint8 at a resolution the run chooses (CameraSpec).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import InputError

ARMS = ("left", "right")
CAMERA_NAMES = ("head_camera", "left_camera", "right_camera")
# The robot of every run, demo file and checkpoint stored before they recorded their embodiment.
LEGACY_EMBODIMENT = "franka-panda"
D435_FOVY_DEG = 37.0  # RoboTwin's D435 camera preset: 320x240, 37 degrees vertical field of view


@dataclass(frozen=True)
class CameraSpec:
    """Resolution of all three cameras (RoboTwin default 320x240)."""

    width: int = 320
    height: int = 240
    fovy_deg: float = D435_FOVY_DEG

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    def __post_init__(self):
        if not (16 <= self.width <= 4096 and 16 <= self.height <= 4096):
            raise InputError(f"camera resolution {self.width}x{self.height} must be between 16 and 4096 pixels a side")


@dataclass(frozen=True)
class ActionLayout:
    """Where each arm's joints and gripper sit in an action (or joint) vector of an embodiment."""

    arm_dof: int

    @property
    def action_dim(self) -> int:
        return 2 * (self.arm_dof + 1)

    def arm_slice(self, arm: str) -> slice:
        start = 0 if arm == "left" else self.arm_dof + 1
        return slice(start, start + self.arm_dof)

    def gripper_index(self, arm: str) -> int:
        return self.arm_dof if arm == "left" else 2 * self.arm_dof + 1

    @classmethod
    def of_width(cls, action_dim: int) -> "ActionLayout":
        """The layout of a vector `action_dim` wide (what a server receiving a bare state vector knows)."""
        if action_dim < 4 or action_dim % 2:
            raise ValueError(f"a two-arm joint vector has an even width of at least 4, got {action_dim}")
        return cls(action_dim // 2 - 1)

    def split(self, vector) -> dict:
        """`joint_action` in RoboTwin's layout: per arm its joints (array) and gripper (float), and `vector`."""
        vector = np.asarray(vector, dtype=np.float32).reshape(-1)
        if vector.size != self.action_dim:
            raise ValueError(f"expected {self.action_dim} joint values ({self.arm_dof} per arm and a gripper each), "
                             f"got {vector.size}")
        joint_action = {"vector": vector}
        for arm in ARMS:
            joint_action[f"{arm}_arm"] = vector[self.arm_slice(arm)]
            joint_action[f"{arm}_gripper"] = float(vector[self.gripper_index(arm)])
        return joint_action
