"""Two `gwbench run` processes writing one store at the same time: both finish, nothing is lost."""

from __future__ import annotations

import subprocess
import sys

from core.paths import REPO_ROOT
from gwbench.store import Store


def test_two_runs_write_one_new_store_concurrently(tmp_path):
    store = tmp_path / "shared.sqlite"  # created by whichever process gets there first
    seeds = str(REPO_ROOT / "results" / "seeds")
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "gwbench.cli", "run", "--policy", "random", "--policy-arg", f"seed={seed}",
             "--policy-arg", "chunk=8", "--tasks", "click_bell", "--episodes", "4", "--store", str(store),
             "--seed-dir", seeds, "--workers", "1", "--no-progress"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for seed in (0, 1)
    ]
    for process in runs:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output[-2000:]
    result = Store(store)
    assert [r["status"] for r in result.runs()] == ["finished", "finished"]
    for run in result.runs():
        assert [e["episode_index"] for e in result.episodes([run["run_id"]])] == [0, 1, 2, 3]
