"""`gwbench bench training`: seconds per training step of each learned architecture, at its default sizes
and at the reference protocol's (policies/reference_protocol.json), on one torch thread.

What the protocol's step budget costs on this machine: synthetic batches of the protocol's batch size
and the default embodiment's action width (no demonstrations or simulator needed), a few warm-up
steps, then the median over timed steps of forward, backward and AdamW update, with augmentation
on as in training. The sizes interleave per architecture so a change in machine load hits both.
"""

from __future__ import annotations

import statistics
import time

import torch

from core.errors import InputError
from gwbench.cli.parser import parse_name_list
from gwbench.summary import format_table

DEFAULT_REPEATS = 6
WARMUP = 2
ACTION_WIDTH = 14  # aloha-agilex, the default embodiment


def training_batch(config, batch_size: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
    o, video = config.observation, getattr(config, "video", None)
    frames = video.frames if video is not None else 1
    pixels = lambda *shape: torch.randint(0, 256, shape, dtype=torch.uint8, generator=generator)  # noqa: E731
    return {
        "images": pixels(batch_size, len(o.cameras), 64, 80, 3),  # the demos' camera, resized by the model
        "state": torch.randn(batch_size, o.state_dim, generator=generator),
        "instruction": torch.randn(batch_size, o.text_dim, generator=generator),
        "targets": torch.randn(batch_size, config.action.chunk, config.action.dim, generator=generator),
        "future": pixels(batch_size, frames, 64, 80, 3),
        "step": torch.randint(0, 400, (batch_size,), generator=generator).float(),  # read with `episode_step`
    }


def seconds_per_step(model, batch: dict, repeats: int) -> float:
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    model.train()
    times = []
    for index in range(WARMUP + repeats):
        start = time.perf_counter()
        loss, _ = model.loss(batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if index >= WARMUP:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(args) -> int:
    from gwbench.reference_protocol import load_protocol
    from policies.common.architectures import ARCHITECTURES, build_model
    from policies.common.configuration import for_action_width, with_overrides

    protocol = load_protocol()
    names = parse_name_list(args.policies, "--policies") or list(protocol["architectures"])
    for name in names:
        if name not in protocol["architectures"]:
            raise InputError(f"--policies: unknown architecture '{name}'; known: {', '.join(protocol['architectures'])}")
    repeats = DEFAULT_REPEATS if args.repeats is None else args.repeats
    if repeats < 1:
        raise InputError(f"--repeats must be >= 1, got {repeats}")
    torch.set_num_threads(1)
    batch_size, steps = protocol["training"]["batch_size"], protocol["training"]["steps"]
    rows = []
    for name in names:
        default = for_action_width(ARCHITECTURES[name][0](), ACTION_WIDTH)
        for label, config in (("default", default), ("protocol", with_overrides(default, protocol["architectures"][name]))):
            torch.manual_seed(0)
            model = build_model(name, config)
            batch = training_batch(config, batch_size, torch.Generator().manual_seed(0))
            seconds = seconds_per_step(model, batch, repeats)
            tokens = sum(model.token_counts.values())
            rows.append({"model": name, "sizes": label, "tokens": tokens, "s_per_step": round(seconds, 3),
                         "minutes": round(seconds * steps / 60, 1)})
    print(f"batch {batch_size}, 1 torch thread, median of {repeats} steps after {WARMUP} warm-up; "
          f"minutes for the protocol's {steps} steps at that speed")
    columns = [("model", "model"), ("sizes", "sizes"), ("tokens", "tokens per sample"),
               ("s_per_step", "s/step"), ("minutes", f"min per {steps} steps")]
    print(format_table(rows, columns))
    return 0
