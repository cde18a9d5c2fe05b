"""The ManiSkill agent of one aloha-agilex arm (a ViperX 300s with a parallel gripper).

Joint-position control, as Panda's `pd_joint_pos`: six arm joint targets, then one gripper value
that both fingers follow (a mimic controller: ManiSkill's normalized [-1, 1] maps linearly onto the
finger target range [close_target, open_width] of the embodiment's Gripper). The model is built
into the cache on first use (tasks.scene.aloha_assets); agents are registered with ManiSkill only
when an env is made with this embodiment.
"""

from __future__ import annotations

from tasks.scene.aloha_assets import ARM_JOINTS, FINGER_JOINTS, LIGHT_URDF_NAME, URDF_NAME, aloha_dir, ensure_aloha_arm

# Drive gains as ManiSkill's Panda: ViperX links are lighter, so the arm tracks at least as tightly.
ARM_STIFFNESS, ARM_DAMPING, ARM_FORCE_LIMIT = 1e3, 1e2, 100.0
GRIPPER_STIFFNESS, GRIPPER_DAMPING, GRIPPER_FORCE_LIMIT = 1e3, 1e2, 100.0
FINGER_FRICTION = 2.0  # as Panda's fingers: grasped objects must not slip


def register_aloha_agent(agent_uid: str, light: bool, close_target: float, open_width: float) -> None:
    """Register the agent `agent_uid` (drawn with light or full visual meshes), building the model if missing.

    Gripper action -1 drives both fingers to `close_target`, +1 to `open_width` (the embodiment's Gripper).
    """
    from mani_skill.agents.base_agent import BaseAgent
    from mani_skill.agents.controllers import PDJointPosControllerConfig, PDJointPosMimicControllerConfig
    from mani_skill.agents.registration import REGISTERED_AGENTS, register_agent

    ensure_aloha_arm()
    if agent_uid in REGISTERED_AGENTS:
        return
    agent_urdf = str(aloha_dir() / (LIGHT_URDF_NAME if light else URDF_NAME))

    class AlohaAgilexArm(BaseAgent):
        uid = agent_uid
        urdf_path = agent_urdf
        urdf_config = dict(
            _materials=dict(gripper=dict(static_friction=FINGER_FRICTION, dynamic_friction=FINGER_FRICTION,
                                         restitution=0.0)),
            link={f"{finger}_link": dict(material="gripper", patch_radius=0.1, min_patch_radius=0.1)
                  for finger in FINGER_JOINTS},
        )

        @property
        def _controller_configs(self):
            arm = PDJointPosControllerConfig(
                list(ARM_JOINTS), lower=None, upper=None, stiffness=ARM_STIFFNESS, damping=ARM_DAMPING,
                force_limit=ARM_FORCE_LIMIT, normalize_action=False,
            )
            first, second = FINGER_JOINTS
            fingers = PDJointPosMimicControllerConfig(
                [first, second], lower=close_target, upper=open_width, stiffness=GRIPPER_STIFFNESS,
                damping=GRIPPER_DAMPING, force_limit=GRIPPER_FORCE_LIMIT, mimic={second: {"joint": first}},
            )
            return dict(pd_joint_pos=dict(arm=arm, gripper=fingers))

    register_agent()(AlohaAgilexArm)
