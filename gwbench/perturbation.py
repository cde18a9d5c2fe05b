"""Corrective demonstrations: the scripted expert played with smooth joint offsets, recorded without them.

Why: a policy trained only on the expert's own path never sees a hand a few centimetres off that path,
so once its small errors put it there it has no example of the way back, and the errors compound (on
lift_pot the reference models close their grippers 4-6 cm from the handles, on the very scenes they were
trained on). DART (Laskey et al., 2017, "DART: Noise Injection for Robust Imitation Learning") plays the
expert with injected noise and records the expert's intended actions, so the demonstrations visit states
beside the path and label each with the way back.

Here each reaching motion the expert plans (a chunk in which an arm moves with its gripper open) is executed
with a joint offset shaped as a half sine over the motion: zero where the motion starts and where it ends,
`sigma` (per joint, Gaussian) at most in the middle. The recorded action is the expert's plan, so the
training target (a chunk of plan minus the measured joints) points back to the path. A motion still ends
where the expert planned it, grasps and presses happen on the plan, and collection keeps only episodes the
expert solved, as always. Carrying motions (gripper closed), gripper moves and holds are played as planned:
offsetting two hands that hold one pot tilts or drops it, and reaching is where the policies miss.
"""

from __future__ import annotations

import numpy as np

from core.contract import ARMS, ActionLayout
from policies.base import Policy, PolicyOutput, TaskInfo

MOVING = 1e-3  # rad: an arm whose joints travel less than this over a chunk is holding, not moving
OPEN = 0.5  # a gripper command above this is open (1.0 open, 0.0 closed)


def offset_profile(length: int) -> np.ndarray:
    """(length,) weights of a motion's offset: a half sine, 0 at the first and the last step."""
    if length < 3:
        return np.zeros(length)
    return np.sin(np.pi * np.arange(length) / (length - 1))


class PerturbedExpert(Policy):
    """Plays `expert`'s chunks with smooth joint offsets on the reaching arms; `planned` is the last chunk
    as the expert planned it (what a DemoRecorder records). Seeded per episode by the scene's seed, so a
    demonstration is a deterministic function of (task, seed, sigma)."""

    name = "expert"

    def __init__(self, expert: Policy, sigma: float):
        if not sigma > 0:
            raise ValueError(f"the perturbation must be > 0 rad, got {sigma}")
        self.expert = expert
        self.sigma = float(sigma)
        self.requirements = expert.requirements
        self.planned: np.ndarray | None = None
        self._rng: np.random.Generator | None = None  # both set by reset, per episode
        self._layout: ActionLayout | None = None

    def reset(self, info: TaskInfo) -> None:
        self.expert.reset(info)
        self._rng = np.random.default_rng(info.seed)
        self._layout = ActionLayout.of_width(info.action_dim)

    def act(self, observation: dict) -> PolicyOutput:
        output = self.expert.act(observation)
        self.planned = np.asarray(output.actions, dtype=np.float64)
        played = self.planned.copy()
        weights = offset_profile(len(played))[:, None]
        for arm in ARMS:
            joints = self._layout.arm_slice(arm)
            moving = np.max(np.abs(played[-1, joints] - played[0, joints])) > MOVING
            if moving and played[0, self._layout.gripper_index(arm)] > OPEN:
                played[:, joints] += weights * self._rng.normal(0.0, self.sigma, size=joints.stop - joints.start)
        return PolicyOutput(played)

    def end_episode(self, success: bool) -> None:
        self.expert.end_episode(success)

    def describe(self) -> dict:
        return {**self.expert.describe(), "perturbation_rad": self.sigma}
