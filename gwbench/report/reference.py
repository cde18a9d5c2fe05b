"""Published numbers (results/reference/*.csv), shown beside measured rows but never mixed with
them: they come from other hardware, other seeds and the real models, so they get their own
section of the table and their own marker in the scatter plot.

CSV columns: policy, source (always "reported"), clean, randomized (success fractions),
latency_ms (empty where the paper gives none), hardware, citation.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from core.errors import InputError
from core.paths import REPO_ROOT

DEFAULT_REFERENCE = REPO_ROOT / "results" / "reference" / "robotwin2.csv"
REFERENCE_COLUMNS = ("policy", "source", "clean", "randomized", "latency_ms", "hardware", "citation")


@dataclass(frozen=True)
class ReportedRow:
    policy: str
    clean: float
    randomized: float
    latency_ms: float | None
    hardware: str
    citation: str

    @property
    def average(self) -> float:
        return (self.clean + self.randomized) / 2


def load_reference(path: Path = DEFAULT_REFERENCE) -> list[ReportedRow]:
    try:
        with open(path, newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise InputError(f"cannot read reference file {path}: {error.strerror}") from None
    if not rows or tuple(rows[0]) != REFERENCE_COLUMNS:
        raise InputError(f"reference file {path} must have the columns {', '.join(REFERENCE_COLUMNS)}")
    reported = []
    for number, row in enumerate(rows, start=2):
        if row["source"] != "reported":
            raise InputError(f"{path} line {number}: source '{row['source']}'; reference rows must be 'reported'")
        try:
            reported.append(ReportedRow(
                row["policy"], float(row["clean"]), float(row["randomized"]),
                float(row["latency_ms"]) if row["latency_ms"] else None, row["hardware"], row["citation"],
            ))
        except ValueError:
            raise InputError(f"{path} line {number}: clean, randomized and latency_ms must be numbers") from None
    return reported
