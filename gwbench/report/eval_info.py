"""`gwbench export --format eval_info`: LeRobot-style eval_info.json, so dashboards that read
LeRobot evaluations read gwbench's.

LeRobot's multi-task file holds `per_task` (a list of {task_group, task_id, metrics}),
`per_group` (metrics by task group) and `overall`, with `pc_success` (percent) and `n_episodes`.
gwbench maps a RoboTwin setting to a task group and a task name to a task id, adds `task` and
`setting` spelled out, and per entry the episodes' successes and seeds, the 95% Wilson interval
and the median ms per query. Group and overall `pc_success` pool episodes, as LeRobot does; with
equal episodes per task that equals the mean over tasks. One file describes one policy's results.
"""

from __future__ import annotations

from core.errors import InputError
from gwbench.cells import Cell, cells, median_latency
from gwbench.report.data import ordered_columns
from gwbench.report.stats import wilson_interval


def _metrics(successes: int, episodes: int, latency_ms: float | None) -> dict:
    low, high = wilson_interval(successes, episodes)
    return {
        "pc_success": 100 * successes / episodes,
        "n_episodes": episodes,
        "n_successes": successes,
        "pc_success_ci95": [100 * low, 100 * high],
        "infer_ms_median": latency_ms,
    }


def _pooled(group: list[Cell], episodes: list[dict]) -> dict:
    """The cells' episodes as one: counts add up; the latency is the median over all the episodes."""
    return _metrics(sum(c.successes for c in group), sum(c.episodes for c in group), median_latency(episodes))


def eval_info(episodes: list[dict]) -> dict:
    labels = sorted({e["label"] for e in episodes})
    if len(labels) != 1:
        raise InputError(f"eval_info holds one policy's results; the selection has {', '.join(labels)}: "
                         f"choose one with --policies or --runs")
    measured = cells(episodes)
    per_task = []
    for task, setting in ordered_columns(measured):
        cell = measured[labels[0], task, setting]
        group = sorted((e for e in episodes if (e["task"], e["setting"]) == (task, setting)), key=lambda e: e["seed"])
        metrics = (_metrics(cell.successes, cell.episodes, cell.latency_ms)
                   | {"successes": [bool(e["success"]) for e in group], "seeds": [e["seed"] for e in group]})
        per_task.append({"task_group": setting, "task_id": task, "task": task, "setting": setting, "metrics": metrics})
    per_group = {setting: _pooled([c for c in measured.values() if c.setting == setting],
                                  [e for e in episodes if e["setting"] == setting])
                 for setting in dict.fromkeys(entry["setting"] for entry in per_task)}
    return {
        "policy": labels[0],
        "runs": sorted({e["run_id"] for e in episodes}),
        "per_task": per_task,
        "per_group": per_group,
        "overall": _pooled(list(measured.values()), episodes),
    }
