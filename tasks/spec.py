"""Task metadata, declared on the task class; tasks.catalog registers the declared tasks on first use.

    @task("stack_blocks_two", max_episode_steps=800, arms="one", category="blocks")
    class StackBlocksTwo(RoboTwinTaskEnv): ...

Declaring checks the task against RoboTwin 2.0's protocol (its name and step limit) and attaches a
TaskSpec; nothing global happens until the catalog is first read (see tasks.catalog).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from core.errors import InputError
from tasks.language import InstructionTemplates
from tasks.robotwin2.protocol import SETTINGS, STEP_LIMITS

ARM_NEEDS = ("one", "both")  # "one": either arm can do it (RoboTwin picks the nearer); "both": needs two


@dataclass(frozen=True)
class TaskSpec:
    name: str
    env_cls: type
    step_limit: int
    arms: str
    category: str
    version: int  # bump when the scene, success check or expert changes: seed pools are keyed on it

    @property
    def gym_id(self) -> str:
        return f"gwbench/{self.name}-v0"

    @property
    def summary(self) -> str:
        doc = (self.env_cls.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""


def task(name: str, *, max_episode_steps: int, arms: str, category: str, version: int = 1) -> Callable:
    """Declare a task class (see the module docstring)."""
    if STEP_LIMITS.get(name) != max_episode_steps:
        raise ValueError(f"{name}: RoboTwin 2.0's step limit is {STEP_LIMITS.get(name)}, not {max_episode_steps}")
    if arms not in ARM_NEEDS:
        raise ValueError(f"{name}: arms must be one of {ARM_NEEDS}, not '{arms}'")

    def declare(env_cls: type) -> type:
        if not isinstance(getattr(env_cls, "INSTRUCTIONS", None), InstructionTemplates):
            raise TypeError(f"{name}: the task class needs INSTRUCTIONS = InstructionTemplates(seen=..., unseen=...)")
        env_cls.task_name = name
        env_cls.task_spec = TaskSpec(name, env_cls, max_episode_steps, arms, category, version)
        return env_cls

    return declare


def check_setting(setting: str) -> str:
    if setting not in SETTINGS:
        raise InputError(f"unknown setting '{setting}'; known: {', '.join(SETTINGS)}")
    return setting
