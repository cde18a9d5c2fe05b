"""Observation tokens and future-frame tokens.

Observation prefix, in order: [state, instruction x n, head patches, left patches, right patches]
and, with `keypoints`, one keypoint token per view after them. Images are (batch, views, height,
width, 3) uint8 as the cameras deliver them; they are resized to the configured size, scaled to
[-1, 1], augmented in training (policies.common.augmentation) and cut into patches by one linear
patch embedding shared by the views (or, with `stem="conv"`, a stack of stride-2 convolutions down to
the same grid), plus learned per-view and per-patch position embeddings.

Why keypoints: a linear 16-pixel patch embedding says roughly where things are; a policy trained on a
few dozen scenes must put a fingertip within about a centimetre of objects at new places. A spatial
softmax over a small convolution stack's feature maps (Levine et al., 2016, "End-to-end training of
deep visuomotor policies"; robomimic's image encoder) gives image coordinates that move linearly with
what each map tracks, so the policy can interpolate between the demonstrated places.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from policies.common.augmentation import ImageAugmentation
from policies.common.configuration import STEP_SCALE, ObservationConfig, VideoConfig


def images_to_float(images: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """(..., H, W, 3) uint8 -> (N, 3, height, width) float in [-1, 1], area-resized when needed."""
    leading = images.shape[:-3]
    x = images.reshape(-1, *images.shape[-3:]).permute(0, 3, 1, 2).float() / 127.5 - 1.0
    if x.shape[-2:] != (height, width):
        x = F.interpolate(x, size=(height, width), mode="area")
    return x.reshape(*leading, 3, height, width)


class SpatialKeypoints(nn.Module):
    """(N, 3, H, W) images -> (N, width): `count` soft-argmax image points of learned feature maps, projected."""

    def __init__(self, count: int, width: int, channels: int = 32):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, channels, 3, stride=2, padding=1), nn.GELU(),
            nn.Conv2d(channels, channels, 3, padding=1), nn.GELU(),
            nn.Conv2d(channels, count, 1),
        )
        self.projection = nn.Linear(2 * count, width)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        return self.projection(torch.cat(soft_argmax(self.features(pixels)), dim=-1))


def soft_argmax(maps: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(N, K, h, w) maps -> x and y, each (N, K) in [-1, 1] (left/top edge to right/bottom edge): the mean
    pixel position under each map's softmax."""
    height, width = maps.shape[-2:]
    weights = maps.flatten(2).softmax(dim=-1).view_as(maps)
    xs = (weights.sum(dim=2) * torch.linspace(-1, 1, width, device=maps.device)).sum(dim=-1)
    ys = (weights.sum(dim=3) * torch.linspace(-1, 1, height, device=maps.device)).sum(dim=-1)
    return xs, ys


STEMS = ("linear", "conv", "none")


def patch_stem(kind: str, patch_size: int, width: int) -> nn.Module | None:
    """(N, 3, H, W) -> (N, width, H / patch_size, W / patch_size) by the configured `stem` (see ObservationConfig);
    None for "none"."""
    if kind == "none":
        return None
    if kind == "linear":
        return nn.Conv2d(3, width, kernel_size=patch_size, stride=patch_size)
    if kind != "conv":
        raise ValueError(f"unknown stem {kind!r}; known: {', '.join(STEMS)}")
    halvings = patch_size.bit_length() - 1
    if patch_size != 1 << halvings or halvings == 0:
        raise ValueError(f"the conv stem needs a patch size that is a power of two above 1, got {patch_size}")
    layers, channels = [], 3
    for index in range(halvings):
        out = min(width, 24 << index)  # 24, 48, 96, ... channels, capped at the token width
        layers += [nn.Conv2d(channels, out, 3, stride=2, padding=1), nn.GroupNorm(1, out), nn.GELU()]
        channels = out
    return nn.Sequential(*layers, nn.Conv2d(channels, width, 1))


class ObservationEncoder(nn.Module):
    def __init__(self, config: ObservationConfig, width: int):
        super().__init__()
        self.config = config
        if config.image_height % config.patch_size or config.image_width % config.patch_size:
            raise ValueError(f"image {config.image_height}x{config.image_width} is not a whole number of patches")
        self.augmentation = ImageAugmentation(config.augmentation)
        self.patch_embedding = patch_stem(config.stem, config.patch_size, width)
        if self.patch_embedding is None and not config.keypoints:
            raise ValueError('stem "none" leaves the views no tokens: give keypoints > 0')
        self.view_embedding = nn.Parameter(0.02 * torch.randn(len(config.cameras), 1, width))
        self.patch_position = (nn.Parameter(0.02 * torch.randn(1, config.patches_per_view, width))
                               if self.patch_embedding is not None else None)
        self.keypoints = SpatialKeypoints(config.keypoints, width) if config.keypoints else None
        self.state_projection = nn.Linear(config.state_dim + (1 if config.episode_step else 0), width)
        self.instruction_projection = nn.Linear(config.text_dim, config.instruction_tokens * width)
        self.width = width

    def forward(self, images: torch.Tensor, state: torch.Tensor, instruction: torch.Tensor,
                step: torch.Tensor | None = None) -> torch.Tensor:
        """images (B, V, H, W, 3) uint8, state (B, 16) normalised, instruction (B, 384), step (B,) the episode's
        control step (read when the config asks for it) -> (B, tokens, width)."""
        c = self.config
        if c.state_dropout >= 1:  # a model that never reads the joints, in training or at inference
            state = torch.zeros_like(state)
        elif self.training and c.state_dropout > 0:
            kept = torch.rand(state.shape[0], 1, device=state.device) >= c.state_dropout
            state = state * kept
        if c.episode_step:
            if step is None:
                raise ValueError("this model reads the episode step: the batch needs 'step'")
            state = torch.cat([state, step.to(state.dtype)[:, None] / STEP_SCALE], dim=1)
        batch, views = images.shape[:2]
        pixels = self.augmentation(images_to_float(images, c.image_height, c.image_width).flatten(0, 1))
        state_token = self.state_projection(state)[:, None]
        instruction_tokens = self.instruction_projection(instruction).view(batch, c.instruction_tokens, self.width)
        tokens = [state_token, instruction_tokens]
        if self.patch_embedding is not None:
            patches = self.patch_embedding(pixels).flatten(2).transpose(1, 2)  # (B*V, patches, width)
            patches = patches.view(batch, views, -1, self.width) + self.view_embedding + self.patch_position
            tokens.append(patches.flatten(1, 2))
        if self.keypoints is not None:
            tokens.append(self.keypoints(pixels).view(batch, views, self.width) + self.view_embedding[:, 0])
        return torch.cat(tokens, dim=1)


def frames_to_patches(frames: torch.Tensor, config: VideoConfig) -> torch.Tensor:
    """(B, K, H, W, 3) uint8 future frames -> (B, K * tokens_per_frame, 3 * p * p) in [-1, 1]."""
    p = config.patch_size
    x = images_to_float(frames, config.height, config.width)  # (B, K, 3, h, w)
    batch, frames_count = x.shape[:2]
    x = x.reshape(batch, frames_count, 3, config.height // p, p, config.width // p, p)
    x = x.permute(0, 1, 3, 5, 2, 4, 6)  # (B, K, rows, cols, 3, p, p)
    return x.reshape(batch, frames_count * config.tokens_per_frame, config.patch_dim)


def patches_to_frames(patches: torch.Tensor, config: VideoConfig) -> torch.Tensor:
    """Inverse of frames_to_patches: -> (B, K, h, w, 3) uint8."""
    p = config.patch_size
    rows, cols = config.height // p, config.width // p
    x = patches.reshape(patches.shape[0], config.frames, rows, cols, 3, p, p)
    x = x.permute(0, 1, 2, 5, 3, 6, 4).reshape(patches.shape[0], config.frames, config.height, config.width, 3)
    return ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
