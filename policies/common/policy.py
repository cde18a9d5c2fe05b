"""LearnedPolicy: a checkpointed model (gigaworld, motus or pi05) behind the Policy protocol; given a
checkpoint set's folder (policies.common.checkpoint_set), each task's own model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from core.errors import InputError
from policies.base import Policy, PolicyOutput, PolicyRequirements, TaskInfo
from policies.common import language
from policies.common.checkpoint import parameter_count
from policies.common.checkpoint_set import load_members, set_sha256, shared_setup
from policies.common.flops import query_flops, synthetic_batch
from policies.common.normalization import targets_to_actions


class LearnedPolicy(Policy):
    """`video`: whether queries also generate future frames (motus always, gigaworld when asked, pi05 never);
    `sample_options`: the architecture's own switches for its `sample` (gigaworld's `video`);
    `horizon`: the first this many actions of each predicted chunk are executed before the next query
    (default: the whole chunk), so a shorter horizon re-plans more often at more queries per episode.
    `noise_scale`: denoising starts from Gaussian noise times this (1: the trained distribution; 0: one
    deterministic chunk per observation, the flow from the noise's mean).
    `checkpoint`: a file, played on every task, or a set's folder `<task>/<name>.safetensors`, each
    task played by its own (`requirements.tasks` lists them)."""

    def __init__(self, name: str, checkpoint: Path, video: bool = False, sample_options: dict | None = None,
                 device: str = "cpu", steps: int | None = None, seed: int = 0, threads: int | None = 1,
                 horizon: int | None = None, noise_scale: float = 1.0):
        self.name = name
        self.checkpoint = checkpoint
        self.device = torch.device(device)
        self.members = load_members(self.checkpoint, name, device)
        first = next(iter(self.members.values()))  # a set's members share what the harness sets up
        self.model = first.model  # until reset picks the episode's task's
        self.checkpoint_sha256 = set_sha256(self.members)
        self.steps = int(steps) if steps is not None else self.model.config.denoising_steps
        if self.steps < 1:
            raise ValueError(f"steps must be >= 1, got {steps}")
        self.seed = int(seed)
        chunk = self.model.config.action.chunk
        self.horizon = int(horizon) if horizon is not None else chunk
        if not 1 <= self.horizon <= chunk:
            raise ValueError(f"horizon must be between 1 and the checkpoint's chunk of {chunk} actions, got {horizon}")
        self.noise_scale = float(noise_scale)
        if not 0 <= self.noise_scale <= 1:
            raise ValueError(f"noise_scale must be between 0 and 1, got {noise_scale}")
        # One intra-op thread: a query is one small batch, and on a few cores shared with the
        # simulator extra threads cost more in synchronisation than they win (measured 6x slower).
        self.threads = threads
        if threads is not None:
            torch.set_num_threads(int(threads))
        self.video = bool(video)
        self.sample_options = dict(sample_options or {})
        setup = shared_setup(first)
        # The harness renders at the size the model was trained at, on the robot it was trained on.
        self.requirements = PolicyRequirements(camera=(setup["camera"]["width"], setup["camera"]["height"]),
                                               embodiment=setup["embodiment"],
                                               tasks=None if None in self.members else tuple(self.members))
        self.frame_stride = setup["frame_stride"]  # env steps between imagined frames
        self._info: TaskInfo | None = None
        self._step = 0
        self._generator = torch.Generator(device=self.device).manual_seed(self.seed)

    def reset(self, info: TaskInfo) -> None:
        if None not in self.members:
            if info.task not in self.members:
                raise InputError(f"{self.name}'s checkpoint set {self.checkpoint} has no checkpoint for {info.task}; "
                                 f"it has: {', '.join(self.members)}")
            self.model = self.members[info.task].model
        self._info = info
        self._step = 0  # control steps played so far this episode (a model may read it)
        episode_seed = np.random.SeedSequence([self.seed, int(info.seed)]).generate_state(1, np.uint64)[0]
        self._generator.manual_seed(int(episode_seed) & 0x7FFFFFFFFFFFFFFF)  # same episode, same noise
        language.embed_instruction(info.instruction)  # once per episode, before the timed queries

    def observation_batch(self, observation: dict) -> dict[str, torch.Tensor]:
        cameras = self.model.config.observation.cameras
        images = np.stack([np.asarray(observation["observation"][camera]["rgb"]) for camera in cameras])
        state = np.asarray(observation["joint_action"]["vector"], dtype=np.float32)
        instruction = language.embed_instruction(observation["instruction"])
        return {
            "images": torch.from_numpy(images)[None].to(self.device),
            "state": torch.from_numpy(state)[None].to(self.device),
            "instruction": torch.from_numpy(instruction.copy())[None].to(self.device),
            "step": torch.tensor([float(self._step)], device=self.device),
        }

    def act(self, observation: dict) -> PolicyOutput:
        batch = self.observation_batch(observation)
        targets, frames = self.model.sample(batch, steps=self.steps, generator=self._generator,
                                            noise_scale=self.noise_scale, **self.sample_options)
        state = batch["state"][0].cpu().numpy()
        chunk = targets_to_actions(targets[0].cpu().numpy(), state, self.model.config.action)[: self.horizon]
        if self._info is not None:
            chunk = np.clip(chunk, self._info.action_low, self._info.action_high)
        self._step += len(chunk)  # the runner plays every action of a chunk before the next query
        if frames is None:
            return PolicyOutput(chunk)
        return PolicyOutput(chunk, imagined=frames[0].cpu().numpy(), frame_stride=self.frame_stride)

    def flops_per_query(self) -> int:
        batch = {key: value.to(self.device) for key, value in synthetic_batch(self.model.config).items()}
        return query_flops(self.model, batch, {"steps": self.steps, **self.sample_options})

    def describe(self) -> dict:
        width, height = self.requirements.camera
        made = {task: {"sha256": member.sha256, "dataset_hash": member.sidecar.get("dataset", {}).get("hash"),
                       "train_steps": member.sidecar.get("steps")} for task, member in self.members.items()}
        return {
            "adapter": self.name,
            "checkpoint": str(self.checkpoint),
            "checkpoint_sha256": self.checkpoint_sha256,
            "chunk": self.model.config.action.chunk,
            "horizon": self.horizon,
            "noise_scale": self.noise_scale,
            "denoising_steps": self.steps,
            "video": self.video,
            "parameters": parameter_count(self.model),
            # how each checkpoint was made: the file's, or per task for a set
            **({key: made[None][key] for key in ("dataset_hash", "train_steps")} if None in made
               else {"checkpoints": made}),
            "camera": f"{width}x{height}",
            "embodiment": self.requirements.embodiment,
            "seed": self.seed,
            "threads": self.threads,
            "device": str(self.device),
        }
