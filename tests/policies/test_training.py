"""Demonstration dataset, training loop and checkpoints of the learned policies (synthetic data, no simulator)."""

from __future__ import annotations

import dataclasses
import json

import h5py
import numpy as np
import pytest
import torch

from policies.common import language
from policies.common.architectures import ARCHITECTURES
from policies.common.checkpoint import load_checkpoint
from policies.common.configuration import CAMERAS, TransformerConfig, with_overrides
from policies.common.data import DemoDataset
from policies.training import train
from policies.training_schedule import TrainingSettings

STRIDE = 4


def tiny_config(name: str):
    """The default architecture at a size that trains in milliseconds per step."""
    config = ARCHITECTURES[name][0]()
    config = dataclasses.replace(config, backbone=TransformerConfig(width=32, depth=1, heads=2))
    if name == "pi05":
        config = dataclasses.replace(config, expert=TransformerConfig(width=16, depth=1, heads=2))
    return config


def fake_embedding(text: str) -> np.ndarray:
    """A fixed unit vector per string: stands in for the sentence encoder where its weights don't matter."""
    vector = np.random.default_rng(sum(text.encode())).normal(size=language.TEXT_DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


@pytest.fixture
def fake_language(monkeypatch):
    monkeypatch.setattr(language, "embed_instruction", fake_embedding)


def write_demos(path, episodes=2, steps=(21, 14), seed=0):
    """A gwbench-demos file of smooth random joint trajectories and random images."""
    rng = np.random.default_rng(seed)
    with h5py.File(path, "w") as handle:
        handle.attrs.update(format="gwbench-demos", version=1, camera_height=64, camera_width=80,
                            frame_stride=STRIDE, action_dim=16)
        for index in range(episodes):
            length = steps[index % len(steps)]
            joints = np.cumsum(rng.normal(0, 0.02, size=(length + 1, 16)), axis=0).astype(np.float32)
            joints[:, [7, 15]] = rng.integers(0, 2, size=(1, 2))
            group = handle.create_group(f"episodes/ep{index:03d}")
            group.attrs.update(task="stack_blocks_two", setting="clean", seed=100000 + index,
                               instruction=f"stack the blocks {index}", success=True, steps=length)
            group["joint_action"] = joints
            group["actions"] = joints[1:]
            frame_steps = np.arange(0, length + 1, STRIDE, dtype=np.int32)
            group["frame_steps"] = frame_steps
            for camera in CAMERAS:
                group[f"images/{camera}"] = rng.integers(0, 256, size=(len(frame_steps), 64, 80, 3), dtype=np.uint8)
    return path


@pytest.fixture
def demo_dir(tmp_path, fake_language):
    write_demos(tmp_path / "demos.h5")
    return tmp_path


def test_dataset_samples_follow_the_layout(demo_dir):
    dataset = DemoDataset(demo_dir)
    with h5py.File(demo_dir / "demos.h5") as handle:
        episode = handle["episodes/ep000"]
        joints, actions, head = episode["joint_action"][()], episode["actions"][()], episode["images/head_camera"][()]
    # episode 0: 21 steps, frames at 0, 4, ..., 20 (all < 21); episode 1: 14 steps, frames 0..12
    assert len(dataset) == 6 + 4
    last = dataset[5]  # step 20: one action left, then the last one repeated
    assert last["images"].shape == (3, 64, 80, 3) and last["images"].dtype == torch.uint8
    np.testing.assert_array_equal(last["state"].numpy(), joints[20])
    assert last["step"].item() == 20.0 and dataset[1]["step"].item() == 4.0  # the control step of the frame
    expected = actions[[20] * 16].copy()
    expected[:, :7] -= joints[20, :7]
    expected[:, 8:15] -= joints[20, 8:15]
    np.testing.assert_allclose(last["targets"].numpy(), expected, atol=1e-6)
    first = dataset[0]
    np.testing.assert_array_equal(first["future"].numpy(), head[[1, 2, 3, 4]])
    np.testing.assert_array_equal(dataset[4]["future"].numpy(), head[[5, 5, 5, 5]])
    np.testing.assert_array_equal(first["instruction"].numpy(), fake_embedding("stack the blocks 0"))
    stats = dataset.statistics()
    assert stats["action_std"].shape == (16,) and np.all(np.isfinite(stats["action_mean"]))


def test_training_lowers_the_loss_and_writes_its_records(demo_dir, tmp_path):
    out = tmp_path / "ckpt" / "gigaworld.safetensors"
    # Random images carry nothing to learn through shifts and jitter: augmentation off, the targets memorised.
    config = with_overrides(tiny_config("gigaworld"), {"observation": {"augmentation": {"shift": 0, "brightness": 0,
                                                                                         "contrast": 0}}})
    sidecar = train("gigaworld", demo_dir, out, TrainingSettings(steps=40, batch_size=8, lr=3e-3, warmup_steps=5),
                    config=config, show_progress=False)
    rows = np.genfromtxt(out.with_name("gigaworld.loss.csv"), delimiter=",", names=True)
    assert rows["action_loss"][-10:].mean() < 0.7 * rows["action_loss"][:10].mean()
    assert out.with_name("gigaworld.loss.png").stat().st_size > 0
    on_disk = json.loads(out.with_suffix(".json").read_text())
    assert on_disk == sidecar
    assert sidecar["policy"] == "gigaworld" and sidecar["steps"] == 40
    assert sidecar["parameters"] > 10_000 and len(sidecar["dataset"]["hash"]) == 64
    assert sidecar["camera"] == {"width": 80, "height": 64} and sidecar["frame_stride"] == STRIDE
    assert set(sidecar["final_losses"]) == {"loss", "action_loss", "video_loss"}
    model, _ = load_checkpoint(out, "gigaworld")
    np.testing.assert_allclose(model.normalizer.action_std.numpy(), sidecar["normalization"]["action_std"])


@pytest.mark.parametrize("name", ["gigaworld", "motus", "pi05"])
def test_training_is_deterministic_given_the_seed(demo_dir, tmp_path, name):
    def weights(seed, tag):
        out = tmp_path / f"{name}-{tag}.safetensors"
        train(name, demo_dir, out, TrainingSettings(steps=3, batch_size=4, seed=seed), config=tiny_config(name),
              show_progress=False)
        return out.read_bytes()

    first = weights(0, "a")
    assert weights(0, "b") == first
    assert weights(1, "c") != first


def test_checkpoint_round_trip_gives_the_same_model(demo_dir, tmp_path):
    out = tmp_path / "pi05.safetensors"
    train("pi05", demo_dir, out, TrainingSettings(steps=2, batch_size=4), config=tiny_config("pi05"),
          show_progress=False)
    first, sidecar = load_checkpoint(out, "pi05")
    second, _ = load_checkpoint(out, "pi05")
    batch = DemoDataset(demo_dir)[0]
    batch = {key: value[None] for key, value in batch.items()}
    a, _ = first.sample(batch, generator=torch.Generator().manual_seed(0))
    b, _ = second.sample(batch, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert sidecar["config"]["expert"]["width"] == 16


def test_an_unreadable_demo_file_is_one_line(tmp_path):
    from policies.common.data import DemoDataset

    (tmp_path / "broken.h5").write_bytes(b"not hdf5 at all")
    with pytest.raises(ValueError, match="broken.h5: cannot read it as HDF5"):
        DemoDataset(tmp_path)
