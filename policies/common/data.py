"""Expert demonstrations (gwbench-demos HDF5) as training samples.

Each DIR/*.h5 is a gwbench-demos file (written by `gwbench collect`; format: core.demo_format).
One sample per rendered step t < T: the three views and joints at t, the instruction, the action
chunk actions[t : t+H] (the last action repeated past T) and the head frames at t + stride * k,
k = 1..K (the last frame repeated). Everything is read into memory once: at 64x80 an episode of a
few hundred steps is a few MB.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
import torch
from torch.utils.data import Dataset

from core.contract import LEGACY_EMBODIMENT
from core.demo_format import demo_files, open_demo_file
from core.errors import InputError
from policies.common import language
from policies.common.configuration import CAMERAS, ActionConfig
from policies.common.normalization import actions_to_targets


def demo_action_width(data_dir: str | Path) -> int:
    """The action width of the demonstrations in DIR (their embodiment's); files that disagree are bad input."""
    widths = set()
    for path in demo_files(data_dir):
        try:
            with h5py.File(path, "r") as handle:
                widths.add(int(handle.attrs["action_dim"]))
        except (OSError, KeyError) as error:
            raise InputError(f"{path}: cannot read its action width ({error})") from None
    if len(widths) != 1:
        raise InputError(f"{data_dir}: files hold actions of different widths: {sorted(widths)}")
    return widths.pop()


def dataset_hash(files: list[Path]) -> str:
    """sha256 over the files' names and bytes, in name order: identifies the training data."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


@dataclass
class Episode:
    instruction: np.ndarray  # (384,) sentence embedding
    joints: np.ndarray  # (T+1, D): D = the embodiment's action width
    actions: np.ndarray  # (T, D)
    frame_steps: np.ndarray  # (F,)
    images: np.ndarray  # (F, views, H, W, 3) uint8


def _read_file(path: Path, cameras: tuple[str, ...]) -> tuple[dict, list[Episode]]:
    with open_demo_file(path) as handle:
        attrs = dict(handle.attrs)
        episodes = []
        groups = handle["episodes"]
        for name in sorted(groups, key=lambda name: int(groups[name].attrs["seed"])):  # by seed: seed10 after seed9
            group = groups[name]
            episodes.append(
                Episode(
                    instruction=language.embed_instruction(str(group.attrs["instruction"])),
                    joints=group["joint_action"][()].astype(np.float32),
                    actions=group["actions"][()].astype(np.float32),
                    frame_steps=group["frame_steps"][()].astype(np.int64),
                    images=np.stack([group["images"][camera][()] for camera in cameras], axis=1),
                )
            )
    return attrs, episodes


class DemoDataset(Dataset):
    """Samples at every rendered step of every episode in DIR/*.h5."""

    def __init__(self, data_dir: str | Path, action: ActionConfig = ActionConfig(), future_frames: int = 4,
                 cameras: tuple[str, ...] = CAMERAS):
        self.files = demo_files(data_dir)
        self.action = action
        self.future_frames = future_frames
        self.episodes: list[Episode] = []
        self.episodes_per_file: list[int] = []
        attributes = []
        for path in self.files:
            attrs, episodes = _read_file(path, cameras)
            attributes.append(attrs)
            self.episodes.extend(episodes)
            self.episodes_per_file.append(len(episodes))
        layouts = {(int(a["camera_height"]), int(a["camera_width"]), int(a["frame_stride"])) for a in attributes}
        if len(layouts) != 1:
            raise InputError(f"{data_dir}: files disagree on camera size or frame stride: {sorted(layouts)}")
        self.camera_height, self.camera_width, self.frame_stride = layouts.pop()
        embodiments = {str(a.get("embodiment", LEGACY_EMBODIMENT)) for a in attributes}
        if len(embodiments) != 1:
            raise InputError(f"{data_dir}: files were collected on different embodiments: {sorted(embodiments)}")
        self.embodiment = embodiments.pop()  # the checkpoint records it: runs check it against theirs
        widths = {int(a["action_dim"]) for a in attributes}
        if widths != {action.dim}:
            raise InputError(f"{data_dir}: actions are {sorted(widths)} wide ({self.embodiment}); "
                             f"the model predicts {action.dim}")
        self.index = [
            (episode_index, frame)
            for episode_index, episode in enumerate(self.episodes)
            for frame, step in enumerate(episode.frame_steps)
            if step < len(episode.actions)
        ]
        if not self.index:
            raise InputError(f"{data_dir}: the demonstrations hold no rendered step with actions after it")

    def split(self, held_out_per_file: int) -> tuple["DemoDataset", "DemoDataset | None"]:
        """(training, validation): the last `held_out_per_file` episodes of each file (highest seeds) are
        validation, the rest training; no validation when 0. Both views share the loaded episodes."""
        if held_out_per_file < 0:
            raise InputError(f"held-out episodes per file must be >= 0, got {held_out_per_file}")
        if held_out_per_file == 0:
            return self, None
        held_out, first = set(), 0
        for path, count in zip(self.files, self.episodes_per_file):
            if count <= held_out_per_file:
                raise InputError(f"{path}: {count} episodes leave none "
                                 f"for training when {held_out_per_file} are held out for validation")
            held_out.update(range(first + count - held_out_per_file, first + count))
            first += count
        return self._restricted(lambda e: e not in held_out), self._restricted(lambda e: e in held_out)

    def _restricted(self, keep) -> "DemoDataset":
        view = copy.copy(self)
        view.index = [(episode, frame) for episode, frame in self.index if keep(episode)]
        return view

    def __len__(self) -> int:
        return len(self.index)

    def _state_and_targets(self, episode: Episode, frame: int) -> tuple[np.ndarray, np.ndarray]:
        step = int(episode.frame_steps[frame])
        steps = np.minimum(np.arange(step, step + self.action.chunk), len(episode.actions) - 1)
        return episode.joints[step], actions_to_targets(episode.actions[steps], episode.joints[step], self.action)

    def __getitem__(self, item: int) -> dict[str, torch.Tensor]:
        episode_index, frame = self.index[item]
        episode = self.episodes[episode_index]
        state, targets = self._state_and_targets(episode, frame)
        future = np.minimum(np.arange(frame + 1, frame + 1 + self.future_frames), len(episode.frame_steps) - 1)
        return {
            "images": torch.from_numpy(episode.images[frame]),
            "state": torch.from_numpy(state),
            "instruction": torch.from_numpy(episode.instruction.copy()),
            "targets": torch.from_numpy(targets),
            "step": torch.tensor(float(episode.frame_steps[frame])),  # the control step this frame was taken at
            "future": torch.from_numpy(episode.images[future, 0]),  # the head camera
        }

    def statistics(self) -> dict[str, np.ndarray]:
        """Mean and std of the states and of the action targets over all samples (per dimension)."""
        states, targets = [], []
        for episode_index, frame in self.index:
            state, chunk = self._state_and_targets(self.episodes[episode_index], frame)
            states.append(state)
            targets.append(chunk)
        states, targets = np.stack(states), np.concatenate(targets)
        return {
            "state_mean": states.mean(0),
            "state_std": states.std(0),
            "action_mean": targets.mean(0),
            "action_std": targets.std(0),
        }
