"""`gwbench collect`: expert demonstrations for training, in HDF5.

One file per task and setting, `DIR/<task>-<setting>.h5`, in the gwbench-demos format (core.demo_format).

Demonstration seeds are 0, 1, 2, ...: RoboTwin's collection range, disjoint from the
evaluation seeds (100000 and up), so no evaluated scene is ever trained on. Each demonstration
is an episode of the one rollout loop (gwbench.episode) with a DemoRecorder observing it, so
collection has evaluation's fault handling and query timeout: a seed the expert fails, whose
scene will not settle or whose expert raises is skipped with its reason (bounded, as in the
expert check) and collection goes on. Each episode is written and
flushed as it ends, and a re-run skips episodes already in the file, so an interrupted
collection resumes where it stopped. Images are rendered only at the frame steps
training samples, never in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
from tqdm import tqdm

from core import demo_format
from core.contract import CAMERA_NAMES
from core.errors import InputError
from gwbench.episode import EpisodeObserver, run_episode
from gwbench.perturbation import PerturbedExpert
from gwbench.records import EpisodeResult
from policies.base import Policy
from policies.expert import ExpertPolicy

DEFAULT_CAMERA = (80, 64)  # width, height: what the small trained policies read
DEFAULT_FRAME_STRIDE = 4
CANDIDATE_EXTRA = 20  # candidate budget: 2 x wanted + this


@dataclass
class Demonstration:
    seed: int
    instruction: str
    success: bool
    joint_action: np.ndarray
    actions: np.ndarray
    frame_steps: np.ndarray
    images: dict[str, np.ndarray]


class DemoRecorder(EpisodeObserver):
    """Records one episode as a Demonstration: joints and actions every step, images every `frame_stride`.

    With `perturbed` (the episode's PerturbedExpert) the recorded action of each step is the one the expert
    planned, not the offset one that was played."""

    def __init__(self, frame_stride: int, perturbed: PerturbedExpert | None = None):
        self.frame_stride = frame_stride
        self.perturbed = perturbed
        self._chunk: np.ndarray | None = None
        self._chunk_start = 0
        self.joints: list[np.ndarray] = []
        self.actions: list[np.ndarray] = []
        self.frame_steps: list[int] = []
        self.images: dict[str, list[np.ndarray]] = {name: [] for name in CAMERA_NAMES}

    def on_reset(self, env, observation: dict) -> None:
        self._record(observation, 0)

    def on_query(self, output, step: int) -> None:
        if self.perturbed is not None:
            self._chunk, self._chunk_start = self.perturbed.planned, step

    def on_step(self, env, step: int, action: np.ndarray, observation: dict) -> None:
        if self._chunk is not None:
            action = self._chunk[step - 1 - self._chunk_start]
        self.actions.append(np.asarray(action, dtype=np.float32))
        self._record(observation, step)

    def _record(self, observation: dict, step: int) -> None:
        self.joints.append(np.asarray(observation["joint_action"]["vector"], dtype=np.float32))
        if step % self.frame_stride == 0:
            self.frame_steps.append(step)
            for name in CAMERA_NAMES:
                self.images[name].append(observation["observation"][name]["rgb"])

    def demonstration(self, result: EpisodeResult) -> Demonstration:
        return Demonstration(
            seed=result.seed,
            instruction=result.instruction,
            success=result.success,
            joint_action=np.stack(self.joints),
            actions=np.stack(self.actions),
            frame_steps=np.asarray(self.frame_steps, dtype=np.int32),
            images={name: np.stack(frames) for name, frames in self.images.items()},
        )


def record_episode(env, policy: Policy, seed: int, frame_stride: int,
                   query_timeout_s: float | None = None) -> tuple[EpisodeResult, Demonstration | None]:
    """Play one seed through the rollout loop, recording it; the demonstration only if it succeeded."""
    recorder = DemoRecorder(frame_stride, policy if isinstance(policy, PerturbedExpert) else None)
    result = run_episode(env, policy, seed, [recorder], query_timeout_s)
    return result, recorder.demonstration(result) if result.success else None


def open_for_append(path: Path, env, frame_stride: int, perturbation_rad: float = 0.0) -> h5py.File:
    """Open (or create) a task's demo file; an existing one must match the layout asked for (a file
    without `perturbation_rad`, from before corrective demonstrations, was collected without)."""
    expected = {
        "format": demo_format.FORMAT,
        "version": demo_format.VERSION,
        "camera_height": env.camera_spec.height,
        "camera_width": env.camera_spec.width,
        "frame_stride": frame_stride,
        "action_dim": env.embodiment.action_dim,
        "embodiment": env.embodiment.name,
        "control_freq": env.control_freq,
        "perturbation_rad": float(perturbation_rad),
    }
    file = h5py.File(path, "a")
    if "format" not in file.attrs:
        file.attrs.update(expected)
        file.create_group("episodes")
        return file
    found = {key: file.attrs.get(key) for key in expected}
    found["perturbation_rad"] = float(file.attrs.get("perturbation_rad", 0.0))
    mismatched = [f"{k}={found[k]} (asked {v})" for k, v in expected.items() if found[k] != v]
    if mismatched:
        file.close()
        raise InputError(f"demo file {path} was collected differently: {', '.join(mismatched)}; use another --out")
    return file


def write_demonstration(file: h5py.File, task: str, setting: str, demo: Demonstration) -> None:
    group = file["episodes"].create_group(f"seed{demo.seed}")
    group.attrs.update(
        task=task, setting=setting, seed=demo.seed, instruction=demo.instruction,
        success=demo.success, steps=len(demo.actions),
    )
    group.create_dataset("joint_action", data=demo.joint_action)
    group.create_dataset("actions", data=demo.actions)
    group.create_dataset("frame_steps", data=demo.frame_steps)
    for name, frames in demo.images.items():
        group.create_dataset(f"images/{name}", data=frames, compression="gzip", compression_opts=4)
    file.flush()


def collect_task(env, episodes: int, out_dir: Path, frame_stride: int, show_progress: bool,
                 policy: Policy | None = None, query_timeout_s: float | None = None,
                 perturbation_rad: float = 0.0) -> dict:
    """Collect `episodes` successful demonstrations of one task and setting; returns the tally.

    `policy` is the scripted expert unless a test hands in another (e.g. one with an injected fault).
    `perturbation_rad` > 0 makes corrective demonstrations (gwbench.perturbation)."""
    policy = policy or ExpertPolicy()
    if perturbation_rad > 0:
        policy = PerturbedExpert(policy, perturbation_rad)
    task, setting = env.task_spec.name, env.setting
    path = Path(out_dir) / f"{task}-{setting}.h5"
    with open_for_append(path, env, frame_stride, perturbation_rad) as file:
        done = {int(name.removeprefix("seed")) for name in file["episodes"]}
        kept, tried, seed = len(done), 0, 0
        budget = 2 * episodes + CANDIDATE_EXTRA
        bar = tqdm(total=episodes, initial=min(kept, episodes), desc=f"collect {task} [{setting}]", unit="demo",
                   disable=not show_progress)
        while kept < episodes and tried < budget:
            if seed not in done:
                tried += 1
                result, demo = record_episode(env, policy, seed, frame_stride, query_timeout_s)
                if demo is not None:
                    write_demonstration(file, task, setting, demo)
                    kept += 1
                    bar.update(1)
                else:  # unstable scene, failed plan or a fault: skip the seed
                    bar.set_postfix(skipped=f"seed {seed}: {result.error or 'not solved'}"[:60])
            seed += 1
        bar.close()
    return {"task": task, "setting": setting, "demos": kept, "tried": tried, "file": str(path)}
