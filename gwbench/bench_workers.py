"""`gwbench bench workers`: episodes per hour with 1 worker and with N, measured in one run.

Both measurements evaluate the same plan (policy, tasks, seeds from the seed pools) into
throw-away stores, end to end as `gwbench run` does it: worker start-up, env building,
rendering, inference and store writes all count. The ratio is the speed-up N workers buy on
this machine; the per-seed outcomes of the two runs are compared too, as a determinism check.

Start-up is shown apart: the seconds until the first episode began (worker processes importing
the simulator, env building, seed checks, calibration). One worker runs in this process, which
has the simulator loaded already; N workers are fresh processes that load it each, so on a short
benchmark start-up alone can hide the scaling. "after start-up" divides the episodes by the time
from the first episode's start to the end. The machine's load average is printed with the table:
on a shared machine the comparison is only as good as the load was steady. CPU seconds per episode
(this process and its workers, start-up included) measure the work itself, whatever share of the
cores it got: where N workers need no more CPU per episode than one, they scale with free cores.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path

from core.errors import InputError
from core.paths import default_seed_dir
from gwbench.cli.parser import parse_name_list
from gwbench.fingerprint import cpu_model
from gwbench.store import Store
from gwbench.summary import format_table

DEFAULT_TASKS = "click_bell,press_stapler"  # both in the default checkpoint set (results/checkpoints/protocol)
DEFAULT_POLICY = "pi05"


def _timed_run(policy: str, task_names: tuple[str, ...], episodes: int, workers: int, folder: Path) -> dict:
    from gwbench.plan import RunPlan, resolve_embodiment
    from gwbench.runner import execute, start_run
    from policies import make_policy

    store = Store(folder / f"workers{workers}.sqlite")
    instance = make_policy(policy)
    needs = instance.requirements  # a checkpoint's robot and camera, as `gwbench run` would pick them
    plan = RunPlan(policy=policy, tasks=task_names, episodes=episodes, seed_dir=str(default_seed_dir().resolve()),
                   embodiment=resolve_embodiment(None, needs.embodiment)[0], camera=needs.camera or (80, 64))
    run_id = start_run(store, plan, instance)
    started_at, start, cpu_start = time.time(), time.perf_counter(), _cpu_seconds()
    execute(store, run_id, show_progress=False, workers=workers)  # worker processes are joined when it returns
    elapsed, cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
    stored = store.episodes([run_id])
    first_started = min(e["finished_at"] - e["wall_s"] for e in stored)  # wall clock, as the store keeps it
    startup = first_started - started_at
    return {"workers": workers, "episodes": len(stored), "wall_s": elapsed, "startup_s": startup,
            "episodes_per_hour": len(stored) * 3600 / elapsed,
            "after_startup_per_hour": len(stored) * 3600 / (elapsed - startup),
            "cpu_s_per_episode": cpu / len(stored),
            "outcomes": {(e["task"], e["seed"]): (e["success"], e["steps"]) for e in stored}}


def _cpu_seconds() -> float:
    """CPU seconds used by this process and its finished (joined) children: the work done, whatever
    share of the machine it got."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(args) -> int:
    from gwbench.executors import default_workers
    from gwbench.plan import resolve_tasks

    task_names = resolve_tasks("robotwin2", parse_name_list(args.tasks or DEFAULT_TASKS))
    policies = parse_name_list(args.policies, "--policies") or [DEFAULT_POLICY]
    if len(policies) != 1:
        raise InputError(f"bench workers measures one policy, got --policies {args.policies}")
    episodes = 4 if args.repeats is None else args.repeats
    if episodes < 1:
        raise InputError(f"--repeats must be >= 1, got {episodes}")
    most = max(2, default_workers())
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        one, many = (_timed_run(policies[0], task_names, episodes, w, Path(folder)) for w in (1, most))
    print(f"machine: {cpu_model()}; policy {policies[0]}; tasks {','.join(task_names)}; {episodes} episodes each; "
          f"load average (1, 5, 15 min) before {_load(load_before)}, after {_load(os.getloadavg())}")
    print(format_table([one, many], [("workers", "workers"), ("episodes", "episodes"), ("wall_s", "wall s"),
                                     ("startup_s", "start-up s"), ("episodes_per_hour", "episodes/hour"),
                                     ("after_startup_per_hour", "episodes/hour after start-up"),
                                     ("cpu_s_per_episode", "CPU s per episode")]))
    same = one["outcomes"] == many["outcomes"]
    print(f"speed-up with {most} workers: {many['episodes_per_hour'] / one['episodes_per_hour']:.2f}x end to end, "
          f"{many['after_startup_per_hour'] / one['after_startup_per_hour']:.2f}x after start-up; "
          f"per-seed outcomes identical: {'yes' if same else 'NO'}")
    return 0 if same else 1


def _load(averages: tuple[float, float, float]) -> str:
    return ", ".join(f"{value:.1f}" for value in averages)
