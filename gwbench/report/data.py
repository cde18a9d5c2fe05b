"""What reports, exports and the gate select from a store: the counted episodes of the chosen runs,
each labelled with its row (gwbench.cells aggregates them into cells), and the report's column order.

A row label is the policy name plus its non-default options (`gigaworld video=true`), a short
checkpoint hash where one policy name ran several checkpoints on the same task, and the robot in brackets
(`pi05 [aloha-agilex]`) where the selected runs were played on more than one, so different variants
are never pooled into one row. Each episode also carries its run's embodiment, calibration
reference ms and FLOPs per query (gwbench.calibration). A seed run twice by the same variant counts
once (the latest run's episode), so a re-run never inflates n. Skipped episodes (scenes that could not be set up) are
not the policy's failures and are left out.
"""

from __future__ import annotations

from core.errors import InputError
from gwbench.calibration import reference_ms
from gwbench.records import run_embodiment
from gwbench.store import Store

SETTING_ORDER = ("clean", "randomized")
SETTING_TITLES = {"clean": "Clean (Easy)", "randomized": "Randomized (Hard)"}


def _variant(run: dict) -> str:
    options = {k: v for k, v in run["config"].get("policy_args", {}).items() if k != "checkpoint"}
    words = [f"{k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in sorted(options.items())]
    return " ".join([run["policy"], *words])


def row_labels(runs: list[dict]) -> dict[str, str]:
    """Run id -> row label. A variant's runs share one row unless two of its checkpoints played the same task:
    single-task checkpoints each evaluated on its own task (the reference protocol's cells) are one row, as
    the checkpoint set holding them would be."""
    variants = {run["run_id"]: _variant(run) for run in runs}
    checkpoints: dict[tuple[str, str], set[str]] = {}  # (variant, task) -> checkpoint hashes
    for run in runs:
        for task in run["config"].get("tasks", ()):
            checkpoints.setdefault((variants[run["run_id"]], task), set()).add(
                run["policy_identity"].get("checkpoint_sha256", ""))
    mixed = {variant for (variant, _), hashes in checkpoints.items() if len(hashes) > 1}
    several_robots = len({run_embodiment(run["config"]) for run in runs}) > 1
    labels = {}
    for run in runs:
        label = variants[run["run_id"]]
        if label in mixed:
            label += f" @{run['policy_identity'].get('checkpoint_sha256', '')[:8] or 'none'}"
        if several_robots:
            label += f" [{run_embodiment(run['config'])}]"
        labels[run["run_id"]] = label
    return labels


def select_runs(store: Store, run_ids: list[str] | None) -> list[dict]:
    """The given runs (an unknown one is bad input), else every run; a store without runs is bad input."""
    runs = [store.run(run_id) for run_id in run_ids] if run_ids else store.runs()
    if not runs:
        raise InputError(f"store {store.path} holds no runs; make some with `gwbench run`")
    return runs


def load_episodes(store: Store, run_ids: list[str] | None = None, policies: list[str] | None = None) -> list[dict]:
    """Counted episodes of the selected runs, each with its row label under "label"."""
    runs = select_runs(store, run_ids)
    labels = row_labels(runs)
    if policies:
        known = sorted({run["policy"] for run in runs} | set(labels.values()))
        for name in policies:
            if name not in known:
                raise InputError(f"unknown policy '{name}' in the selected runs; known: {', '.join(known)}")
        labels = {run_id: label for run_id, label in labels.items()
                  if label in policies or label.split(" ")[0] in policies}
    embodiments = {run["run_id"]: run_embodiment(run["config"]) for run in runs}
    references = {run["run_id"]: reference_ms(run.get("calibration")) for run in runs}
    flops = {run["run_id"]: (run.get("calibration") or {}).get("flops_per_query") for run in runs}
    latest: dict[tuple, dict] = {}
    for episode in store.episodes(list(labels)):  # oldest run first: a later run's episode replaces
        if episode["skipped"]:
            continue
        episode["label"] = labels[episode["run_id"]]
        episode["embodiment"] = embodiments[episode["run_id"]]
        episode["calibration_ms"] = references[episode["run_id"]]
        episode["flops_per_query"] = flops[episode["run_id"]]
        latest[(episode["label"], episode["task"], episode["setting"], episode["seed"])] = episode
    if not latest:
        raise InputError(f"the selected runs of {store.path} hold no counted episodes")
    return list(latest.values())


def ordered_columns(cells: dict) -> list[tuple[str, str]]:
    """The (task, setting) columns of cells keyed (label, task, setting): tasks alphabetical, clean first."""
    tasks = sorted({task for _, task, _ in cells})
    present = {(task, setting) for _, task, setting in cells}
    settings = [s for s in SETTING_ORDER if any(s == setting for _, setting in present)]
    settings += sorted({setting for _, setting in present} - set(settings))
    return [(task, setting) for task in tasks for setting in settings if (task, setting) in present]
