"""The environment fingerprint every run records: versions, commit, hardware, renderer.

Reproducing a success rate needs to know what produced it; RoboTwin users lose
points to silent version drift (planner versions change the valid seed set).
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess

from core.paths import REPO_ROOT
from tasks.runtime import configure

PACKAGES = ("gwbench", "torch", "numpy", "sapien", "mani-skill", "mplib", "gymnasium", "scipy", "gym-aloha")


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def git_commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{commit}{'+dirty' if dirty else ''}" if commit else "unknown"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def fingerprint() -> dict:
    render = configure()
    return {
        "packages": package_versions(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "commit": git_commit(),
        "render": {"mode": render.mode, "visual": render.visual},
    }
