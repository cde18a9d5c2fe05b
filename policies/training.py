"""Training a learned policy on expert demonstrations: `gwbench train` calls `train`.

Deterministic given the seed: the model is initialised, the data order drawn and the flow-matching
noise sampled from seeded generators, on the CPU, in one process (no data-loader workers). Writes
the checkpoint (`out_path`, .safetensors), its JSON sidecar, and the loss curve beside them as
`<stem>.loss.csv` and `<stem>.loss.png`.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import torch
from tqdm import tqdm

from core.errors import InputError
from policies.common.architectures import ARCHITECTURES, build_model, check_architecture
from policies.common.checkpoint import save_checkpoint
from policies.common.configuration import for_action_width
from policies.common.data import DemoDataset, dataset_hash, demo_action_width

LOSS_COLUMNS = ("step", "loss", "action_loss", "video_loss")


def batches(dataset: DemoDataset, batch_size: int, generator: torch.Generator):
    """Endless shuffled mini-batches; each pass over the data draws a new permutation from `generator`."""
    batch_size = min(batch_size, len(dataset))
    while True:
        order = torch.randperm(len(dataset), generator=generator).tolist()
        for start in range(0, len(order) - batch_size + 1, batch_size):
            samples = [dataset[index] for index in order[start : start + batch_size]]
            yield {key: torch.stack([sample[key] for sample in samples]) for key in samples[0]}


def write_loss_curve(rows: list[dict], stem: Path) -> None:
    with open(stem.with_suffix(".loss.csv"), "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=LOSS_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(6, 3.5))
    for column in LOSS_COLUMNS[1:]:
        if column in rows[0]:
            axes.plot([row["step"] for row in rows], [row[column] for row in rows], label=column)
    axes.set_xlabel("step")
    axes.set_ylabel("flow-matching loss")
    axes.set_yscale("log")
    axes.set_title(stem.name)
    axes.legend()
    figure.tight_layout()
    figure.savefig(stem.with_suffix(".loss.png"), dpi=100)
    pyplot.close(figure)


def train(
    policy_name: str,
    data_dir: str | Path,
    steps: int,
    out_path: str | Path,
    seed: int = 0,
    batch_size: int = 32,
    lr: float = 3e-4,
    weight_decay: float = 1e-4,
    config=None,
    show_progress: bool = True,
) -> dict:
    """Train `policy_name` for `steps` optimiser steps on DIR/*.h5; returns the checkpoint's sidecar."""
    if steps < 1:
        raise InputError(f"steps must be >= 1, got {steps}")
    out_path = Path(out_path)
    if out_path.suffix != ".safetensors":
        raise InputError(f"{out_path}: the checkpoint path must end in .safetensors")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    if config is None:  # the architecture's defaults, fitted to the demos' robot (its action width)
        config = for_action_width(ARCHITECTURES[check_architecture(policy_name)][0](), demo_action_width(data_dir))
    model = build_model(policy_name, config)
    video = getattr(model.config, "video", None)  # pi05 models no video: one future frame is read and unused
    future_frames = video.frames if video is not None else 1
    dataset = DemoDataset(data_dir, model.config.action, future_frames, model.config.observation.cameras)
    model.normalizer.set_statistics(dataset.statistics())
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    data = batches(dataset, batch_size, torch.Generator().manual_seed(seed))
    rows: list[dict] = []
    started = time.perf_counter()
    progress = tqdm(range(1, steps + 1), desc=f"train {policy_name}", disable=not show_progress, unit="step")
    for step in progress:
        loss, logs = model.loss(next(data))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        rows.append({"step": step, **logs})
        progress.set_postfix(loss=f"{logs['loss']:.4f}")
    wall_s = time.perf_counter() - started
    write_loss_curve(rows, out_path.parent / out_path.stem)
    tail = rows[-min(len(rows), 20):]  # one step's loss is noisy (random t): report the last 20 averaged
    final = {key: sum(row[key] for row in tail) / len(tail) for key in rows[-1] if key != "step"}
    record = {
        "dataset": {"hash": dataset_hash(dataset.files), "files": [p.name for p in dataset.files],
                    "episodes": len(dataset.episodes), "samples": len(dataset)},
        "camera": {"width": dataset.camera_width, "height": dataset.camera_height},
        "frame_stride": dataset.frame_stride,
        "embodiment": dataset.embodiment,
        "steps": steps,
        "seed": seed,
        "batch_size": min(batch_size, len(dataset)),
        "lr": lr,
        "weight_decay": weight_decay,
        "final_losses": final,
        "train_wall_s": round(wall_s, 1),
    }
    model.eval()
    return save_checkpoint(model, out_path, record)
