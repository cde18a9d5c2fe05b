"""The comparison table as data: one row per policy label, columns per (task, setting), the
RoboTwin 2.0 setting averages and latency; each entry knows whether it is its column's best and
whether it is significantly below the best row (exact McNemar test on the seeds both ran).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from gwbench.cells import cells, median_latency
from gwbench.report.data import SETTING_TITLES, ordered_columns
from gwbench.report.stats import SIGNIFICANCE, mcnemar_exact, wilson_interval


@dataclass(frozen=True)
class Column:
    title: str
    setting: str
    task: str | None  # None: the average over the setting's tasks


@dataclass(frozen=True)
class Entry:
    rate: float
    successes: int
    episodes: int
    interval: tuple[float, float] | None  # Wilson, for single-task cells
    tasks: int = 1  # tasks averaged
    best: bool = False
    p_vs_best: float | None = None  # McNemar against the column's best row, where they share seeds

    @property
    def below_best(self) -> bool:
        return self.p_vs_best is not None and self.p_vs_best < SIGNIFICANCE and not self.best


@dataclass(frozen=True)
class PairedResult:
    first: str
    second: str
    task: str | None  # None: pooled
    setting: str | None
    pairs: int
    both: int
    only_first: int
    only_second: int
    p_value: float


@dataclass(frozen=True)
class Table:
    labels: list[str]
    columns: list[Column]
    entries: dict[tuple[str, Column], Entry]
    latency_ms: dict[str, float | None]
    tasks_per_setting: dict[str, int]
    paired: list[PairedResult]


def outcomes_by_label(episodes: list[dict]) -> dict[str, dict[tuple[str, str, int], int]]:
    """label -> {(task, setting, seed): success}, the pairing key of paired comparisons."""
    outcomes: dict[str, dict] = {}
    for e in episodes:
        outcomes.setdefault(e["label"], {})[(e["task"], e["setting"], e["seed"])] = int(e["success"])
    return outcomes


def paired_counts(first: dict, second: dict, keep=lambda key: True) -> tuple[int, int, int, int]:
    """(pairs, both succeeded, only first, only second) over the keys both ran."""
    shared = [key for key in first.keys() & second.keys() if keep(key)]
    both = sum(first[k] and second[k] for k in shared)
    only_first = sum(first[k] and not second[k] for k in shared)
    only_second = sum(second[k] and not first[k] for k in shared)
    return len(shared), both, only_first, only_second


def _column_filter(column: Column):
    return lambda key: key[1] == column.setting and (column.task is None or key[0] == column.task)


def build_table(episodes: list[dict]) -> Table:
    by_key = cells(episodes)
    labels = list(dict.fromkeys(label for label, _, _ in by_key))
    task_columns = ordered_columns(by_key)
    settings = list(dict.fromkeys(setting for _, setting in task_columns))
    columns = [Column(f"{task} {setting}", setting, task) for task, setting in task_columns]
    columns += [Column(SETTING_TITLES.get(setting, setting), setting, None) for setting in settings]
    tasks_per_setting = {s: sum(1 for _, setting in task_columns if setting == s) for s in settings}

    raw: dict[tuple[str, Column], Entry] = {}
    for label in labels:
        for column in columns:
            if column.task is not None:
                cell = by_key.get((label, column.task, column.setting))
                if cell:
                    raw[label, column] = Entry(cell.rate, cell.successes, cell.episodes,
                                               wilson_interval(cell.successes, cell.episodes))
                continue
            own = [c for (lab, _, setting), c in by_key.items() if lab == label and setting == column.setting]
            if own:  # mean of per-task rates: every task weighs the same, as in RoboTwin 2.0's averages
                raw[label, column] = Entry(sum(c.rate for c in own) / len(own), sum(c.successes for c in own),
                                           sum(c.episodes for c in own), None, tasks=len(own))

    outcomes = outcomes_by_label(episodes)
    entries = {}
    for column in columns:
        present = [label for label in labels if (label, column) in raw]
        top = max(raw[label, column].rate for label in present)
        leader = next(label for label in present if raw[label, column].rate == top)
        for label in present:
            entry = raw[label, column]
            best = entry.rate == top
            p_value = None
            if not best:
                pairs, _, only_leader, only_this = paired_counts(outcomes[leader], outcomes[label], _column_filter(column))
                p_value = mcnemar_exact(only_leader, only_this) if pairs else None
            entries[label, column] = Entry(entry.rate, entry.successes, entry.episodes, entry.interval,
                                           entry.tasks, best, p_value)

    latency = {label: median_latency([e for e in episodes if e["label"] == label]) for label in labels}
    return Table(labels, columns, entries, latency, tasks_per_setting, paired_results(outcomes, task_columns))


def paired_results(outcomes: dict, task_columns: list[tuple[str, str]]) -> list[PairedResult]:
    """Per task and setting, and pooled, for every two labels that share seeds."""
    results = []
    for first, second in combinations(outcomes, 2):
        scopes = [(task, setting) for task, setting in task_columns] + [(None, None)]
        for task, setting in scopes:
            def keep(key, task=task, setting=setting):
                return task is None or (key[0], key[1]) == (task, setting)

            pairs, both, only_first, only_second = paired_counts(outcomes[first], outcomes[second], keep)
            if pairs:
                results.append(PairedResult(first, second, task, setting, pairs, both, only_first, only_second,
                                            mcnemar_exact(only_first, only_second)))
    return results
