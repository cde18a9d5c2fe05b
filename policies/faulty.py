"""`faulty`: the random policy with one injected fault, to prove the harness survives bad policies.

    gwbench run --policy faulty --policy-arg fault=nan --policy-arg at_query=3 --tasks click_bell

Faults: raise (an exception in act), nan / inf (non-finite actions), shape (a wrong action
width), empty (a chunk of no actions), hang (act never returns: the per-query timeout must end
it), exit (the process dies mid-episode: a worker must be replaced). `seeds` limits the fault
to some episode seeds, so one run mixes healthy and faulty episodes; `exit_once_dir` makes the
exit fault happen only once per seed (a marker file), to show a retried episode can succeed.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from policies.base import PolicyOutput, TaskInfo
from policies.random_walk import RandomPolicy

FAULTS = ("raise", "nan", "inf", "shape", "empty", "hang", "exit")


class FaultyPolicy(RandomPolicy):
    """Random joint targets, until the injected fault (fault=raise|nan|inf|shape|empty|hang|exit)."""

    name = "faulty"

    def __init__(self, fault: str = "raise", at_query: int = 1, seeds: list | int | None = None,
                 exit_once_dir: str | None = None, **random_options):
        super().__init__(**random_options)
        if fault not in FAULTS:
            raise ValueError(f"unknown fault '{fault}'; known: {', '.join(FAULTS)}")
        if int(at_query) < 1:
            raise ValueError(f"at_query must be >= 1, got {at_query}")
        self.fault = fault
        self.at_query = int(at_query)
        self.seeds = None if seeds is None else {int(s) for s in np.atleast_1d(seeds)}
        self.exit_once_dir = exit_once_dir
        self._queries = 0
        self._armed = False

    def reset(self, info: TaskInfo) -> None:
        super().reset(info)
        self._queries = 0
        self._armed = self.seeds is None or info.seed in self.seeds

    def act(self, observation: dict) -> PolicyOutput:
        chunk = super().act(observation).actions
        self._queries += 1
        if self._armed and self._queries == self.at_query:
            chunk = self._inject(chunk)
        return PolicyOutput(chunk)

    def _inject(self, chunk: np.ndarray) -> np.ndarray:
        if self.fault == "raise":
            raise RuntimeError(f"injected fault at query {self._queries}")
        if self.fault in ("nan", "inf"):
            chunk[0, 0] = np.nan if self.fault == "nan" else np.inf
            return chunk
        if self.fault == "shape":
            return chunk[:, :-1]
        if self.fault == "empty":
            return chunk[:0]
        if self.fault == "hang":
            while True:
                time.sleep(1.0)
        if self._should_exit():
            os._exit(17)  # no cleanup, no exception: what a segfaulting policy looks like to the harness
        return chunk

    def _should_exit(self) -> bool:
        if self.exit_once_dir is None:
            return True
        marker = Path(self.exit_once_dir) / f"exited-{self._info.seed}"
        if marker.exists():
            return False
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
        return True

    def describe(self) -> dict:
        return {**super().describe(), "adapter": "faulty", "fault": self.fault, "at_query": self.at_query,
                "seeds": sorted(self.seeds) if self.seeds is not None else None}
