"""`gwbench bench workers`: episodes per hour with 1 worker and with N, measured in one run.

Both measurements evaluate the same plan (policy, tasks, seeds from the seed pools) into
throw-away stores, end to end as `gwbench run` does it: worker start-up, env building,
rendering, inference and store writes all count. The ratio is the speed-up N workers buy on
this machine; the per-seed outcomes of the two runs are compared too, as a determinism check.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from core.errors import InputError
from core.paths import default_seed_dir
from gwbench.cli.parser import parse_name_list
from gwbench.fingerprint import cpu_model
from gwbench.store import Store
from gwbench.summary import format_table

DEFAULT_TASKS = "click_bell,stack_blocks_two"
DEFAULT_POLICY = "pi05"


def _timed_run(policy: str, task_names: tuple[str, ...], episodes: int, workers: int, folder: Path) -> tuple[float, dict]:
    from gwbench.plan import RunPlan
    from gwbench.runner import execute, start_run
    from policies import make_policy

    store = Store(folder / f"workers{workers}.sqlite")
    plan = RunPlan(policy=policy, tasks=task_names, episodes=episodes, seed_dir=str(default_seed_dir().resolve()),
                   camera=(80, 64))
    run_id = start_run(store, plan, make_policy(policy))
    start = time.perf_counter()
    execute(store, run_id, show_progress=False, workers=workers)
    elapsed = time.perf_counter() - start
    outcomes = {(e["task"], e["seed"]): (e["success"], e["steps"]) for e in store.episodes([run_id])}
    return elapsed, outcomes


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
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        results = {w: _timed_run(policies[0], task_names, episodes, w, Path(folder)) for w in (1, most)}
    total = episodes * len(task_names)
    for workers, (elapsed, _) in results.items():
        rows.append({"workers": workers, "episodes": total, "wall_s": elapsed, "episodes_per_hour": total * 3600 / elapsed})
    print(f"machine: {cpu_model()}; policy {policies[0]}; tasks {','.join(task_names)}; {episodes} episodes each")
    print(format_table(rows, [("workers", "workers"), ("episodes", "episodes"), ("wall_s", "wall s"),
                              ("episodes_per_hour", "episodes/hour")]))
    same = results[1][1] == results[most][1]
    print(f"speed-up with {most} workers: {rows[1]['episodes_per_hour'] / rows[0]['episodes_per_hour']:.2f}x; "
          f"per-seed outcomes identical: {'yes' if same else 'NO'}")
    return 0 if same else 1
