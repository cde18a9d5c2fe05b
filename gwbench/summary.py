"""Per-task summary of a run, and plain-text tables for the terminal."""

from __future__ import annotations

from gwbench.cells import cells
from gwbench.store import Store


def run_summary(store: Store, run_id: str) -> list[dict]:
    """One row per (task, setting), in the run's own task order: its Cell's figures and the expert check."""
    run = store.run(run_id)
    checks = {(c["task"], c["setting"]): c for c in store.seed_checks(run_id)}
    stored = cells(store.episodes([run_id]), label=run["policy"])  # one run: one row label
    by_column = {(cell.task, cell.setting): cell for cell in stored.values()}
    planned = [(task, setting) for task in run["config"]["tasks"] for setting in run["config"]["settings"]]
    rows = []
    for task, setting in dict.fromkeys([*planned, *by_column]):  # planned order, then any stored beyond the plan
        cell = by_column.get((task, setting))
        if cell is None:
            continue
        check = checks.get((task, setting), {})
        tried = check.get("tried", 0)
        rows.append(
            {
                "task": task,
                "setting": setting,
                "episodes": cell.episodes,
                "successes": cell.successes,
                "success_rate": cell.rate,
                "infer_ms_median": cell.latency_ms,
                "errors": cell.errors,
                "unstable": cell.skipped,  # broken physics: in neither rate
                "seeds_tried": tried,
                "expert_solved": check.get("solved", 0) / tried if tried else None,
                "seeds_skipped": check.get("skipped", 0),
            }
        )
    return rows


def format_table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    """Columns are (key, header); floats print with 3 decimals, None as '-'."""

    def cell(value) -> str:
        if value is None:
            return "-"
        if isinstance(value, float):
            return f"{value:.3f}"
        return str(value)

    table = [[header for _, header in columns]] + [[cell(row.get(key)) for key, _ in columns] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    lines = ["  ".join(text.ljust(width) for text, width in zip(line, widths)).rstrip() for line in table]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


SUMMARY_COLUMNS = [
    ("task", "task"),
    ("setting", "setting"),
    ("episodes", "episodes"),
    ("successes", "successes"),
    ("success_rate", "success rate"),
    ("infer_ms_median", "median infer ms"),
    ("errors", "errors"),
    ("unstable", "unstable"),
    ("seeds_tried", "seeds tried"),
    ("expert_solved", "expert solved"),
    ("seeds_skipped", "skipped"),
]
