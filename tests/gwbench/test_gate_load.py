"""The gate on real evaluations (issue 21): latency is judged against the run's own timing calibration.

A busy process on every core slows the policy and the calibration alike, so an unchanged evaluation
passes beside it; a policy slowed 3x by an injected sleep on an otherwise quiet machine fails. Tiny
evaluations (click_bell, 3 episodes at 64x48) keep each run to a few seconds.

The policy is the expert plus one calibration matmul workload per query (about 20-30 ms of
single-threaded arithmetic), standing in for a learned policy's forward pass. The bare expert's
queries (about 7 ms) are shorter than the scheduler's time slices: beside the hog one of them either
runs untouched or waits a whole slice, so their median grew 2.7-3.9x while the calibration grew
1.6-1.75x, and a CI run failed the gate on an unchanged policy. The README states that limit.
"""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from core.paths import default_seed_dir
from gwbench.calibration import WORKLOADS, matmul_workload_ms, measure, reference_ms
from gwbench.plan import RunPlan
from gwbench.runner import execute, start_run
from gwbench.store import Store
from policies.base import Policy, PolicyOutput
from policies.expert import ExpertPolicy
from tests.gwbench.synthetic_store import run_cli

EPISODES = 3
LATENCY_RATIO = "2"  # as CI gates (noxfile.py GATE_LATENCY_RATIO)


class ComputeBoundExpert(ExpertPolicy):
    """The expert, each query preceded by the calibration's matmul workload: a query long enough that
    a load slows it in proportion, as it slows a learned policy's forward pass."""

    def act(self, observation: dict) -> PolicyOutput:
        matmul_workload_ms()
        return super().act(observation)


class SlowedExpert(ComputeBoundExpert):
    """Each query followed by a sleep of twice its own duration: 3x its latency, no extra CPU."""

    def act(self, observation: dict) -> PolicyOutput:
        start = time.perf_counter()
        output = super().act(observation)
        time.sleep(2 * (time.perf_counter() - start))
        return output


def evaluate(store_path, policy: Policy | None = None) -> str:
    """A tiny evaluation (the compute-bound expert unless `policy`) into `store_path`, in this process;
    returns the run id."""
    store = Store(store_path)
    plan = RunPlan(policy="expert", tasks=("click_bell",), episodes=EPISODES, camera=(64, 48),
                   seed_dir=str(default_seed_dir().resolve()))
    policy = policy or ComputeBoundExpert()
    run_id = start_run(store, plan, policy)
    execute(store, run_id, show_progress=False, workers=1, policy=policy)
    store.close()
    return run_id


def _spin() -> None:
    while True:
        pass


class CpuHog:
    """A busy process on every core this process may use, for the duration of a `with` block."""

    def __enter__(self):
        cores = len(os.sched_getaffinity(0))
        context = multiprocessing.get_context("fork")  # a bare loop: nothing to import
        self.processes = [context.Process(target=_spin, daemon=True) for _ in range(cores)]
        for process in self.processes:
            process.start()
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            process.kill()
            process.join()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gate_load")
    # First-use costs (loading the planner and the renderer for this camera, filling caches) land in
    # whichever evaluation comes first; an untimed one takes them, so the baseline is the steady state.
    evaluate(folder / "warm-up.sqlite")
    store = folder / "baseline.sqlite"
    run_id = evaluate(store)
    path = folder / "baseline.json"
    from gwbench.cli import main

    assert main(["gate", "--write-baseline", str(path), "--store", str(store)]) == 0
    return path, Store(store).run(run_id)


def _gate(capsys, baseline_path, store) -> tuple[int, str]:
    code, out, err = run_cli(capsys, "gate", "--baseline", str(baseline_path), "--store", str(store),
                             "--latency-ratio", LATENCY_RATIO)
    return code, out + err


def test_the_run_stores_its_calibration_and_the_report_shows_it(baseline, tmp_path, capsys):
    _, run = baseline
    calibration = run["calibration"]
    for phase in ("before", "after"):  # 3 episodes: too few for a sample during the run
        assert set(calibration["samples"][phase]) == set(WORKLOADS)
        assert all(ms > 0 for values in calibration["samples"][phase].values() for ms in values)
    assert calibration["flops_per_query"] is None  # the expert counts no FLOPs
    reference = reference_ms(calibration)
    code, _, err = run_cli(capsys, "report", "--store", str(baseline[0].parent / "baseline.sqlite"),
                           "--out", str(tmp_path / "report"), "--no-reference")
    assert code == 0, err
    page = (tmp_path / "report" / "index.html").read_text()
    assert f"timing calibration</th><td>reference {reference:.2f} ms; matmul ms: before" in page


def test_an_unchanged_evaluation_passes_beside_a_cpu_hog(baseline, tmp_path, capsys):
    baseline_path, _ = baseline
    store = tmp_path / "loaded.sqlite"
    # The machine's speed just before the hog, measured as the run measures it: compared with the
    # baseline's, taken minutes earlier, it would also carry whatever else the machine did meanwhile.
    quiet = reference_ms({"samples": {"before": measure()}})
    with CpuHog():
        run_id = evaluate(store)
    loaded = reference_ms(Store(store).run(run_id)["calibration"])
    code, out = _gate(capsys, baseline_path, store)
    assert code == 0, out
    assert "gate passed" in out
    # Whether the hog did slow this machine: the calibration took longer (1.5x on two otherwise idle cores:
    # three busy processes for two; far less where other jobs already share them: 1.13x and 1.03x in two CI
    # runs). Where it did not, the pass above was not a pass under load, and the test says so.
    if not loaded > 1.05 * quiet:
        pytest.skip(f"the hog slowed the calibration only {loaded / quiet:.2f}x: the gate passed, but not under load")


def test_a_policy_slowed_3x_fails_the_gate(baseline, tmp_path, capsys):
    store = tmp_path / "slowed.sqlite"
    evaluate(store, SlowedExpert())
    code, out = _gate(capsys, baseline[0], store)
    assert code == 1, out
    assert "REGRESSED: latency" in out
