"""Two-arm embodiments: which robot, where its two arms stand, and its action layout.

An embodiment fixes RoboTwin's joint-space action contract (core.contract.ActionLayout) for one
robot model: `[left arm joints, left gripper, right arm joints, right gripper]`, grippers in [0, 1]
(0 closed, 1 open). Only `franka-panda` (two Franka Pandas from ManiSkill's bundled assets) exists
today; RoboTwin's other four embodiments (aloha-agilex, piper, ARX-X5, ur5-wsg) would register here.
The registry fills itself on first use; a robot's ManiSkill agent is registered only when an env
is built with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from core.contract import ActionLayout
from core.registry import Registry

LIGHT_PANDA_UID = "gwbench_panda_light"


@dataclass(frozen=True)
class Embodiment:
    name: str
    agent_uids: dict[str, str]  # visual quality ("light"/"full") -> ManiSkill agent uid
    arm_joint_names: tuple[str, ...]
    gripper_joint_names: tuple[str, ...]
    base_positions: dict[str, tuple[float, float, float]]  # per arm, world frame
    base_quaternion: tuple[float, float, float, float]  # wxyz, both arms face the table
    home_qpos: tuple[float, ...]  # arm joints at episode start
    finger_open_width: float  # finger joint position at gripper 1.0
    hand_link: str  # wrist cameras mount here
    tcp_link: str  # the point between the fingertips; experts plan for it
    planner_urdf: Callable[[], Path] = field(repr=False)  # the stock URDF: same kinematics and collisions
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
        one_arm = np.concatenate([self.home_qpos, [1.0]])
        return np.concatenate([one_arm, one_arm]).astype(np.float32)


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


def _builtin_embodiments(registry: Registry[Embodiment]) -> None:
    registry.register(
        "franka-panda",
        Embodiment(
            name="franka-panda",
            agent_uids={"full": "panda", "light": LIGHT_PANDA_UID},
            arm_joint_names=tuple(f"panda_joint{i}" for i in range(1, 8)),
            gripper_joint_names=("panda_finger_joint1", "panda_finger_joint2"),
            base_positions={"left": (-0.3, -0.45, 0.74), "right": (0.3, -0.45, 0.74)},
            base_quaternion=(0.7071068, 0.0, 0.0, 0.7071068),  # +90 deg about z: arms reach along +y
            home_qpos=(0.0, -0.2, 0.0, -2.3, 0.0, 2.1, np.pi / 4),  # hand 0.48 m ahead, 0.33 m up, pointing down
            finger_open_width=0.04,
            hand_link="panda_hand",
            tcp_link="panda_hand_tcp",
            planner_urdf=_stock_panda_urdf,
            prepare_agent=_prepare_panda,
        ),
    )


EMBODIMENTS: Registry[Embodiment] = Registry("embodiment", loader=_builtin_embodiments)
DEFAULT_EMBODIMENT = "franka-panda"
