"""gwbench's task suite: RoboTwin 2.0 tasks as Gymnasium envs on ManiSkill3.

Importing `tasks` does nothing: the simulator is configured (tasks.runtime) and the tasks are
registered (tasks.catalog) the first time one is looked up or made.

    import tasks
    env = tasks.make("stack_blocks_two", setting="randomized")
    tasks.TASKS.names()
    tasks.register_envs()           # Gymnasium ids gwbench/<task>-v0, for gym.make

Layout: catalog (the registry), spec (task metadata), base (the ManiSkill env every task derives
from), env (the Gymnasium face: observations and actions), scene/ (room, embodiments, props,
settings), robotwin2/ (the tasks and the protocol), experts/ (scripted experts, planning).
"""

from __future__ import annotations

__all__ = ["SETTINGS", "TASKS", "TaskEnv", "TaskSpec", "make", "register_envs"]


def register_envs() -> list[str]:
    """Register every task and its Gymnasium id `gwbench/<task>-v0` (this loads the simulator); returns
    the task names. Making an env with `tasks.make` or reading `tasks.TASKS` does it too."""
    from tasks.catalog import TASKS

    return TASKS.names()


def __getattr__(name: str):
    """The public names, loaded on first access (PEP 562): `import tasks` stays free."""
    if name == "TASKS":
        from tasks.catalog import TASKS

        return TASKS
    if name in ("TaskEnv", "make"):
        from tasks import env

        return getattr(env, name)
    if name == "TaskSpec":
        from tasks.spec import TaskSpec

        return TaskSpec
    if name == "SETTINGS":
        from tasks.robotwin2.protocol import SETTINGS

        return SETTINGS
    raise AttributeError(f"module 'tasks' has no attribute '{name}'")
