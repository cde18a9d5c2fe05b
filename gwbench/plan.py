"""The run plan: everything a run needs, fixed before anything runs, checked as it is made.

A RunPlan is frozen and travels as it is: pickled to worker processes and Ray actors, and written
as JSON only at the store boundary (`to_json` / `from_json`), so `gwbench run --resume` rebuilds
exactly the plan that started the run. The episodes it plans are the first N verified seeds of each
task and setting; an episode is a pure function of (task, setting, embodiment, seed, policy spec).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from core.errors import InputError
from core.registry import unknown_name_message
from gwbench.records import run_embodiment
from tasks.language import SPLITS
from tasks.robotwin2.protocol import ALL_TASKS, SETTINGS, SUITE_NAME
from tasks.scene.embodiments import DEFAULT_EMBODIMENT, EMBODIMENTS

SUITES = {SUITE_NAME: ALL_TASKS}
MAX_EPISODES = 10_000  # per task and setting; more is a typo, not a plan


@dataclass(frozen=True)
class RunPlan:
    policy: str
    embodiment: str = DEFAULT_EMBODIMENT  # the robot every episode is played on
    suite: str = SUITE_NAME
    tasks: tuple[str, ...] = ()
    settings: tuple[str, ...] = ("clean",)
    episodes: int = 100
    run_seed: int = 0
    policy_args: dict = field(default_factory=dict)
    seed_dir: str = ""
    camera: tuple[int, int] = (320, 240)
    instructions: str = "unseen"  # instruction template split
    video_dir: str = ""  # record one MP4 per episode here (see gwbench.video); "" records nothing
    video_stride: int = 2  # record every Nth env step
    query_timeout_s: float = 300.0  # a policy query running longer fails its episode; 0: no limit

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "RunPlan":
        data = dict(data)
        data["embodiment"] = run_embodiment(data)
        for key in ("tasks", "settings", "camera"):
            data[key] = tuple(data[key])
        return cls(**data)

    def pairs(self) -> list[tuple[str, str]]:
        """(task, setting) in the plan's order."""
        return [(task, setting) for task in self.tasks for setting in self.settings]


def resolve_tasks(suite: str, requested: list[str] | None, playable: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The suite's tasks, or the requested ones after checking each name. `playable`: the only tasks the
    policy can play (a checkpoint set's); then the default is the suite's tasks among them."""
    if suite not in SUITES:
        raise InputError(unknown_name_message("suite", suite, list(SUITES)))
    tasks = SUITES[suite]
    if not requested:
        if playable is None:
            return tuple(tasks)
        covered = tuple(task for task in tasks if task in playable)
        if not covered:
            raise InputError(f"the policy's checkpoint set covers {', '.join(playable)}: no task of suite {suite}")
        return covered
    for name in requested:
        if name not in tasks:
            raise InputError(unknown_name_message("task", name, tasks))
    if len(set(requested)) != len(requested):
        raise InputError(f"--tasks names a task twice: {','.join(requested)}")
    missing = [name for name in requested if playable is not None and name not in playable]
    if missing:
        raise InputError(f"--tasks {','.join(missing)}: the policy's checkpoint set has no checkpoint for "
                         f"{'it' if len(missing) == 1 else 'them'}; it covers: {', '.join(playable)}")
    return tuple(requested)


def resolve_embodiment(requested: str | None, policy_needs: str | None) -> tuple[str, str]:
    """The run's embodiment and why: the one asked for, else the policy's (a checkpoint's), else the default.
    A policy trained for another robot than the one asked for is bad input."""
    if requested is not None:
        EMBODIMENTS.get(requested)  # an unknown name: one line with "did you mean"
        if policy_needs is not None and policy_needs != requested:
            raise InputError(f"the policy was trained on {policy_needs}, not --embodiment {requested} "
                             f"(actions {EMBODIMENTS.get(policy_needs).action_dim} vs "
                             f"{EMBODIMENTS.get(requested).action_dim} wide); drop --embodiment or use {policy_needs}")
        return requested, "asked for"
    if policy_needs is not None:
        EMBODIMENTS.get(policy_needs)
        return policy_needs, "the policy was trained on it"
    return DEFAULT_EMBODIMENT, "the default"


def resolve_settings(setting: str) -> tuple[str, ...]:
    if setting == "all":
        return SETTINGS
    if setting not in SETTINGS:
        raise InputError(unknown_name_message("setting", setting, [*SETTINGS, "all"]))
    return (setting,)


def check_instructions(split: str) -> str:
    if split not in SPLITS:
        raise InputError(unknown_name_message("instruction split", split, list(SPLITS)))
    return split


def check_episodes(episodes: int) -> int:
    if not 1 <= episodes <= MAX_EPISODES:
        raise InputError(f"--episodes must be between 1 and {MAX_EPISODES} per task and setting, got {episodes}")
    return episodes


def check_query_timeout(seconds: float) -> float:
    if not (seconds >= 0 and math.isfinite(seconds)):
        raise InputError(f"--query-timeout must be a number of seconds >= 0 (0: no limit), got {seconds}")
    return seconds
