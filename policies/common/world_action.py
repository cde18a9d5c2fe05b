"""What GigaWorld-Policy and the Motus-style baseline share: one backbone over
[state, observation (+instruction), action chunk, future video] trained with flow matching.

They differ only in who may attend to whom (`attention_mask`) and in how they sample: the
subclasses say that. Batches are dicts of tensors:
    images (B, V, H, W, 3) uint8   state (B, 16) measured joints   instruction (B, 384)
    targets (B, H, 16) joint deltas + absolute grippers (training)   future (B, K, H, W, 3) uint8 (training)
"""

from __future__ import annotations

import abc

import torch
import torch.nn.functional as F
from torch import nn

from policies.common.configuration import WorldActionConfig
from policies.common.encoding import ObservationEncoder, frames_to_patches
from policies.common.flow import noisy_sample
from policies.common.normalization import Normalizer
from policies.common.transformer import Transformer, TimeEmbedding


class WorldActionModel(nn.Module, abc.ABC):
    name = ""
    config_class = WorldActionConfig

    def __init__(self, config: WorldActionConfig):
        super().__init__()
        self.config = config
        width = config.backbone.width
        self.encoder = ObservationEncoder(config.observation, width)
        self.backbone = Transformer(config.backbone)
        self.normalizer = Normalizer(config.observation.state_dim, config.action.dim)
        self.time_embedding = TimeEmbedding(width)
        self.action_in = nn.Linear(config.action.dim, width)
        self.action_position = nn.Parameter(0.02 * torch.randn(1, config.action.chunk, width))
        self.action_out = nn.Linear(width, config.action.dim)
        self.video_in = nn.Linear(config.video.patch_dim, width)
        self.video_position = nn.Parameter(0.02 * torch.randn(1, config.video.num_tokens, width))
        self.video_out = nn.Linear(width, config.video.patch_dim)

    @property
    def token_counts(self) -> dict[str, int]:
        """Tokens per segment of the sequence, in order."""
        c = self.config
        return {"prefix": c.observation.num_tokens, "action": c.action.chunk, "video": c.video.num_tokens}

    @abc.abstractmethod
    def attention_mask(self) -> torch.Tensor | None:
        """(L, L) boolean over the whole sequence, True where a query may attend; None = full attention."""

    def encode_prefix(self, batch: dict) -> torch.Tensor:
        state = self.normalizer.state(batch["state"])
        return self.encoder(batch["images"], state, batch["instruction"], batch.get("step"))

    def action_tokens(self, noisy: torch.Tensor, time: torch.Tensor) -> torch.Tensor:
        return self.action_in(noisy) + self.action_position + time[:, None]

    def video_tokens(self, noisy: torch.Tensor, time: torch.Tensor) -> torch.Tensor:
        return self.video_in(noisy) + self.video_position + time[:, None]

    def velocities(self, prefix: torch.Tensor, noisy_actions: torch.Tensor, noisy_video: torch.Tensor, t: torch.Tensor):
        """One pass over the whole sequence: the predicted (action velocity, video velocity)."""
        time = self.time_embedding(t)
        tokens = torch.cat([prefix, self.action_tokens(noisy_actions, time), self.video_tokens(noisy_video, time)], 1)
        out, _ = self.backbone(tokens, self.attention_mask())
        start, end = prefix.shape[1], prefix.shape[1] + self.config.action.chunk
        return self.action_out(out[:, start:end]), self.video_out(out[:, end:])

    def loss(self, batch: dict) -> tuple[torch.Tensor, dict[str, float]]:
        """Weighted action + video flow-matching loss; actions and video share one time t per sample."""
        prefix = self.encode_prefix(batch)
        actions = self.normalizer.actions(batch["targets"])
        video = frames_to_patches(batch["future"], self.config.video)
        t = torch.rand(actions.shape[0], device=actions.device)
        noisy_actions, action_target = noisy_sample(actions, torch.randn_like(actions), t)
        noisy_video, video_target = noisy_sample(video, torch.randn_like(video), t)
        action_velocity, video_velocity = self.velocities(prefix, noisy_actions, noisy_video, t)
        action_loss = F.mse_loss(action_velocity, action_target)
        video_loss = F.mse_loss(video_velocity, video_target)
        total = self.config.action_loss_weight * action_loss + self.config.video_loss_weight * video_loss
        return total, {"loss": total.item(), "action_loss": action_loss.item(), "video_loss": video_loss.item()}

    def initial_noise(self, batch_size: int, generator: torch.Generator | None,
                      noise_scale: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
        """Action noise first, then video noise, so action-only and video sampling start alike; both
        times `noise_scale`."""
        device = self.action_position.device
        c = self.config
        actions = torch.randn(batch_size, c.action.chunk, c.action.dim, generator=generator, device=device)
        video = torch.randn(batch_size, c.video.num_tokens, c.video.patch_dim, generator=generator, device=device)
        return noise_scale * actions, noise_scale * video
