"""`index.html`: the whole report as one self-contained page.

The page holds the measured table, the reported rows in their own section, the paired tests, the
figures (PNG data URIs), episode videos where runs recorded them (MP4 data URIs, bounded in number
and size) and what produced every run. Nothing is loaded from anywhere else, so the file can be
mailed, attached to CI or opened offline. Every text that comes from data (task names, policy
labels, instructions, paths) is escaped.
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from gwbench.report.html_runs import run_sections
from gwbench.report.html_videos import MEGABYTE, Clip, ClipSelection, recorded_clips, select_clips
from gwbench.report.options import ReportOptions
from gwbench.report.reference import ReportedRow
from gwbench.report.render import BELOW_BEST_MARK, LEGEND
from gwbench.report.stats import SIGNIFICANCE
from gwbench.report.table import Column, Entry, Table
from gwbench.store import Store

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 1500px; padding: 0 1em; color: #222; }
h2 { border-bottom: 2px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
nav a { margin-right: 1em; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: .6em 0; }
th, td { border: 1px solid #ddd; padding: .25em .5em; vertical-align: top; }
th { background: #f3f3f3; }
table.results td { text-align: right; white-space: nowrap; }
table.results td.policy, table.results th.policy { text-align: left; position: sticky; left: 0; background: #fff; }
table.results td.best { background: #e8f5e9; }
.ci, .n, .note { color: #666; font-size: 90%; }
.ci, .n { display: block; }
section.reported { background: #f7f4ee; border: 1px dashed #a99; padding: .2em 1em 1em; margin-top: 2em; }
section.reported table td { background: #fff; }
tr.significant td { background: #fff3e0; }
details { margin: .2em 0; }
summary { cursor: pointer; }
figure { display: inline-block; margin: .5em 1em .5em 0; vertical-align: top; }
figure img { max-width: 100%; border: 1px solid #eee; }
video { width: 320px; display: block; background: #000; }
figcaption.success { color: #1b5e20; } figcaption.fail { color: #b71c1c; }
table.fields th { text-align: left; width: 14em; }
td.path { font-family: monospace; font-size: 85%; word-break: break-all; }
article.run { border-top: 1px solid #ccc; margin-top: 1.5em; }
"""


def _percent(rate: float) -> str:
    return f"{100 * rate:.1f}"


def _entry_cell(entry: Entry | None, tasks_in_setting: int) -> str:
    if entry is None:
        return "<td>-</td>"
    value = f"<b>{_percent(entry.rate)}</b>" if entry.best else _percent(entry.rate)
    if entry.below_best:
        value += BELOW_BEST_MARK
    if entry.interval:
        value += f'<span class="ci">[{_percent(entry.interval[0])}, {_percent(entry.interval[1])}]</span>'
    partial = entry.interval is None and entry.tasks < tasks_in_setting
    scope = f" ({entry.tasks} of {tasks_in_setting} tasks)" if partial else ""
    value += f'<span class="n">n={entry.episodes}{scope}</span>'
    title = f' title="McNemar p = {entry.p_vs_best:.4g} against the best row"' if entry.p_vs_best is not None else ""
    best = ' class="best"' if entry.best else ""
    return f"<td{best}{title}>{value}</td>"


def _latency_cell(table: Table, label: str) -> str:
    latency = table.latency_ms[label]
    if latency is None:
        return "<td>-</td>"
    text = f"{latency:.1f}" if latency >= 1 else f"{latency:.2g}"
    fastest = min(v for v in table.latency_ms.values() if v is not None)
    return f"<td><b>{text}</b></td>" if latency == fastest else f"<td>{text}</td>"


def measured_table(table: Table) -> str:
    """Policies as rows; the setting averages and latency, then a task's settings grouped under its name."""
    task_columns = [c for c in table.columns if c.task is not None]
    averages = [c for c in table.columns if c.task is None]
    groups: dict[str, list[Column]] = {}
    for column in task_columns:
        groups.setdefault(column.task, []).append(column)
    # The headline numbers (setting averages, latency) first: a wide table's right end is off-screen.
    top = ['<th rowspan="2" class="policy">policy</th>']
    top += [f'<th rowspan="2">{escape(c.title)}</th>' for c in averages] + ['<th rowspan="2">ms per query</th>']
    top += [f'<th colspan="{len(columns)}">{escape(task)}</th>' for task, columns in groups.items()]
    settings = "".join(f"<th>{escape(c.setting)}</th>" for c in task_columns)
    rows = []
    for label in table.labels:
        entries = [_entry_cell(table.entries.get((label, c)), table.tasks_per_setting[c.setting])
                   for c in [*averages, *task_columns]]
        entries.insert(len(averages), _latency_cell(table, label))
        rows.append(f'<tr data-policy="{escape(label)}"><td class="policy">{escape(label)}</td>{"".join(entries)}</tr>')
    return (f'<div class="scroll"><table class="results" id="results-table"><thead><tr>{"".join(top)}</tr>'
            f'<tr>{settings}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def reported_section(reported: list[ReportedRow]) -> str:
    if not reported:
        return ""
    header = "".join(f"<th>{name}</th>" for name in ("policy", "source", "Clean (Easy)", "Randomized (Hard)",
                                                    "ms per query", "hardware", "citation"))
    rows = "".join(
        f'<tr data-policy="{escape(row.policy)}"><td>{escape(row.policy)}</td><td>reported</td>'
        f"<td>{_percent(row.clean)}</td><td>{_percent(row.randomized)}</td>"
        f"<td>{f'{row.latency_ms:g}' if row.latency_ms is not None else '-'}</td>"
        f"<td>{escape(row.hardware or '-')}</td><td>{escape(row.citation)}</td></tr>"
        for row in reported
    )
    return (
        '<section class="reported" id="reported"><h2>Reported (published numbers, not measured by gwbench)</h2>'
        "<p>Other hardware, other seeds and the real models: read beside the measured rows, never as one of them."
        f'</p><table id="reported-table"><tr>{header}</tr>{rows}</table></section>'
    )


def paired_section(table: Table) -> str:
    intro = ("<p>Where two policies ran the same (task, setting, seed) episodes: exact McNemar test (two-sided "
             "binomial test with p = 1/2 on the discordant pairs). Concordant pairs say nothing about the "
             f"difference. Significant (highlighted): p &lt; {SIGNIFICANCE:g}.</p>")
    if not table.paired:
        return intro + "<p>No two policies share seeds in the selected runs.</p>"
    blocks = []
    for first, second in dict.fromkeys((r.first, r.second) for r in table.paired):
        results = [r for r in table.paired if (r.first, r.second) == (first, second)]
        pooled = next(r for r in results if r.task is None)
        summary = (f"{first} vs {second}: pooled {pooled.pairs} pairs, only {first} {pooled.only_first}, "
                   f"only {second} {pooled.only_second}, p = {pooled.p_value:.4g}")
        header = "".join(f"<th>{escape(name)}</th>" for name in (
            "task", "setting", "pairs", "both succeed", f"only {first}", f"only {second}", "p"))
        highlight = ' class="significant"'
        rows = "".join(
            f"<tr{highlight if r.p_value < SIGNIFICANCE else ''}>"
            f"<td>{escape(r.task) if r.task else '<b>pooled</b>'}</td><td>{escape(r.setting or 'all')}</td>"
            f"<td>{r.pairs}</td><td>{r.both}</td><td>{r.only_first}</td><td>{r.only_second}</td>"
            f"<td>{r.p_value:.4g}</td></tr>"
            for r in results
        )
        blocks.append(f"<details><summary>{escape(summary)}</summary><table>{header}{rows}</table></details>")
    return intro + "".join(blocks)


def figures_section(figures: list[Path]) -> str:
    captions = {
        "success_by_task": "Success per task and setting, 95% Wilson intervals.",
        "success_vs_latency": "Average success against ms per query (log scale): measured points filled, "
                              "reported points hollow diamonds.",
    }
    parts = []
    for path in (p for p in figures if p.suffix == ".png"):
        png = path.read_bytes()
        width = int.from_bytes(png[16:20], "big") * 2 // 3  # IHDR width; saved at 150 dpi, shown at 100
        caption = captions.get(path.stem, path.stem)
        data = base64.b64encode(png).decode("ascii")
        parts.append(f'<figure><img src="data:image/png;base64,{data}" width="{width}" alt="{escape(caption)}">'
                     f"<figcaption>{escape(caption)}</figcaption></figure>")
    return "".join(parts)


def _clip_figure(clip: Clip) -> str:
    outcome = "success" if clip.success else "fail"
    return (f'<figure><video controls preload="metadata" src="{clip.data_uri()}" title="{escape(clip.instruction)}">'
            f'</video><figcaption class="{outcome}">{outcome}: episode {clip.episode_index}, seed {clip.seed}'
            f'<br><span class="note">{escape(clip.instruction)}</span></figcaption></figure>')


def videos_section(selection: ClipSelection, options: ReportOptions) -> str:
    recorded = len(selection.embedded) + len(selection.left_out)
    if not recorded:
        return ("<p>No videos of the selected episodes were found "
                "(<code>gwbench run --record-video DIR</code> records them).</p>")
    parts = []
    if selection.left_out:
        why = ("--no-videos" if not options.videos else
               f"at most {options.videos_per_cell} per run, task and setting and {options.max_video_mb:g} MB in all")
        folders = ", ".join(str(folder) for folder in selection.folders)
        parts.append(f'<p class="note" id="videos-left-out">{len(selection.left_out)} of {recorded} recorded videos '
                     f"are not embedded ({escape(why)}); all are on disk in {escape(folders)}</p>")
    cells: dict[tuple[str, str, str], list[Clip]] = {}
    for clip in selection.embedded:
        cells.setdefault((clip.label, clip.task, clip.setting), []).append(clip)
    label = None
    for (cell_label, task, setting), clips in cells.items():
        if cell_label != label:
            parts.append(f"<h3>{escape(cell_label)}</h3>")
            label = cell_label
        figures = "".join(_clip_figure(clip) for clip in clips)
        parts.append(f"<h4>{escape(task)} [{escape(setting)}]</h4><div>{figures}</div>")
    return "".join(parts)


def _section(anchor: str, title: str, content: str) -> str:
    return f'<section id="{anchor}"><h2>{title}</h2>{content}</section>'


def legend_html() -> str:
    return escape(LEGEND).replace("**Bold**", "<b>Bold</b>")


def index_html(store: Store, options: ReportOptions, episodes: list[dict], table: Table,
               reported: list[ReportedRow], figures: list[Path]) -> str:
    labels = {e["run_id"]: e["label"] for e in episodes}
    runs = sorted((store.run(run_id) for run_id in labels), key=lambda run: run["created_at"])
    clips = recorded_clips(runs, episodes)
    per_cell = options.videos_per_cell if options.videos else 0
    selection = select_clips(clips, per_cell, int(options.max_video_mb * MEGABYTE))
    measured = f'<p class="note">{legend_html()}</p>{measured_table(table)}'
    sections = [  # (anchor, navigation title, whole section: empty where there is nothing to show)
        ("results", "Measured", _section("results", "Measured", measured)),
        ("reported", "Reported", reported_section(reported)),
        ("paired", "Paired comparisons", _section("paired", "Paired comparisons", paired_section(table))),
        ("figures", "Figures", _section("figures", "Figures", figures_section(figures))),
        ("videos", "Videos", _section("videos", "Episode videos", videos_section(selection, options))),
        ("runs", "Runs", _section("runs", "Runs", "<p>What produced each row: one entry per run.</p>"
                                                  + run_sections(store, runs, labels))),
    ]
    nav = "".join(f'<a href="#{anchor}">{title}</a>' for anchor, title, content in sections if content)
    body = "\n".join(content for _, _, content in sections if content)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>gwbench results</title>'
            f"<style>{STYLE}</style></head><body><h1>gwbench results</h1><nav>{nav}</nav>\n{body}\n</body></html>\n")
