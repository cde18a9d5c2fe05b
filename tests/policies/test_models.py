"""The three learned architectures: attention masks, shapes, the policy adapters and their checkpoints."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from core.errors import InputError
from gwbench.bench_latency import bench_latency, motus_ratios
from policies import TaskInfo, make_policy
from policies.common.architectures import ARCHITECTURES, build_model
from policies.common.checkpoint import save_checkpoint
from policies.common.configuration import with_overrides
from policies.common.encoding import soft_argmax
from tests.policies.test_training import fake_embedding, tiny_config


def random_batch(config, batch_size=2, seed=0) -> dict:
    generator = torch.Generator().manual_seed(seed)
    c = config.observation
    return {
        "images": torch.randint(0, 256, (batch_size, 3, c.image_height, c.image_width, 3), generator=generator,
                                dtype=torch.uint8),
        "state": torch.randn(batch_size, c.state_dim, generator=generator),
        "instruction": torch.randn(batch_size, c.text_dim, generator=generator),
        "targets": torch.randn(batch_size, config.action.chunk, config.action.dim, generator=generator),
        "future": torch.randint(0, 256, (batch_size, 4, 64, 80, 3), generator=generator, dtype=torch.uint8),
    }


def tiny_model(name: str, seed: int = 0):
    torch.manual_seed(seed)
    return build_model(name, tiny_config(name)).eval()


@pytest.mark.parametrize("name, video_reaches_actions", [("gigaworld", False), ("motus", True)])
def test_future_video_reaches_the_actions_only_under_full_attention(name, video_reaches_actions):
    model = tiny_model(name)
    batch = random_batch(model.config)
    generator = torch.Generator().manual_seed(1)
    noisy_actions = torch.randn(2, 16, 16, generator=generator)
    video = torch.randn(2, model.config.video.num_tokens, model.config.video.patch_dim, generator=generator)
    t = torch.tensor([0.3, 0.8])
    with torch.no_grad():
        prefix = model.encode_prefix(batch)
        actions, videos = model.velocities(prefix, noisy_actions, video, t)
        perturbed, perturbed_videos = model.velocities(prefix, noisy_actions, video + 3 * torch.randn_like(video), t)
    assert not torch.equal(videos, perturbed_videos)
    assert torch.equal(actions, perturbed) is not video_reaches_actions  # bit-identical for gigaworld


def test_gigaworld_actions_are_the_same_with_or_without_video_generation():
    model = tiny_model("gigaworld")
    batch = random_batch(model.config)
    actions, no_video = model.sample(batch, generator=torch.Generator().manual_seed(5))
    with_video, frames = model.sample(batch, video=True, generator=torch.Generator().manual_seed(5))
    assert no_video is None
    torch.testing.assert_close(actions, with_video, rtol=1e-5, atol=1e-5)  # cached vs full pass: rounding only
    assert frames.shape == (2, 4, 32, 40, 3) and frames.dtype == torch.uint8


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_models_give_finite_losses_and_chunks_of_the_configured_shape(name):
    model = tiny_model(name)
    batch = random_batch(model.config)
    loss, logs = model.train().loss(batch)
    loss.backward()
    assert torch.isfinite(loss) and logs["loss"] == pytest.approx(loss.item())
    actions, frames = model.eval().sample(batch, steps=3)
    assert actions.shape == (2, 16, 16) and torch.isfinite(actions).all()
    assert (frames is None) == (name != "motus")  # gigaworld generates video only when asked


def test_soft_argmax_finds_each_maps_peak():
    maps = torch.full((1, 2, 5, 9), -30.0)
    maps[0, 0, 0, 0] = maps[0, 1, 3, 6] = 30.0  # top-left corner; row 3 of 5, column 6 of 9
    xs, ys = soft_argmax(maps)
    torch.testing.assert_close(xs, torch.tensor([[-1.0, 0.5]]))
    torch.testing.assert_close(ys, torch.tensor([[-1.0, 0.5]]))


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_keypoint_tokens_add_one_token_per_view_and_train(name):
    config = with_overrides(tiny_config(name), {"observation": {"keypoints": 4}})
    model = build_model(name, config)
    batch = random_batch(config)
    prefix = model.encoder(batch["images"], batch["state"], batch["instruction"])
    assert prefix.shape[1] == config.observation.num_tokens == tiny_config(name).observation.num_tokens + 3
    loss, _ = model.train().loss(batch)
    loss.backward()
    assert model.encoder.keypoints.projection.weight.grad.abs().sum() > 0  # the actions' loss reaches them
    actions, _ = model.eval().sample(batch, steps=2)
    assert actions.shape == (2, 16, 16) and torch.isfinite(actions).all()


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_the_conv_stem_gives_the_linear_stems_tokens_and_trains(name):
    config = with_overrides(tiny_config(name), {"observation": {"stem": "conv"}})
    model = build_model(name, config)
    batch = random_batch(config)
    linear = build_model(name, tiny_config(name)).encoder(batch["images"], batch["state"], batch["instruction"])
    prefix = model.encoder(batch["images"], batch["state"], batch["instruction"])
    assert prefix.shape == linear.shape
    loss, _ = model.train().loss(batch)
    loss.backward()
    first = model.encoder.patch_embedding[0]
    assert first.kernel_size == (3, 3) and first.weight.grad.abs().sum() > 0  # the actions' loss reaches the pixels
    actions, _ = model.eval().sample(batch, steps=2)
    assert torch.isfinite(actions).all()


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_without_patches_the_views_speak_only_through_their_keypoints(name):
    config = with_overrides(tiny_config(name), {"observation": {"stem": "none", "keypoints": 4}})
    model = build_model(name, config)
    batch = random_batch(config)
    prefix = model.encoder(batch["images"], batch["state"], batch["instruction"])
    assert prefix.shape[1] == config.observation.num_tokens == 1 + config.observation.instruction_tokens + 3
    loss, _ = model.train().loss(batch)
    loss.backward()
    assert model.encoder.keypoints.features[0].weight.grad.abs().sum() > 0
    moved = torch.roll(batch["images"], shifts=5, dims=3)  # the scene moved 5 pixels right
    with torch.no_grad():
        encoder = model.encoder.eval()
        here, there = (encoder(images, batch["state"], batch["instruction"]) for images in (batch["images"], moved))
    assert torch.equal(here[:, :3], there[:, :3]) and not torch.allclose(here[:, 3:], there[:, 3:])


@pytest.mark.parametrize("overrides, message", [
    ({"stem": "resnet"}, "unknown stem 'resnet'; known: linear, conv, none"),
    ({"stem": "none"}, "give keypoints > 0"),
    ({"stem": "conv", "patch_size": 8, "image_height": 24, "image_width": 24}, None),
    ({"stem": "conv", "patch_size": 12, "image_height": 24, "image_width": 24}, "power of two"),
])
def test_a_stem_the_encoder_cannot_build_is_a_one_line_error(overrides, message):
    if message is None:  # an 8-pixel grid: three halvings
        model = build_model("pi05", with_overrides(tiny_config("pi05"), {"observation": overrides}))
        assert sum(isinstance(layer, torch.nn.GroupNorm) for layer in model.encoder.patch_embedding) == 3
        return
    with pytest.raises(ValueError, match=message):
        build_model("pi05", with_overrides(tiny_config("pi05"), {"observation": overrides}))


def test_default_models_are_equal_sized_where_it_matters():
    counts = {name: sum(p.numel() for p in build_model(name).parameters()) for name in ARCHITECTURES}
    assert counts["gigaworld"] == counts["motus"]
    assert build_model("gigaworld").token_counts == {"prefix": 63, "action": 16, "video": 80}


def save_fresh(name, path):
    model = tiny_model(name)
    save_checkpoint(model, path, {"camera": {"width": 80, "height": 64}, "steps": 0})
    return path


def fake_observation(rng) -> dict:
    joints = rng.uniform(-1, 1, size=16).astype(np.float32)
    joints[[7, 15]] = 1.0
    cameras = ("head_camera", "left_camera", "right_camera")
    return {
        "observation": {camera: {"rgb": rng.integers(0, 256, (64, 80, 3), dtype=np.uint8)} for camera in cameras},
        "joint_action": {"vector": joints},
        "instruction": "put the green block on the red block",
    }


def test_adapter_returns_absolute_chunks_within_limits_with_the_real_sentence_encoder(tmp_path):
    info = TaskInfo("stack_blocks_two", "clean", 100000, "put the green block on the red block", 800, 16,
                    np.full(16, -2.9), np.full(16, 2.9), 20, "franka-panda")
    info.action_low[[7, 15]], info.action_high[[7, 15]] = 0.0, 1.0
    checkpoint = save_fresh("gigaworld", tmp_path / "gw.safetensors")
    policy = make_policy("gigaworld", checkpoint=str(checkpoint), video=True)
    assert policy.requirements.camera == (80, 64)
    policy.reset(info)
    observation = fake_observation(np.random.default_rng(0))
    output = policy.act(observation)
    chunk = output.actions
    assert chunk.shape == (16, 16) and np.all(np.isfinite(chunk))
    assert np.all(chunk >= info.action_low) and np.all(chunk <= info.action_high)
    assert output.imagined.shape == (4, 32, 40, 3)
    policy.reset(info)
    np.testing.assert_array_equal(policy.act(observation).actions, chunk)  # same episode seed, same chunk
    description = policy.describe()
    assert description["checkpoint_sha256"] and description["chunk"] == 16 and description["video"] is True
    assert description["denoising_steps"] == 10 and description["parameters"] > 0


def test_a_shorter_horizon_executes_the_start_of_the_same_chunk(tmp_path, monkeypatch):
    from policies.common import language

    monkeypatch.setattr(language, "embed_instruction", fake_embedding)
    checkpoint = str(save_fresh("pi05", tmp_path / "pi05.safetensors"))
    observation = fake_observation(np.random.default_rng(0))
    whole = make_policy("pi05", checkpoint=checkpoint).act(observation).actions
    short = make_policy("pi05", checkpoint=checkpoint, horizon=4)
    np.testing.assert_array_equal(short.act(observation).actions, whole[:4])
    assert short.describe()["horizon"] == 4 and whole.shape[0] == 16
    with pytest.raises(ValueError, match=r"horizon must be between 1 and the checkpoint's chunk of 16 actions, got 17"):
        make_policy("pi05", checkpoint=checkpoint, horizon=17)


def test_missing_and_corrupt_checkpoints_are_one_line_errors(tmp_path, monkeypatch):
    from policies.common import language

    monkeypatch.setattr(language, "embed_instruction", fake_embedding)

    def error(name, path):
        with pytest.raises(ValueError) as caught:
            make_policy(name, checkpoint=str(path))
        message = str(caught.value)
        assert "\n" not in message and str(path) in message
        return message

    assert "file not found" in error("gigaworld", tmp_path / "absent.safetensors")
    good = save_fresh("gigaworld", tmp_path / "good.safetensors")
    assert "holds architecture 'gigaworld'" in error("pi05", good)
    garbage = tmp_path / "garbage.safetensors"
    garbage.write_bytes(b"not safetensors at all")
    assert "sidecar garbage.json is missing" in error("gigaworld", garbage)
    garbage.with_suffix(".json").write_text(good.with_suffix(".json").read_text())
    assert "not a readable safetensors file" in error("gigaworld", garbage)
    sidecar = json.loads(good.with_suffix(".json").read_text())
    sidecar["config"]["backbone"]["width"] = 48
    good.with_suffix(".json").write_text(json.dumps(sidecar))
    assert "weights do not match" in error("gigaworld", good)


def test_latency_bench_measures_every_model_on_equal_terms():
    rows = bench_latency(repeats=1, warmup=0, steps=2, threads=None)
    assert [row["model"] for row in rows] == ["gigaworld (action-only)", "gigaworld (video=True)", "motus", "pi05"]
    assert all(row["median_ms"] > 0 and row["gflops"] > 0 for row in rows)
    assert motus_ratios(rows)[0]["flops"] > 2


def test_the_paper_layout_holds_the_published_token_counts_at_every_width():
    from gwbench.latency_layouts import PAPER_WIDTHS, paper_configs
    from policies.common.architectures import build_model

    layouts = paper_configs(("gigaworld", "motus", "pi05"))
    assert [width for width, _ in layouts] == list(PAPER_WIDTHS) == [128, 256, 512]
    counts = {name: build_model(name, config).token_counts for name, config in layouts[0][1].items()}
    # state + 64 text + one 12 x 10 latent frame; 48 actions; one future latent frame (GWP-0.5)
    assert counts["gigaworld"] == {"prefix": 185, "action": 48, "video": 120}
    # state + 64 text + 120 VLM image tokens + the 120-token condition frame; 48 actions; 2 future latent frames
    assert counts["motus"] == {"prefix": 305, "action": 48, "video": 240}
    # state + 199 text (max_token_len 200 with the state) + 3 x 256 SigLIP tokens; 50 actions
    assert counts["pi05"] == {"prefix": 968, "action": 50}
    assert {config.backbone.width for _, configs in layouts for config in configs.values()} == set(PAPER_WIDTHS)


def test_an_unknown_layout_is_bad_input_naming_the_known_ones():
    from argparse import Namespace

    from gwbench.bench_latency import main

    with pytest.raises(InputError, match="--layout: unknown layout 'papr'; known: trained, paper"):
        main(Namespace(policies=None, repeats=1, layout="papr"))


def test_a_learned_policy_counts_its_flops_per_query_for_the_gate(tmp_path):
    checkpoint = str(save_fresh("gigaworld", tmp_path / "gw.safetensors"))
    action_only = make_policy("gigaworld", checkpoint=checkpoint).flops_per_query()
    assert action_only == make_policy("gigaworld", checkpoint=checkpoint).flops_per_query() > 0  # deterministic
    # the options it runs with count: generating video, or fewer denoising steps, change the arithmetic
    assert make_policy("gigaworld", checkpoint=checkpoint, video=True).flops_per_query() > action_only
    assert make_policy("gigaworld", checkpoint=checkpoint, steps=2).flops_per_query() < action_only


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_a_model_that_reads_the_episode_step_needs_it_and_acts_on_it(name):
    torch.manual_seed(0)
    model = build_model(name, with_overrides(tiny_config(name), {"observation": {"episode_step": True}})).eval()
    batch = random_batch(model.config)
    batch.pop("step", None)
    with pytest.raises(ValueError, match="reads the episode step: the batch needs 'step'"):
        model.sample(batch, steps=2)
    early, late = ({**batch, "step": torch.full((batch["state"].shape[0],), value)} for value in (0.0, 90.0))
    first, second = (model.sample(b, steps=2, generator=torch.Generator().manual_seed(1)) for b in (early, late))
    first, second = (out[0] if isinstance(out, tuple) else out for out in (first, second))
    assert not torch.allclose(first, second)


def test_the_adapter_tells_a_step_reading_model_the_steps_played_this_episode(tmp_path, monkeypatch):
    from policies.common import language

    monkeypatch.setattr(language, "embed_instruction", fake_embedding)
    torch.manual_seed(0)
    model = build_model("pi05", with_overrides(tiny_config("pi05"), {"observation": {"episode_step": True}}))
    save_checkpoint(model, tmp_path / "pi05.safetensors", {"camera": {"width": 80, "height": 64}, "steps": 0})
    policy = make_policy("pi05", checkpoint=str(tmp_path / "pi05.safetensors"), horizon=4)
    seen, original = [], policy.model.sample

    def recording_sample(batch, **options):
        seen.append(batch["step"].item())
        return original(batch, **options)

    monkeypatch.setattr(policy.model, "sample", recording_sample)
    info = TaskInfo("stack_blocks_two", "clean", 100000, "stack", 800, 16, np.full(16, -3.0), np.full(16, 3.0), 20,
                    "franka-panda")
    observation = fake_observation(np.random.default_rng(0))
    for _ in range(2):  # two episodes: the count starts again at each reset
        policy.reset(info)
        policy.act(observation)
        policy.act(observation)
    assert seen == [0.0, 4.0, 0.0, 4.0]


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_noise_scale_zero_makes_the_chunk_a_function_of_the_observation(name):
    model = tiny_model(name)
    batch = random_batch(model.config)

    def actions(seed, scale):
        out = model.sample(batch, steps=2, generator=torch.Generator().manual_seed(seed), noise_scale=scale)
        return out[0] if isinstance(out, tuple) else out

    assert torch.equal(actions(1, 0.0), actions(2, 0.0))
    assert not torch.allclose(actions(1, 1.0), actions(2, 1.0))


def test_the_adapter_passes_its_noise_scale_and_checks_it(tmp_path, monkeypatch):
    from policies.common import language

    monkeypatch.setattr(language, "embed_instruction", fake_embedding)
    checkpoint = str(save_fresh("pi05", tmp_path / "pi05.safetensors"))
    observation = fake_observation(np.random.default_rng(0))
    chunks = [make_policy("pi05", checkpoint=checkpoint, seed=seed, noise_scale=0).act(observation).actions
              for seed in (0, 1)]
    np.testing.assert_array_equal(*chunks)  # no noise: the policy seed changes nothing
    assert make_policy("pi05", checkpoint=checkpoint, noise_scale=0.5).describe()["noise_scale"] == 0.5
    with pytest.raises(ValueError, match="noise_scale must be between 0 and 1, got 2"):
        make_policy("pi05", checkpoint=checkpoint, noise_scale=2)


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_state_dropout_hides_the_joints_in_training_and_at_one_always(name):
    def losses(dropout, train, state_seed):
        torch.manual_seed(0)
        model = build_model(name, with_overrides(tiny_config(name), {"observation": {"state_dropout": dropout}}))
        model.train(train)
        batch = random_batch(model.config)
        batch["state"] = torch.randn(batch["state"].shape, generator=torch.Generator().manual_seed(state_seed))
        torch.manual_seed(1)  # the same noise, flow times and dropout draws for both states
        return model.loss(batch)[0].item()

    assert losses(1.0, True, 1) == losses(1.0, True, 2)  # never read, in training ...
    assert losses(1.0, False, 1) == losses(1.0, False, 2)  # ... or at inference
    assert losses(0.5, False, 1) != losses(0.5, False, 2)  # dropout 0.5 reads them at inference
    assert losses(0.0, True, 1) != losses(0.0, True, 2)
