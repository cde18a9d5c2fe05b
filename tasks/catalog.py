"""The task registry, filled on first use: reading TASKS imports the task modules (and so the simulator).

    from tasks.catalog import TASKS
    TASKS.names()                       # the first read registers every built task
    TASKS.get("stack_blocks_two")       # its TaskSpec

Registering a task also registers its Gymnasium id, so `gym.make("gwbench/stack_blocks_two-v0")`
works once the catalog has been read (or `import tasks.catalog; tasks.catalog.TASKS.names()`).
"""

from __future__ import annotations

import gymnasium as gym

from core.registry import Registry
from tasks.spec import TaskSpec

ENV_ENTRY_POINT = "tasks.env:TaskEnv"


def _declared_tasks(modules) -> list[TaskSpec]:
    """The TaskSpecs of the classes a module declares with @task (not ones it merely imports)."""
    specs = []
    for module in modules:
        for value in vars(module).values():
            spec = getattr(value, "task_spec", None)
            if isinstance(value, type) and isinstance(spec, TaskSpec) and spec.env_cls is value:
                if value.__module__ == module.__name__:
                    specs.append(spec)
    return specs


def _builtin_tasks(registry: Registry[TaskSpec]) -> None:
    from tasks.runtime import configure

    configure()  # before the task modules import SAPIEN and ManiSkill
    from tasks.robotwin2 import (
        articulated, baskets, bins, blocks, bottles, bowls, cabinet, carry_basket, dual_arm, fan, food, pads,
        pick_place, press, qrcode, ranking, scan, shoes, stands, tools,
    )

    modules = [blocks, ranking, tools, pick_place, dual_arm, press, articulated, cabinet, bottles, bins, scan, pads,
               shoes, qrcode, stands, fan, food, bowls, baskets, carry_basket]
    for spec in _declared_tasks(modules):
        registry.register(spec.name, spec)
        gym.register(id=spec.gym_id, entry_point=ENV_ENTRY_POINT, kwargs={"task": spec.name},
                     max_episode_steps=spec.step_limit, disable_env_checker=True)


TASKS: Registry[TaskSpec] = Registry("task", loader=_builtin_tasks)
