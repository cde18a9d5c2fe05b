"""Checkpoint sets: single-task checkpoints of one architecture, one per task, in one folder.

The reference protocol (policies/reference_protocol.json) trains one checkpoint per task and
architecture and keeps them as `DIR/<task>/<policy>.safetensors` (results/checkpoints/reference/).
A learned policy handed such a folder plays each task with that task's checkpoint; handed a file, it
plays every task with that one. Members of a set must agree on what the harness sets up for all of
them at once (camera size, embodiment, frame stride, chunk), so one run can hold the whole set.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import torch

from core.contract import LEGACY_EMBODIMENT
from core.errors import InputError
from policies.common.checkpoint import file_sha256, load_checkpoint


@dataclass(frozen=True)
class Member:
    """One loaded checkpoint: the model (eval mode), its sidecar and the file's sha256."""

    model: torch.nn.Module
    sidecar: dict
    sha256: str


def checkpoint_files(path: Path, policy: str) -> dict[str | None, Path]:
    """{None: path} for a checkpoint file; {task: DIR/<task>/<policy>.safetensors} for a folder."""
    if not path.is_dir():
        return {None: path}
    files = {child.name: child / f"{policy}.safetensors" for child in sorted(path.iterdir())
             if (child / f"{policy}.safetensors").is_file()}
    if not files:
        raise InputError(f"checkpoint folder {path}: no {policy} checkpoint in it "
                         f"(a set holds {path}/<task>/{policy}.safetensors)")
    return files


def shared_setup(member: Member) -> dict:
    """What one run sets up for every task alike, so every member of a set must agree on it."""
    return {
        "camera": member.sidecar["camera"],
        "embodiment": member.sidecar.get("embodiment", LEGACY_EMBODIMENT),
        "frame_stride": int(member.sidecar.get("frame_stride", 1)),
        "chunk": member.model.config.action.chunk,
    }


def load_members(path: Path, policy: str, device: str) -> dict[str | None, Member]:
    """Every checkpoint at `path` (a file, or a set's folder), loaded; InputError on a mismatch in a set."""
    members = {}
    for task, file in checkpoint_files(path, policy).items():
        model, sidecar = load_checkpoint(file, policy, device)
        members[task] = Member(model, sidecar, file_sha256(file))
    first_task, first = next(iter(members.items()))
    expected = shared_setup(first)
    for task, member in members.items():
        for key, value in shared_setup(member).items():
            if value != expected[key]:
                raise InputError(f"checkpoint folder {path}: {task}'s {key} is {value}, {first_task}'s is "
                                 f"{expected[key]}; one set must share camera, embodiment, frame stride and chunk")
    return members


def set_sha256(members: dict[str | None, Member]) -> str:
    """A file's own sha256; for a set, the sha256 of its sorted `task sha256` lines."""
    if None in members:
        return members[None].sha256
    lines = "".join(f"{task} {member.sha256}\n" for task, member in sorted(members.items()))
    return hashlib.sha256(lines.encode()).hexdigest()
