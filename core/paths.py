"""Where things live: the checkout, gwbench's cache, and the results (stores, seed pools, checkpoints).

Each has an environment override; outside a source checkout they fall back to per-user places.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def in_checkout() -> bool:
    return (REPO_ROOT / "pyproject.toml").exists()


def cache_dir() -> Path:
    """gwbench's cache: `$GWBENCH_CACHE`, else `.cache/` in a source checkout, else ~/.cache/gwbench."""
    if os.environ.get("GWBENCH_CACHE"):
        return Path(os.environ["GWBENCH_CACHE"]).expanduser().resolve()
    if in_checkout():
        return REPO_ROOT / ".cache"
    return Path.home() / ".cache" / "gwbench"


def results_dir() -> Path:
    """`$GWBENCH_RESULTS`, else the checkout's results/, else ./results."""
    if os.environ.get("GWBENCH_RESULTS"):
        return Path(os.environ["GWBENCH_RESULTS"]).expanduser()
    if in_checkout():
        return REPO_ROOT / "results"
    return Path.cwd() / "results"


def default_store() -> Path:
    return results_dir() / "gwbench.sqlite"


def default_seed_dir() -> Path:
    return results_dir() / "seeds"


def checkpoint_dir() -> Path:
    """The committed reference checkpoints (results/checkpoints/ of the checkout)."""
    return REPO_ROOT / "results" / "checkpoints"


def default_checkpoint_set() -> Path:
    """What gigaworld, motus and pi05 load without --checkpoint: the reference protocol's checkpoint set
    (policies/reference_protocol.json), `<task>/<policy>.safetensors`, so a run plays the tasks it covers."""
    return checkpoint_dir() / "protocol"
