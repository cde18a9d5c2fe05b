"""`expert`: the task's scripted expert, replayed as a policy (privileged: it reads the scene).

The only adapter that reaches into tasks/, and only through the experts' public API (tasks.experts).
"""

from __future__ import annotations

from policies.base import Policy, PolicyError, PolicyOutput, PolicyRequirements, TaskInfo
from tasks.experts import expert_plan


class ExpertPolicy(Policy):
    """Scripted motion-planning expert; each query plans the next motion segment."""

    name = "expert"
    requirements = PolicyRequirements(privileged=True)

    def __init__(self):
        self._plan = None

    def reset(self, info: TaskInfo) -> None:
        if info.sim is None:
            raise PolicyError("the expert needs the simulator (TaskInfo.sim)")
        self._plan = expert_plan(info.task, info.sim)

    def act(self, observation: dict) -> PolicyOutput:
        try:
            return PolicyOutput(next(self._plan))
        except StopIteration:
            raise PolicyError("expert plan ended without success") from None

    def describe(self) -> dict:
        return {"adapter": "expert"}
