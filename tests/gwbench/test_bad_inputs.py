"""The bad-input catalogue: every case is one line on stderr naming the bad value, exit 2, nothing written.

The README's troubleshooting table is generated from these cases and the errors they really
produce; a test fails when the README is stale. Regenerate it with

    GWBENCH_UPDATE_DOCS=1 .venv/bin/pytest tests/gwbench/test_bad_inputs.py
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass

import pytest

from core.paths import REPO_ROOT
from gwbench.store import SCHEMA_VERSION, Store
from tests.gwbench.synthetic_store import run_cli

README = REPO_ROOT / "README.md"
START, END = "<!-- bad-inputs:start -->", "<!-- bad-inputs:end -->"
RUN = ["run", "--tasks", "click_bell", "--episodes", "1"]


@dataclass(frozen=True)
class Case:
    what: str  # the row's description in the README
    argv: tuple[str, ...]  # {tmp}, {store}, {file} are filled in per test
    expected: str  # a piece of the one-line error
    store: str = "none"  # none: must not come into being; or a prepared kind: foreign, garbage, newer, empty


CASES = [
    Case("unknown task", ("run", "--policy", "random", "--tasks", "stack_block_two"),
         "unknown task 'stack_block_two' (did you mean 'stack_blocks_two'?)"),
    Case("unknown suite", ("run", "--policy", "random", "--suite", "robotwin3"), "unknown suite 'robotwin3'"),
    Case("unknown policy", ("run", "--policy", "gigawrld", *RUN[1:]), "unknown policy 'gigawrld' (did you mean 'gigaworld'?)"),
    Case("unknown setting", ("run", "--policy", "random", "--setting", "hard", *RUN[1:]), "unknown setting 'hard'"),
    Case("malformed --tasks list", ("run", "--policy", "random", "--tasks", "click_bell,,lift_pot"),
         "--tasks expects comma-separated names without gaps, got 'click_bell,,lift_pot'"),
    Case("negative episode count", ("run", "--policy", "random", "--tasks", "click_bell", "--episodes", "-5"),
         "--episodes must be between 1 and 10000 per task and setting, got -5"),
    Case("absurd episode count", ("run", "--policy", "random", "--tasks", "click_bell", "--episodes", "100000000"),
         "--episodes must be between 1 and 10000 per task and setting, got 100000000"),
    Case("episode count that is not a number", ("run", "--policy", "random", "--episodes", "ten"),
         "argument --episodes: invalid int value: 'ten'"),
    Case("unknown option", ("run", "--policy", "random", "--episode", "3"), "unrecognized arguments"),
    Case("bad policy option", ("run", "--policy", "random", "--policy-arg", "chunk", *RUN[1:]),
         "--policy-arg expects key=value, got 'chunk'"),
    Case("policy option the policy does not take", ("run", "--policy", "random", "--policy-arg", "temperature=2", *RUN[1:]),
         "policy 'random' rejected its options"),
    Case("bad camera size", ("run", "--policy", "random", "--camera", "320by240", *RUN[1:]),
         "--camera expects WIDTHxHEIGHT such as 320x240, got '320by240'"),
    Case("store that is not SQLite", ("run", "--policy", "random", *RUN[1:]), "is not a gwbench results store",
         store="garbage"),
    Case("foreign SQLite file as store", ("run", "--policy", "random", *RUN[1:]),
         "is not a gwbench results store (foreign SQLite file)", store="foreign"),
    Case("store from a newer gwbench", ("run", "--policy", "random", *RUN[1:]),
         f"has store schema {SCHEMA_VERSION + 1}, newer than this gwbench's {SCHEMA_VERSION}; upgrade gwbench",
         store="newer"),
    Case("store that is a folder", ("run", "--policy", "random", *RUN[1:]), "is a directory; give a .sqlite file",
         store="folder"),
    Case("resume of an unknown run", ("run", "--resume", "20260101-000000-x-abc"),
         "unknown run '20260101-000000-x-abc'", store="empty"),
    Case("missing checkpoint", ("run", "--policy", "gigaworld", "--checkpoint", "{tmp}/none.safetensors", *RUN[1:]),
         "none.safetensors"),
    Case("corrupt checkpoint", ("run", "--policy", "gigaworld", "--checkpoint", "{file}", *RUN[1:]), "bad.safetensors"),
    Case("checkpoint of another policy",
         ("run", "--policy", "gigaworld", "--checkpoint", str(REPO_ROOT / "results/checkpoints/pi05.safetensors"),
          *RUN[1:]), "pi05"),
    Case("checkpoint folder without that policy's checkpoints",
         ("run", "--policy", "gigaworld", "--checkpoint", "{tmp}", *RUN[1:]),
         "no gigaworld checkpoint in it (a set holds"),
    Case("task a checkpoint set does not cover",
         ("run", "--policy", "pi05", "--checkpoint", str(REPO_ROOT / "results/checkpoints/reference"), "--tasks",
          "stack_blocks_two", "--episodes", "1"),
         "--tasks stack_blocks_two: the policy's checkpoint set has no checkpoint for it; "
         "it covers: click_bell, lift_pot"),
    Case("unreachable policy URL", ("run", "--policy", "openpi://127.0.0.1:9", *RUN[1:]), "127.0.0.1:9"),
    Case("XPolicyLab server address without a port", ("run", "--policy", "xpolicylab://gpuhost", *RUN[1:]),
         "'xpolicylab://gpuhost' is malformed: the port is missing; expected xpolicylab://HOST:PORT"),
    Case("bad XPolicyLab keep-alive option",
         ("run", "--policy", "xpolicylab://127.0.0.1:9", "--policy-arg", "ping_interval=0", *RUN[1:]),
         "ping_interval must be a number > 0, got 0"),
    Case("a path where a URL was meant", ("run", "--policy", "results/checkpoints/gigaworld.safetensors", *RUN[1:]),
         "results/checkpoints/gigaworld.safetensors"),
    Case("unknown report format", ("export", "--format", "xlsx"), "unknown format 'xlsx'; known: csv, eval_info",
         store="empty"),
    Case("export of a store that does not exist", ("export",), "does not exist (pass --store)"),
    Case("unknown list", ("list", "seeds"), "cannot list 'seeds'; choose one of tasks, policies, embodiments, runs"),
    Case("unknown embodiment", ("run", "--policy", "random", "--embodiment", "franka", *RUN[1:]),
         "unknown embodiment 'franka' (did you mean 'franka-panda'?)"),
    Case("checkpoint of another embodiment", ("run", "--policy", "pi05", "--embodiment", "franka-panda", *RUN[1:]),
         "the policy was trained on aloha-agilex, not --embodiment franka-panda (actions 14 vs 16 wide)"),
]


def _prepare_store(kind: str, path) -> None:
    if kind == "garbage":
        path.write_bytes(b"this is not a database, it only has a .sqlite name" * 40)
    elif kind == "foreign":
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE notes (text TEXT)")
    elif kind == "newer":
        store = Store(path)
        store.db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION + 1),))
        store.close()
    elif kind == "folder":
        path.mkdir()
    elif kind == "empty":
        Store(path).close()


def _snapshot(folder) -> dict:
    """Every file's bytes; SQLite's -wal/-shm companions of an opened store hold no data of their own."""
    files = (p for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.endswith(("-wal", "-shm")))
    return {p.relative_to(folder): p.read_bytes() for p in files}


def _run_case(case: Case, capsys, tmp_path) -> str:
    store = tmp_path / "store.sqlite"
    bad_file = tmp_path / "bad.safetensors"
    bad_file.write_bytes(b"\x00" * 64)  # beside a real sidecar: the weights themselves are what is broken
    (tmp_path / "bad.json").write_bytes((REPO_ROOT / "results/checkpoints/gigaworld.json").read_bytes())
    _prepare_store(case.store, store)
    argv = [a.format(tmp=tmp_path, file=bad_file) for a in case.argv]
    if argv[0] in ("run", "export", "list"):
        argv += ["--store", str(store)]
    before = _snapshot(tmp_path)
    code, out, err = run_cli(capsys, *argv)
    assert code == 2, (case.what, code, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gwbench: error: "), (case.what, err)
    assert case.expected in lines[0], (case.what, lines[0])
    assert _snapshot(tmp_path) == before, f"{case.what}: something was written"
    assert not (tmp_path / "results").exists(), f"{case.what}: the default results folder was touched"
    return lines[0].removeprefix("gwbench: error: ").replace(str(tmp_path), "<tmp>").replace(str(REPO_ROOT) + "/", "")


@pytest.mark.parametrize("case", CASES, ids=[c.what for c in CASES])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(case, capsys, tmp_path):
    _run_case(case, capsys, tmp_path)


def _table(rows: list[tuple[Case, str]]) -> str:
    lines = ["| bad input | example | error (exit status 2, nothing written) |", "|---|---|---|"]
    for case, message in rows:
        command = " ".join(["gwbench", *case.argv]).replace("{tmp}", "<tmp>").replace("{file}", "<tmp>/bad.safetensors")
        command = command.replace(str(REPO_ROOT) + "/", "")
        escaped = message.replace("|", "\\|")
        lines.append(f"| {case.what} | `{command}` | {escaped} |")
    return "\n".join(lines)


def test_the_readme_troubleshooting_table_matches_the_catalogue(capsys, tmp_path_factory):
    rows = [(case, _run_case(case, capsys, tmp_path_factory.mktemp("case"))) for case in CASES]
    table = _table(rows)
    text = README.read_text(encoding="utf-8")
    block = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    wanted = f"{START}\n{table}\n{END}"
    if os.environ.get("GWBENCH_UPDATE_DOCS") == "1":
        README.write_text(block.sub(lambda _: wanted, text), encoding="utf-8")
    assert wanted in README.read_text(encoding="utf-8"), (
        "README's bad-input table is stale; regenerate: GWBENCH_UPDATE_DOCS=1 .venv/bin/pytest "
        "tests/gwbench/test_bad_inputs.py"
    )
