"""`random`: a seeded random-walk baseline; what chance alone achieves on a task."""

from __future__ import annotations

import numpy as np

from policies.base import Policy, PolicyOutput, TaskInfo


class RandomPolicy(Policy):
    """Random joint targets near the current joints, random gripper, held for a short chunk.

    Seeded by the episode seed (plus `seed`), so a run is reproducible.
    """

    name = "random"

    def __init__(self, chunk: int = 10, joint_noise: float = 0.15, seed: int = 0):
        if int(chunk) < 1:
            raise ValueError(f"chunk must be >= 1, got {chunk}")
        self.chunk = int(chunk)
        self.joint_noise = float(joint_noise)
        self.seed = int(seed)
        self._rng = np.random.default_rng(self.seed)
        self._info: TaskInfo | None = None

    def reset(self, info: TaskInfo) -> None:
        self._info = info
        self._rng = np.random.default_rng([self.seed, info.seed])

    def act(self, observation: dict) -> PolicyOutput:
        info = self._info
        current = np.asarray(observation["joint_action"]["vector"], dtype=np.float64)
        target = current + self._rng.normal(0.0, self.joint_noise, size=info.action_dim)
        grippers = [info.action_dim // 2 - 1, info.action_dim - 1]
        target[grippers] = self._rng.integers(0, 2, size=2)
        target = np.clip(target, info.action_low, info.action_high)
        return PolicyOutput(np.repeat(target[None], self.chunk, axis=0))

    def describe(self) -> dict:
        return {"adapter": "random", "chunk": self.chunk, "joint_noise": self.joint_noise, "seed": self.seed}
