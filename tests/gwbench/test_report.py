"""`gwbench report` and `export --format eval_info` on synthetic stores: statistics, tables, plots."""

import csv
import json

import pytest

from gwbench.report.data import row_labels
from gwbench.report.stats import fisher_lower, mcnemar_exact, wilson_interval
from gwbench.store import Store
from tests.gwbench.synthetic_store import add_run, run_cli, successes

TASKS = [("stack_blocks_two", "clean"), ("stack_blocks_two", "randomized"), ("handover_block", "clean")]


def outcomes(*counts, n=20):
    return {key: successes(k, n) for key, k in zip(TASKS, counts)}


@pytest.fixture()
def store_path(tmp_path):
    """expert beats gigaworld clearly on handover_block, not on stack_blocks_two clean; same seeds."""
    path = tmp_path / "r.sqlite"
    store = Store(path)
    add_run(store, "expert", outcomes(20, 19, 20), latency_ms=8.0)
    add_run(store, "gigaworld", outcomes(17, 16, 6), latency_ms=17.0)
    add_run(store, "random", outcomes(0, 0, 0), latency_ms=0.05)
    store.close()
    return path


def test_statistics_match_known_values():
    low, high = wilson_interval(18, 20)
    assert (round(low, 3), round(high, 3)) == (0.699, 0.972)
    assert wilson_interval(0, 20)[0] == 0.0
    assert mcnemar_exact(5, 0) == pytest.approx(0.0625)  # 2 * 0.5**5
    assert mcnemar_exact(0, 0) == 1.0
    assert fisher_lower(5, 20, 18, 20) == pytest.approx(3.43e-05, rel=1e-3)
    assert fisher_lower(16, 20, 18, 20) == pytest.approx(0.3307, rel=1e-3)


def test_report_writes_tables_plots_and_paired_tests(capsys, store_path, tmp_path):
    out_dir = tmp_path / "report"
    code, _, _ = run_cli(capsys, "report", "--store", str(store_path), "--out", str(out_dir))
    assert code == 0
    names = {"table.md", "table.tex", "table.csv", "paired.md", "success_by_task.png", "success_by_task.svg",
             "success_vs_latency.png", "success_vs_latency.svg", "index.html"}
    assert {p.name for p in out_dir.iterdir()} == names
    assert all((out_dir / name).stat().st_size > 500 for name in names)

    markdown = (out_dir / "table.md").read_text()
    measured, reported = markdown.split("## Reported")
    expert_row = next(line for line in measured.splitlines() if line.startswith("| expert |"))
    assert "**100.0** [83.9, 100.0] n=20" in expert_row and "**95.0** [76.4, 99.1] n=20" in expert_row
    giga_row = next(line for line in measured.splitlines() if line.startswith("| gigaworld |"))
    assert "30.0† [14.5, 51.9] n=20" in giga_row  # handover_block: 14 discordant pairs, all for expert
    assert "85.0 [64.0, 94.8] n=20" in giga_row  # stack_blocks_two clean: 3 discordant pairs, not significant
    # Clean (Easy) is the mean of per-task success: (17 + 6) / 40 tasks-weighted = 57.5
    assert "57.5† n=40" in giga_row
    assert "| **0.05** |" in next(line for line in measured.splitlines() if line.startswith("| random |"))
    assert "| Motus | reported | 89.0 | 87.0 | 3231 | NVIDIA A100 |" in reported
    assert "expert" not in reported and "Motus" not in measured

    latex = (out_dir / "table.tex").read_text()
    assert r"\toprule" in latex and r"\bottomrule" in latex and r"\textbf{100.0}" in latex
    assert r"handover\_block clean" in latex and r"30.0$^\dagger$" in latex

    with open(out_dir / "table.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["source"] for r in rows} == {"measured"}
    average = next(r for r in rows if r["policy"] == "gigaworld" and r["task"] == "average" and r["setting"] == "clean")
    assert (average["success_pct"], average["tasks"], average["below_best"]) == ("57.5", "2", "1")

    paired = (out_dir / "paired.md").read_text()
    assert "## expert vs gigaworld" in paired
    assert "| handover_block | clean | 20 | 6 | 14 | 0 | 0.0001221 | yes |" in paired
    assert "| stack_blocks_two | clean | 20 | 17 | 3 | 0 | 0.25 | no |" in paired


def test_no_significance_mark_without_shared_seeds_and_reruns_count_once(capsys, tmp_path):
    path = tmp_path / "r.sqlite"
    store = Store(path)
    add_run(store, "expert", outcomes(20, 20, 20))
    add_run(store, "expert", outcomes(20, 20, 20))  # the same seeds again: must not double n
    add_run(store, "random", outcomes(0, 0, 0), first_seed=200000)  # other seeds: nothing to pair
    store.close()
    code, _, _ = run_cli(capsys, "report", "--store", str(path), "--out", str(tmp_path / "out"), "--no-reference")
    assert code == 0
    markdown = (tmp_path / "out" / "table.md").read_text()
    assert "†" not in markdown.split("|", 1)[1] and "## Reported" not in markdown
    expert_row = next(line for line in markdown.splitlines() if line.startswith("| expert |"))
    assert [cell.split(" n=")[1] for cell in expert_row.split(" | ")[1:4]] == ["20", "20", "20"]
    assert "No two policies share seeds" in (tmp_path / "out" / "paired.md").read_text()


def test_single_task_checkpoints_share_a_row_unless_two_played_one_task():
    def run(run_id, tasks, sha, robot="aloha-agilex"):
        return {"run_id": run_id, "policy": "pi05", "config": {"tasks": tasks, "policy_args": {"checkpoint": sha},
                                                               "embodiment": robot},
                "policy_identity": {"checkpoint_sha256": sha * 8}}

    protocol = [run("a", ["click_bell"], "a"), run("b", ["press_stapler"], "b")]  # a set, played cell by cell
    assert set(row_labels(protocol).values()) == {"pi05"}
    rivals = [*protocol, run("c", ["click_bell"], "c")]  # two checkpoints on click_bell: every run says which
    assert row_labels(rivals) == {"a": "pi05 @aaaaaaaa", "b": "pi05 @bbbbbbbb", "c": "pi05 @cccccccc"}
    assert row_labels([run("a", ["click_bell"], "a"), run("f", ["click_bell"], "a", "franka-panda")]) == {
        "a": "pi05 [aloha-agilex]", "f": "pi05 [franka-panda]"}


def test_report_selects_policies(capsys, store_path, tmp_path):
    code, _, _ = run_cli(capsys, "report", "--store", str(store_path), "--policies", "expert,random",
                         "--out", str(tmp_path / "out"))
    assert code == 0
    assert "gigaworld" not in (tmp_path / "out" / "table.md").read_text()


def test_eval_info_export(capsys, store_path, tmp_path):
    out_file = tmp_path / "eval_info.json"
    code, _, _ = run_cli(capsys, "export", "--format", "eval_info", "--store", str(store_path),
                         "--policies", "gigaworld", "--out", str(out_file))
    assert code == 0
    info = json.loads(out_file.read_text())
    assert info["policy"] == "gigaworld"
    first = info["per_task"][0]
    assert (first["task_group"], first["task_id"], first["setting"]) == ("clean", "handover_block", "clean")
    assert first["metrics"]["pc_success"] == 30.0 and first["metrics"]["n_episodes"] == 20
    assert len(first["metrics"]["successes"]) == 20 and first["metrics"]["seeds"][0] == 100000
    assert info["per_group"]["clean"]["n_episodes"] == 40
    overall = info["overall"]
    assert (overall["pc_success"], overall["n_episodes"], overall["infer_ms_median"]) == (65.0, 60, 17.0)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["export", "--format", "xml"], "unknown format 'xml'; known: csv, eval_info"),
        (["export", "--format", "eval_info"], "eval_info holds one policy's results; the selection has expert, "),
        (["report", "--policies", "expret", "--out", "OUT"], "unknown policy 'expret' in the selected runs; known: "),
        (["report", "--runs", "nope", "--out", "OUT"], "unknown run 'nope'"),
        (["report", "--policies", "expert,", "--out", "OUT"], "--policies expects comma-separated names without gaps"),
        (["report", "--out", "FILE"], "is a file; it must be a folder"),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys, store_path, tmp_path, argv, message):
    (tmp_path / "FILE").write_text("x")
    argv = [str(tmp_path / a) if a in ("OUT", "FILE") else a for a in argv]
    code, _, err = run_cli(capsys, *argv, "--store", str(store_path))
    assert code == 2 and err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "OUT").exists()


def test_missing_store_is_bad_input(capsys, tmp_path):
    code, _, err = run_cli(capsys, "report", "--store", str(tmp_path / "none.sqlite"), "--out", str(tmp_path / "o"))
    assert code == 2 and "does not exist" in err


def test_the_readme_shows_the_committed_report_table():
    """The README's full table is docs/report/table.md (headings aside), so neither goes stale alone."""
    from core.paths import REPO_ROOT

    table = (REPO_ROOT / "docs/report/table.md").read_text(encoding="utf-8")
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- report-table:start -->\n", 1)[1].split("\n<!-- report-table:end -->", 1)[0]
    assert block == "\n".join(line for line in table.splitlines() if not line.startswith("#")).strip()
