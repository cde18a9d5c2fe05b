"""`gwbench report`: a results store as paper-style tables, plots and paired comparisons.

Files written to the output folder: table.md (measured rows, then the reported reference rows in
their own section), table.tex (booktabs), table.csv (one row per entry), paired.md (exact McNemar
tests), success_by_task.png/.svg and success_vs_latency.png/.svg, and index.html: all of it as one
self-contained page, with episode videos where runs recorded them and what produced every run.
"""

from __future__ import annotations

from pathlib import Path

from gwbench.report.data import load_episodes
from gwbench.report.options import ReportOptions
from gwbench.report.reference import load_reference
from gwbench.report.render import csv_table, latex_table, markdown_table, paired_markdown
from gwbench.report.table import build_table
from gwbench.store import Store


__all__ = ["ReportOptions", "build_report"]


def build_report(store: Store, options: ReportOptions) -> list[Path]:
    """Write every report file; returns their paths. Input is checked before anything is written."""
    episodes = load_episodes(store, list(options.run_ids or []) or None, list(options.policies or []) or None)
    reported = load_reference(options.reference) if options.reference else []
    table = build_table(episodes)
    from gwbench.report.html import index_html
    from gwbench.report.plots import success_by_task, success_vs_latency  # matplotlib only when writing

    out = options.out_dir
    out.mkdir(parents=True, exist_ok=True)
    texts = {
        "table.md": markdown_table(table, reported),
        "table.tex": latex_table(table),
        "table.csv": csv_table(table),
        "paired.md": paired_markdown(table),
    }
    written = []
    for name, text in texts.items():
        (out / name).write_text(text, encoding="utf-8")
        written.append(out / name)
    written += success_by_task(table, out)
    written += success_vs_latency(table, reported, out)
    (out / "index.html").write_text(index_html(store, options, episodes, table, reported, written), encoding="utf-8")
    return written + [out / "index.html"]
