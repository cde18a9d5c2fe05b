"""Two-arm embodiments: which robot, where its two arms stand, and its action layout.

An embodiment fixes RoboTwin's joint-space action contract (core.contract.ActionLayout) for one
robot model: `[left arm joints, left gripper, right arm joints, right gripper]`, grippers in [0, 1]
(0 closed, 1 open). Everything robot-specific the tasks and experts use is data here, so tasks/
never branches on a robot's name: joints, gripper, home pose, hand and TCP frames, wrist-camera
mount, base poses and the planner's URDF. Each arm is its own ManiSkill agent (one URDF per arm).

Frames every robot shares: the TCP link sits between the fingertip pads with z pointing out between
the fingers and y along the finger motion (Panda's panda_hand_tcp); the hand link has the same axes
at the wrist, and the wrist camera mounts on it. Finger joint positions are each pad's distance
from the closed position, so the measured opening is position / open width.

- `franka-panda`: two Franka Pandas from ManiSkill's bundled assets, on pedestals 0.6 m apart behind
  the table (y = -0.45), at table height.
- `aloha-agilex` (the default here, as in RoboTwin): built from gym-aloha's ViperX 300s arms
  (tasks.scene.aloha_assets): 6 joints and a gripper per arm, 14 action values. The robot's root
  is RoboTwin's, (0, -0.65, 0) facing +y with the left arm at -x; the arm bases stand at
  (-0.15, -0.34) and (0.15, -0.34) on the table top (z = 0.74), 4 cm in from its edge, like ALOHA
  arms bolted to a table. RoboTwin's own arm offsets (x = +-0.3, y = -0.417, as public code using
  its aloha-agilex URDF reads them) suit its longer arms: the ViperX reaches at most ~0.59 m with the
  gripper pointing down, too short for the far corners from there. The
  chosen bases reach a top-down pose 8 cm above the table at every corner and the centre of each
  arm's half of the tasks' workspace (x in [-0.35, 0.05] left, [-0.05, 0.35] right, y in
  [-0.25, 0.2]); only a spot 9 cm straight in front of a base is too close. At home each arm is
  turned outwards (the right arm mirrors the left), so the head camera sees the table between them.

RoboTwin's other embodiments (piper, ARX-X5, ur5-wsg) would register here. The registry fills
itself on first use; a robot's ManiSkill agent is registered only when an env is built with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from core.contract import ARMS, ActionLayout
from core.registry import Registry
from tasks.scene.aloha_assets import ARM_JOINTS, FINGER_JOINTS, FINGER_OPEN_WIDTH

LIGHT_PANDA_UID = "gwbench_panda_light"
ALOHA_AGENT_UIDS = {"full": "gwbench_aloha_agilex", "light": "gwbench_aloha_agilex_light"}


@dataclass(frozen=True)
class Gripper:
    """Two fingers that follow one gripper value in [0, 1] (0 closed, 1 open).

    A finger joint's position is its pad's distance from closed; `open_width` is that distance at
    gripper 1. The agent's gripper controller takes ManiSkill's normalized action in [-1, 1], mapped
    linearly onto finger targets [close_target, open_width]; `close_target` lies below 0 so a closed
    gripper keeps squeezing a thin object.
    """

    joint_names: tuple[str, str]
    open_width: float
    close_target: float

    def maniskill_action(self, value: float) -> float:
        """ManiSkill's normalized gripper action for a gripper value in [0, 1]."""
        return 2.0 * value - 1.0

    def command(self, finger_target: float) -> float:
        """The gripper value in [0, 1] a finger's drive target stands for."""
        return float(np.clip((finger_target - self.close_target) / (self.open_width - self.close_target), 0.0, 1.0))

    def opening(self, finger_position: float) -> float:
        """Measured opening in [0, 1] from a finger's position."""
        return float(np.clip(finger_position / self.open_width, 0.0, 1.0))


@dataclass(frozen=True)
class Embodiment:
    """One two-arm robot: everything tasks, experts and the env read about it (both arms share a model)."""

    name: str
    agent_uids: dict[str, str]  # visual quality ("light"/"full") -> ManiSkill agent uid
    arm_joint_names: tuple[str, ...]
    gripper: Gripper
    base_positions: dict[str, tuple[float, float, float]]  # per arm, world frame
    base_quaternion: tuple[float, float, float, float]  # wxyz, both arms face the table
    home_qpos: dict[str, tuple[float, ...]]  # per arm, its joints at episode start
    hand_link: str  # at the wrist, with the TCP's axes; the wrist camera mounts here
    tcp_link: str  # the point between the fingertip pads; experts plan for it
    wrist_camera_offset: tuple[float, float, float]  # camera position in the hand frame (x: the camera's side)
    wrist_camera_tilt_deg: float  # from the hand's z axis towards the fingertips
    planner_urdf: Callable[[], Path] = field(repr=False)  # one arm's URDF, an .srdf beside it: what mplib plans with
    # Registers the agent of a visual quality with ManiSkill (and builds its meshes) before first use.
    prepare_agent: Callable[[str], None] = field(default=lambda quality: None, repr=False)

    @property
    def layout(self) -> ActionLayout:
        return ActionLayout(len(self.arm_joint_names))

    @property
    def arm_dof(self) -> int:
        return self.layout.arm_dof

    @property
    def action_dim(self) -> int:
        return self.layout.action_dim

    def agent_uid(self) -> str:
        """The ManiSkill agent to build for this process's visual quality (tasks.runtime), made ready."""
        from tasks.runtime import configure

        quality = configure().visual
        self.prepare_agent(quality)
        return self.agent_uids[quality]

    def home_action(self) -> np.ndarray:
        """The action that holds both arms at home with grippers open."""
        return np.concatenate([[*self.home_qpos[arm], 1.0] for arm in ARMS]).astype(np.float32)

    def home_joint_positions(self, arm: str) -> np.ndarray:
        """Every joint of one arm at home: the arm joints, then both fingers open."""
        return np.concatenate([self.home_qpos[arm], [self.gripper.open_width] * len(self.gripper.joint_names)])


def _prepare_panda(quality: str) -> None:
    """The light Panda: identical to ManiSkill's but drawn with the cached simplified meshes."""
    if quality != "light":
        return
    from mani_skill.agents.registration import REGISTERED_AGENTS, register_agent
    from mani_skill.agents.robots.panda import Panda

    from tasks.scene.light_meshes import LIGHT_URDF_NAME, ensure_light_panda, light_panda_dir

    ensure_light_panda()
    if LIGHT_PANDA_UID not in REGISTERED_AGENTS:

        @register_agent()
        class PandaLight(Panda):
            uid = LIGHT_PANDA_UID
            urdf_path = str(light_panda_dir() / LIGHT_URDF_NAME)


def _stock_panda_urdf() -> Path:
    from tasks.scene.light_meshes import panda_asset_dir

    return panda_asset_dir() / "panda_v2.urdf"


def _aloha_urdf() -> Path:
    from tasks.scene.aloha_assets import ensure_aloha_arm

    return ensure_aloha_arm()


PANDA_HOME = (0.0, -0.2, 0.0, -2.3, 0.0, 2.1, np.pi / 4)  # hand 0.48 m ahead, 0.33 m up, pointing down
# The left arm turned 0.7 rad outwards, its TCP 0.25 m above the table and pointing down: the arms stand
# left and right of the head camera's view of the table instead of in front of the objects.
ALOHA_LEFT_HOME = (0.7, -0.35, 0.24, 0.0, 1.68, 0.0)


def mirrored(arm_qpos: tuple[float, ...]) -> tuple[float, ...]:
    """An aloha arm's joints mirrored across the robot's centre plane: the twisting joints (waist,
    forearm roll, wrist rotate) change sign, the bending ones keep it."""
    waist, shoulder, elbow, forearm_roll, wrist_angle, wrist_rotate = arm_qpos
    return (-waist, shoulder, elbow, -forearm_roll, wrist_angle, -wrist_rotate)


ALOHA_GRIPPER = Gripper(joint_names=FINGER_JOINTS, open_width=FINGER_OPEN_WIDTH, close_target=-0.01)


def _prepare_aloha(quality: str) -> None:
    """Build the arm model if missing and register the agent of this visual quality."""
    from tasks.scene.aloha_agent import register_aloha_agent

    register_aloha_agent(ALOHA_AGENT_UIDS[quality], quality == "light", ALOHA_GRIPPER.close_target,
                         ALOHA_GRIPPER.open_width)


def _builtin_embodiments(registry: Registry[Embodiment]) -> None:
    registry.register(
        "franka-panda",
        Embodiment(
            name="franka-panda",
            agent_uids={"full": "panda", "light": LIGHT_PANDA_UID},
            arm_joint_names=tuple(f"panda_joint{i}" for i in range(1, 8)),
            # ManiSkill's Panda gripper controller: [-1, 1] -> finger targets [-0.01, 0.04]
            gripper=Gripper(joint_names=("panda_finger_joint1", "panda_finger_joint2"), open_width=0.04,
                            close_target=-0.01),
            base_positions={"left": (-0.3, -0.45, 0.74), "right": (0.3, -0.45, 0.74)},
            base_quaternion=(0.7071068, 0.0, 0.0, 0.7071068),  # +90 deg about z: arms reach along +y
            home_qpos=dict.fromkeys(ARMS, PANDA_HOME),
            hand_link="panda_hand",
            tcp_link="panda_hand_tcp",
            wrist_camera_offset=(0.07, 0.0, 0.0),  # on the back of the hand
            wrist_camera_tilt_deg=25.0,
            planner_urdf=_stock_panda_urdf,
            prepare_agent=_prepare_panda,
        ),
    )
    registry.register(
        "aloha-agilex",
        Embodiment(
            name="aloha-agilex",
            agent_uids=ALOHA_AGENT_UIDS,
            arm_joint_names=ARM_JOINTS,
            gripper=ALOHA_GRIPPER,
            base_positions={"left": (-0.15, -0.34, 0.74), "right": (0.15, -0.34, 0.74)},
            base_quaternion=(0.7071068, 0.0, 0.0, 0.7071068),  # RoboTwin's root: facing +y
            home_qpos={"left": ALOHA_LEFT_HOME, "right": mirrored(ALOHA_LEFT_HOME)},
            hand_link="hand",
            tcp_link="tcp",
            wrist_camera_offset=(0.07, 0.0, 0.03),  # under the gripper, level with the finger roots
            wrist_camera_tilt_deg=25.0,
            planner_urdf=_aloha_urdf,
            prepare_agent=_prepare_aloha,
        ),
    )


EMBODIMENTS: Registry[Embodiment] = Registry("embodiment", loader=_builtin_embodiments)
DEFAULT_EMBODIMENT = "aloha-agilex"  # RoboTwin 2.0's default robot
