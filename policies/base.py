"""The Policy protocol: everything the harness reads from a policy, declared here and nowhere else.

A policy sees one observation (RoboTwin's layout, see core.contract and tasks.observation) and answers
with a PolicyOutput: an action chunk (T x action_dim) the runner executes step by step before asking
again, plus what the harness records beside it (a server's own time, imagined frames). What a policy
needs from the harness is declared once in `requirements`; nothing is read with getattr.

    policy = make_policy("random", seed=3)          # policies.registry
    policy.reset(task_info)
    output = policy.act(observation)                # output.actions: (T, 16) for franka-panda
    policy.end_episode(success)                     # optional hook; the default does nothing

Inference time is measured around `act` alone (gwbench.timing). A light module: no simulator, no torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from core.errors import PolicyError

__all__ = ["Policy", "PolicyError", "PolicyOutput", "PolicyRequirements", "TaskInfo"]


@dataclass(frozen=True)
class TaskInfo:
    """What a policy is told about the episode it is about to play."""

    task: str
    setting: str
    seed: int
    instruction: str
    step_limit: int
    action_dim: int
    action_low: np.ndarray
    action_high: np.ndarray
    control_freq: int
    embodiment: str
    # The simulator itself, handed only to policies whose requirements say `privileged` (the scripted expert).
    sim: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class PolicyRequirements:
    """What a policy needs from the harness, declared up front."""

    camera: tuple[int, int] | None = None  # (width, height) it reads images at; None: the run's default
    privileged: bool = False  # reads the simulator (TaskInfo.sim): the scripted expert only; never served
    embodiment: str | None = None  # the robot it was trained for (a checkpoint's); None: any, by TaskInfo
    tasks: tuple[str, ...] | None = None  # the only tasks it can play (a checkpoint set's); None: any


@dataclass(frozen=True)
class PolicyOutput:
    """One query's answer. Only `actions` is required; the rest is recorded when a policy has it."""

    actions: np.ndarray  # (T, action_dim) absolute joint targets, T >= 1
    server_ms: float | None = None  # a remote policy's own inference time (the harness times the round trip)
    imagined: np.ndarray | None = None  # (K, h, w, 3) uint8 future head-camera frames the policy generated
    frame_stride: int | None = None  # env steps between those frames (frame k shows step query + k * stride)


@runtime_checkable
class Policy(Protocol):
    """Subclass it (explicitly) to inherit the defaults: no requirements, a no-op end_episode and close."""

    name: str
    requirements: PolicyRequirements = PolicyRequirements()

    def reset(self, info: TaskInfo) -> None: ...

    def act(self, observation: dict) -> PolicyOutput: ...

    def describe(self) -> dict:
        """Identity stored with every result: adapter, options, checkpoint hash, chunk size..."""
        ...

    def end_episode(self, success: bool) -> None:
        """The episode begun by the last `reset` is over, with this outcome (called once per played episode,
        also after a failure). Optional: a policy server that is told outcomes (XPolicyLab's trial_end)
        hears it here. An error raised here is ignored: the outcome is already decided."""

    def flops_per_query(self) -> int | None:
        """Floating-point operations one query costs, counted on a fixed synthetic observation (learned
        policies); None where not counted (scripted and remote policies). Deterministic, so the gate
        can compare it exactly where wall time is noisy."""
        return None

    def close(self) -> None:
        """Release connections, threads or files; the policy is not used again."""
