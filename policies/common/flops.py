"""Counting a query's arithmetic: one synthetic observation through a model's `sample`, under torch's
FlopCounterMode. The count depends only on the architecture, its sizes and the sample options (steps,
video), never on the weights or the observation's values, so it is the same on every machine and
every day: the gate compares it exactly, and `gwbench bench latency` reports it next to wall time.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode


def synthetic_batch(config, seed: int = 0) -> dict[str, torch.Tensor]:
    """One observation as a model sees it: three uint8 views, a joint vector, a unit instruction embedding."""
    rng = np.random.default_rng(seed)
    c = config.observation
    images = rng.integers(0, 256, size=(1, len(c.cameras), c.image_height, c.image_width, 3), dtype=np.uint8)
    instruction = rng.normal(size=(1, c.text_dim)).astype(np.float32)
    return {
        "images": torch.from_numpy(images),
        "state": torch.from_numpy(rng.uniform(-1, 1, size=(1, c.state_dim)).astype(np.float32)),
        "instruction": torch.from_numpy(instruction / np.linalg.norm(instruction)),
        "step": torch.tensor([10.0]),
    }


def query_flops(model, batch: dict[str, torch.Tensor], options: dict) -> int:
    """FLOPs of `model.sample(batch, **options)`."""
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model.sample(batch, **options)
    return counter.get_total_flops()
