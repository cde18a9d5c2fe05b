"""`gigaworld`, `motus`, `pi05`: the learned policies, loaded from checkpoints made by policies.training.

These factories are light; the model code (torch) loads when one is made (policies.common.policy).
Per query: the three camera images (this renders them), the measured joints and the instruction go
in; a chunk of H absolute joint targets comes out (predicted joint deltas added to the current
joints, grippers clipped to [0, 1], everything clipped to the task's action limits).
"""

from __future__ import annotations

from pathlib import Path

from core.paths import default_checkpoint_set


def _load(name: str, checkpoint: str | None, video: bool, sample_options: dict, **options):
    from policies.common.policy import LearnedPolicy  # torch and the models: only when one is asked for

    return LearnedPolicy(name, Path(checkpoint) if checkpoint else default_checkpoint_set(),
                         video=video, sample_options=sample_options, **options)


def gigaworld(checkpoint: str | None = None, device: str = "cpu", video: bool = False, steps: int | None = None,
              seed: int = 0, threads: int | None = 1, horizon: int | None = None,
              noise_scale: float = 1.0):
    """GigaWorld-Policy; `video=True` also generates the future head-camera frames (PolicyOutput.imagined)."""
    return _load("gigaworld", checkpoint, bool(video), {"video": bool(video)}, device=device, steps=steps, seed=seed,
                 threads=threads, horizon=horizon, noise_scale=noise_scale)


def motus(checkpoint: str | None = None, device: str = "cpu", steps: int | None = None, seed: int = 0,
          threads: int | None = 1, horizon: int | None = None,
              noise_scale: float = 1.0):
    """Motus-style joint video-action model; it always generates the future frames (PolicyOutput.imagined)."""
    return _load("motus", checkpoint, True, {}, device=device, steps=steps, seed=seed, threads=threads,
                 horizon=horizon, noise_scale=noise_scale)


def pi05(checkpoint: str | None = None, device: str = "cpu", steps: int | None = None, seed: int = 0,
         threads: int | None = 1, horizon: int | None = None,
              noise_scale: float = 1.0):
    """pi-0.5-style prefix encoder + action expert; no video."""
    return _load("pi05", checkpoint, False, {}, device=device, steps=steps, seed=seed, threads=threads,
                 horizon=horizon, noise_scale=noise_scale)
