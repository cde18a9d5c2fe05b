"""What `gwbench report` was asked for: the runs, policies, reference rows and videos to include."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.errors import InputError
from gwbench.report.reference import DEFAULT_REFERENCE


@dataclass(frozen=True)
class ReportOptions:
    out_dir: Path
    run_ids: tuple[str, ...] | None = None  # None: every run in the store
    policies: tuple[str, ...] | None = None  # None: every policy of the selected runs
    reference: Path | None = DEFAULT_REFERENCE  # None: no reported rows
    videos: bool = True  # embed recorded episode videos in index.html
    videos_per_cell: int = 2  # at most this many per (run, task, setting)
    max_video_mb: float = 40.0  # at most this much encoded video in index.html

    def __post_init__(self):
        if self.videos_per_cell < 0:
            raise InputError(f"--videos-per-cell must be 0 or more, got {self.videos_per_cell}")
        if not 0 <= self.max_video_mb < float("inf"):
            raise InputError(f"--max-video-mb must be a number of MB, 0 or more, got {self.max_video_mb:g}")
