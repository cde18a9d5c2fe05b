"""The command line: bad input is one line, exit 2, nothing written; runs store, resume and export."""

import csv
import io
import re

import pytest

from core.paths import default_checkpoint_set
from gwbench.store import Store
from tests.gwbench.synthetic_store import run_cli

REQUIRED_COLUMNS = (
    "run_id,policy,suite,task,setting,seed,success,steps,n_queries,n_renders,"
    "infer_ms_median,infer_ms_p95,wall_s,error"
).split(",")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["run", "--policy", "expret"], "unknown policy 'expret' (did you mean 'expert'?); known: expert, faulty, gigaworld, motus, pi05, random; "
         "or an address: openpi://HOST:PORT, gwp-zmq://HOST:PORT, xpolicylab://HOST:PORT or robotwin:PATH"),
        (["run"], "--policy is required; known: expert, faulty, gigaworld, motus, pi05, random"),
        (["run", "--policy", "expert", "--tasks", "stack_block_two"], "did you mean 'stack_blocks_two'"),
        (["run", "--policy", "expert", "--tasks", "stack_blocks_two,,handover_block"], "without gaps"),
        (["run", "--policy", "expert", "--tasks", "handover_block,handover_block"], "names a task twice"),
        (["run", "--policy", "expert", "--episodes", "0"], "--episodes must be between 1 and 10000"),
        (["run", "--policy", "expert", "--episodes", "1000000"], "--episodes must be between 1 and 10000"),
        (["run", "--policy", "expert", "--episodes", "many"], "invalid int value: 'many'"),
        (["run", "--policy", "expert", "--setting", "easy"], "unknown setting 'easy'; known: all, clean, randomized"),
        (["run", "--policy", "expert", "--instructions", "all"], "unknown instruction split 'all'; known: seen, unseen"),
        (["show", "stack_blocks_tw", "--out", "x.png"], "did you mean 'stack_blocks_two'"),
        (["show", "stack_blocks_two", "--setting", "hard", "--out", "x.png"], "unknown setting 'hard'"),
        (["show", "stack_blocks_two", "--out", "x.jpg"], "--out must name a .png file"),
        (["run", "--policy", "expert", "--suite", "robotwin3"], "did you mean 'robotwin2'"),
        (["run", "--policy", "expert", "--seed", "-1"], "--seed must be >= 0"),
        (["run", "--policy", "expert", "--camera", "big"], "--camera expects WIDTHxHEIGHT"),
        (["run", "--policy", "expert", "--camera", "8x8"], "between 16 and 4096"),
        (["run", "--policy", "random", "--policy-arg", "chunk"], "--policy-arg expects key=value"),
        (["run", "--policy", "random", "--policy-arg", "heat=2"], "policy 'random' rejected its options"),
        (["run", "--resume", "nope"], "does not exist"),
        (["list", "robots"], "cannot list 'robots'; choose one of tasks, policies, embodiments, runs"),
        (["bench", "gpu"], "unknown benchmark 'gpu'; known: env, latency"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(capsys, isolated_results, argv, message):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert err.startswith("gwbench: error: ") and err.count("\n") == 1, err
    assert message in err
    assert not isolated_results.exists()  # no store, no seed pool


def test_foreign_store_and_unknown_export_format(capsys, tmp_path):
    foreign = tmp_path / "foreign.sqlite"
    foreign.write_text("not a database " * 200)
    code, _, err = run_cli(capsys, "run", "--policy", "expert", "--tasks", "stack_blocks_two", "--store", str(foreign))
    assert code == 2 and "not a gwbench results store" in err
    code, _, err = run_cli(capsys, "export", "--store", str(foreign), "--format", "xml")
    assert code == 2 and "unknown format 'xml'; known: csv" in err


def test_run_summary_export_and_listing(capsys, tmp_path):
    store = tmp_path / "r.sqlite"
    common = ["--tasks", "stack_blocks_two", "--episodes", "2", "--store", str(store), "--no-progress"]
    code, out, _ = run_cli(capsys, "run", "--policy", "expert", *common)
    assert code == 0
    assert re.search(r"stack_blocks_two\s+clean\s+2\s+2\s+1.000", out)
    assert "expert check stack_blocks_two [clean]: solved 2 of 2 candidate seeds (100.0%), 0 skipped" in out
    code, out, _ = run_cli(capsys, "run", "--policy", "random", "--policy-arg", "chunk=20", *common)
    assert code == 0

    code, out, _ = run_cli(capsys, "export", "--store", str(store))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert set(REQUIRED_COLUMNS) <= set(rows[0])
    by_policy = {p: [r for r in rows if r["policy"] == p] for p in ("expert", "random")}
    assert [r["success"] for r in by_policy["expert"]] == ["1", "1"]
    assert [r["success"] for r in by_policy["random"]] == ["0", "0"]
    assert [r["seed"] for r in by_policy["random"]] == [r["seed"] for r in by_policy["expert"]]  # same seeds
    assert {r["suite"] for r in rows} == {"robotwin2"}

    code, out, _ = run_cli(capsys, "list", "runs", "--store", str(store))
    assert code == 0 and out.count("finished") == 2 and "2/2" in out
    code, out, _ = run_cli(capsys, "list", "tasks")
    assert re.search(r"handover_block\s+800\s+both", out)


def test_an_interrupted_run_resumes_without_losing_or_repeating_episodes(capsys, tmp_path, monkeypatch):
    import gwbench.worker as runner  # where episodes are run

    store_path = tmp_path / "r.sqlite"
    real = runner.run_episode
    calls = {"n": 0}

    def interrupted_on_third_episode(*args):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(runner, "run_episode", interrupted_on_third_episode)
    argv = ["run", "--policy", "expert", "--tasks", "stack_blocks_two", "--episodes", "4", "--store", str(store_path)]
    code, _, err = run_cli(capsys, *argv, "--no-progress")
    assert code == 130 and "gwbench run --resume" in err
    store = Store(store_path)
    (run,) = store.runs()
    assert run["status"] == "interrupted" and len(store.episodes()) == 2

    monkeypatch.setattr(runner, "run_episode", real)
    code, out, _ = run_cli(capsys, "run", "--resume", run["run_id"], "--store", str(store_path), "--no-progress")
    assert code == 0
    episodes = store.episodes()
    assert [e["episode_index"] for e in episodes] == [0, 1, 2, 3]
    assert all(e["success"] for e in episodes) and store.run(run["run_id"])["status"] == "finished"


def test_show_saves_the_three_views_and_prints_the_instruction(capsys, tmp_path):
    from PIL import Image

    out_file = tmp_path / "views" / "scene.png"
    argv = ["show", "stack_blocks_two", "--setting", "randomized", "--seed", "100002", "--camera", "160x120"]
    code, out, _ = run_cli(capsys, *argv, "--out", str(out_file))
    assert code == 0
    assert Image.open(out_file).size == (3 * 160, 120)
    assert re.search(r"stack_blocks_two \[randomized\] seed 100002: \w+", out)
    assert re.search(r"scene hash: [0-9a-f]{16}", out) and '"setting": "randomized"' in out
    code, again, _ = run_cli(capsys, *argv, "--out", str(tmp_path / "again.png"))
    assert again.splitlines()[:3] == out.splitlines()[:3]  # same seed, same scene and instruction


def test_setting_all_runs_both_settings(capsys, tmp_path):
    store = tmp_path / "r.sqlite"
    argv = ["run", "--policy", "expert", "--tasks", "stack_blocks_two", "--setting", "all", "--episodes", "1"]
    code, out, _ = run_cli(capsys, *argv, "--store", str(store), "--no-progress")
    assert code == 0
    assert re.search(r"stack_blocks_two\s+clean\s+1\s+1\s+1.000", out)
    assert re.search(r"stack_blocks_two\s+randomized\s+1\s+1\s+1.000", out)
    settings = {e["setting"] for e in Store(store).episodes()}
    assert settings == {"clean", "randomized"}


def test_the_embodiment_is_listed_chosen_recorded_and_exported(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "list", "embodiments")
    assert code == 0 and re.search(r"franka-panda\s+7\s+16", out)
    store = tmp_path / "e.sqlite"
    code, _, err = run_cli(capsys, "run", "--policy", "pi05", "--tasks", "click_bell", "--episodes", "1",
                           "--store", str(store), "--no-progress")
    assert code == 0 and "embodiment: aloha-agilex (the policy was trained on it)" in err  # the default set's
    code, _, err = run_cli(capsys, "run", "--policy", "random", "--embodiment", "franka-panda", "--tasks",
                           "click_bell", "--episodes", "1", "--store", str(store), "--no-progress")
    assert code == 0 and "embodiment:" not in err  # asked for: nothing to explain
    assert [run["config"]["embodiment"] for run in Store(store).runs()] == ["aloha-agilex", "franka-panda"]
    code, out, _ = run_cli(capsys, "export", "--store", str(store))
    assert {row["embodiment"] for row in csv.DictReader(io.StringIO(out))} == {"aloha-agilex", "franka-panda"}


def test_a_checkpoint_set_without_tasks_plays_the_suite_tasks_it_covers_and_says_so(capsys, tmp_path):
    member = tmp_path / "set" / "click_bell"
    member.mkdir(parents=True)
    for suffix in (".safetensors", ".json"):
        (member / f"pi05{suffix}").write_bytes((default_checkpoint_set() / "click_bell" / f"pi05{suffix}").read_bytes())
    store = tmp_path / "s.sqlite"
    code, _, err = run_cli(capsys, "run", "--policy", "pi05", "--checkpoint", str(tmp_path / "set"), "--suite",
                           "robotwin2", "--episodes", "1", "--store", str(store), "--no-progress")
    assert code == 0 and "tasks: click_bell (the 1 of suite robotwin2 that the policy's checkpoint set covers)" in err
    assert [run["config"]["tasks"] for run in Store(store).runs()] == [["click_bell"]]
