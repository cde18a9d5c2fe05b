"""The Gymnasium face of a task: RoboTwin-layout observations, joint-target actions.

    env = gym.make("gwbench/stack_blocks_two-v0")          # or tasks.make("stack_blocks_two")
    obs, info = env.reset(seed=100000)
    obs, reward, terminated, truncated, info = env.step(env.action_space.sample())

Action: `[left arm joints, left gripper, right arm joints, right gripper]` joint
position targets (16 values for franka-panda, 14 for aloha-agilex), grippers in [0, 1] (1 = open). A
wrong shape, NaN or inf raises ValueError naming the expected layout; values
outside the joint limits are clipped and counted (`info["clipped"]`).
`terminated` is True at the first success; `gym.make` adds RoboTwin's step limit.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np

from core.contract import ARMS, CAMERA_NAMES, CameraSpec
from tasks.catalog import TASKS
from tasks.observation import build_observation
from tasks.scene.embodiments import DEFAULT_EMBODIMENT
from tasks.spec import check_setting


class TaskEnv(gym.Env):
    metadata = {"render_modes": ["rgb_array"]}

    def __init__(
        self,
        task: str,
        setting: str = "clean",
        embodiment: str = DEFAULT_EMBODIMENT,
        camera: CameraSpec = CameraSpec(),
        instructions: str = "unseen",
        render_mode: str | None = None,
    ):
        self.task_spec = TASKS.get(task)
        self.setting = check_setting(setting)
        self.render_mode = render_mode
        self.sim = self.task_spec.env_cls(
            setting=setting, embodiment=embodiment, camera=camera, instructions=instructions
        )
        self.embodiment = self.sim.embodiment
        self.action_space = self._action_space()
        self.observation_space = self._observation_space(camera)
        self.clipped = 0  # action values clipped to limits this episode
        self.steps = 0

    # ------------------------------------------------------------------ spaces
    def _action_space(self) -> gym.spaces.Box:
        limits = self.sim.arm_agent("left").robot.get_qlimits()[0].numpy()[: self.embodiment.arm_dof]
        low, high = [], []
        for _ in ARMS:
            low.extend([*limits[:, 0], 0.0])
            high.extend([*limits[:, 1], 1.0])
        return gym.spaces.Box(np.array(low, np.float32), np.array(high, np.float32), dtype=np.float32)

    def _observation_space(self, camera: CameraSpec) -> gym.spaces.Dict:
        image = gym.spaces.Box(0, 255, (camera.height, camera.width, 3), np.uint8)
        unbounded = lambda *shape: gym.spaces.Box(-np.inf, np.inf, shape, np.float64)  # noqa: E731
        view = gym.spaces.Dict(
            rgb=image, intrinsic_cv=unbounded(3, 3), extrinsic_cv=unbounded(3, 4), cam2world_gl=unbounded(4, 4)
        )
        dof = self.embodiment.arm_dof
        gripper = gym.spaces.Box(0.0, 1.0, (), np.float64)
        joint_action, endpose = {"vector": self.action_space}, {}
        for arm in ARMS:
            joint_action[f"{arm}_arm"] = gym.spaces.Box(self.action_space.low[:dof], self.action_space.high[:dof])
            joint_action[f"{arm}_gripper"] = gripper
            endpose[f"{arm}_endpose"] = gym.spaces.Box(-np.inf, np.inf, (7,), np.float32)
            endpose[f"{arm}_gripper"] = gripper
        return gym.spaces.Dict(
            observation=gym.spaces.Dict({name: view for name in CAMERA_NAMES}),
            joint_action=gym.spaces.Dict(joint_action),
            endpose=gym.spaces.Dict(endpose),
            instruction=gym.spaces.Text(max_length=512),
        )

    # ------------------------------------------------------------------ gym API
    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.sim.reset(seed=seed)
        self.clipped = 0
        self.steps = 0
        return self.observation(), self._info()

    def step(self, action):
        target = self.check_action(action)
        self.sim.step(self._maniskill_action(target))
        self.sim.check_physics()
        self.steps += 1
        success = self.sim.success_latched
        return self.observation(), float(success), success, False, self._info()

    def render(self):
        return self.render_camera("head_camera")

    def close(self):
        self.sim.close()

    # ------------------------------------------------------------------ what the harness reads
    # `sim` (the ManiSkill env) is the privileged handle, given only to the scripted expert; the
    # harness reads the scene through these instead.
    @property
    def instruction(self) -> str:
        return self.sim.instruction()

    @property
    def control_freq(self) -> int:
        """Actions per second (one action = one env step)."""
        return self.sim.control_freq

    @property
    def camera_spec(self) -> CameraSpec:
        return self.sim.camera_spec

    @property
    def renders(self) -> int:
        """Camera images rendered since the env was made."""
        return self.sim.renders

    @property
    def render_ns(self) -> int:
        """Time spent rendering them, so a policy's inference time can leave it out (gwbench.timing)."""
        return self.sim.render_ns

    def render_camera(self, name: str) -> np.ndarray:
        """One camera's image now (H, W, 3) uint8, outside any observation (e.g. to record video)."""
        return self.sim.render_camera(name)

    def scene_hash(self) -> str:
        """Digest of the scene now; the same seed gives the same hash in any process."""
        return self.sim.scene_hash()

    def describe_scene(self) -> dict:
        """The setting's randomization and the distractors on the table (what `gwbench show` prints)."""
        return {
            "domain": self.sim.domain.describe(),
            "distractors": [f"{d.color} {d.kind}" for d in self.sim.distractors],
        }

    @property
    def success(self) -> bool:
        return self.sim.success_latched

    def observation(self) -> dict:
        return build_observation(self.sim, self.instruction)

    def check_action(self, action) -> np.ndarray:
        """Validate one action; return it clipped to the limits (clips are counted)."""
        dim, dof = self.embodiment.action_dim, self.embodiment.arm_dof
        array = np.asarray(action, dtype=np.float64)
        if array.shape != (dim,):
            raise ValueError(
                f"action must have shape ({dim},) = [left arm {dof} joints, left gripper, "
                f"right arm {dof} joints, right gripper]; got shape {array.shape}"
            )
        bad = np.flatnonzero(~np.isfinite(array))
        if bad.size:
            raise ValueError(f"action holds NaN or inf at index {', '.join(map(str, bad))}")
        clipped = np.clip(array, self.action_space.low, self.action_space.high)
        self.clipped += int(np.count_nonzero(clipped != array))
        return clipped

    def _maniskill_action(self, target: np.ndarray) -> dict:
        """ManiSkill's per-robot dict: arm joint targets, then the embodiment's normalized gripper action."""
        action = {}
        for index, (uid, _agent) in enumerate(self.sim.agent.agents_dict.items()):
            arm = ARMS[index]
            gripper = self.embodiment.gripper.maniskill_action(target[self.embodiment.layout.gripper_index(arm)])
            action[uid] = np.concatenate([target[self.embodiment.layout.arm_slice(arm)], [gripper]])
        return action

    def _info(self) -> dict:
        return {
            "success": self.success,
            "clipped": self.clipped,
            "steps": self.steps,
            "renders": self.sim.renders,
            "instruction": self.instruction,
        }


def make(task: str, **kwargs) -> TaskEnv:
    """A task env without Gymnasium's wrappers (the harness counts steps itself)."""
    return TaskEnv(task, **kwargs)
