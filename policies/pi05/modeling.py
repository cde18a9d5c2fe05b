"""A pi-0.5-style policy at CPU scale (Physical Intelligence, 2025).

The backbone encodes the prefix [state, instruction, image patches] once with full attention.
A separate, smaller action-expert transformer denoises the action chunk; each of its blocks attends
to the prefix through its own projection of the encoded prefix into that block's keys and values
(computed once per query, then reused by every denoising step), as pi-0's expert reads the VLM's
cache. No video is modelled.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from policies.common.flow import euler_sample, noisy_sample
from policies.common.encoding import ObservationEncoder
from policies.common.normalization import Normalizer
from policies.common.transformer import KeyValues, TimeEmbedding, Transformer, split_heads
from policies.pi05.configuration import Pi05Config


class Pi05Model(nn.Module):
    name = "pi05"
    config_class = Pi05Config

    def __init__(self, config: Pi05Config):
        super().__init__()
        self.config = config
        width, expert_width = config.backbone.width, config.expert.width
        self.encoder = ObservationEncoder(config.observation, width)
        self.backbone = Transformer(config.backbone)
        self.normalizer = Normalizer(config.observation.state_dim, config.action.dim)
        self.prefix_projections = nn.ModuleList(
            nn.Linear(width, 2 * expert_width) for _ in range(config.expert.depth)
        )
        self.expert = Transformer(config.expert)
        self.time_embedding = TimeEmbedding(expert_width)
        self.action_in = nn.Linear(config.action.dim, expert_width)
        self.action_position = nn.Parameter(0.02 * torch.randn(1, config.action.chunk, expert_width))
        self.action_out = nn.Linear(expert_width, config.action.dim)

    @property
    def token_counts(self) -> dict[str, int]:
        """Tokens per segment: the prefix (backbone) and the action chunk (expert)."""
        return {"prefix": self.config.observation.num_tokens, "action": self.config.action.chunk}

    def encode_prefix(self, batch: dict) -> list[KeyValues]:
        """The prefix through the backbone, then into one (keys, values) pair per expert block."""
        state = self.normalizer.state(batch["state"])
        encoded, _ = self.backbone(self.encoder(batch["images"], state, batch["instruction"], batch.get("step")))
        heads = self.config.expert.heads
        cache = []
        for projection in self.prefix_projections:
            keys, values = projection(encoded).chunk(2, dim=-1)
            cache.append((split_heads(keys, heads), split_heads(values, heads)))
        return cache

    def action_velocity(self, prefix_cache: list[KeyValues], noisy_actions: torch.Tensor, t: torch.Tensor):
        tokens = self.action_in(noisy_actions) + self.action_position + self.time_embedding(t)[:, None]
        out, _ = self.expert(tokens, prefix=prefix_cache)
        return self.action_out(out)

    def loss(self, batch: dict) -> tuple[torch.Tensor, dict[str, float]]:
        actions = self.normalizer.actions(batch["targets"])
        t = torch.rand(actions.shape[0], device=actions.device)
        noisy_actions, target = noisy_sample(actions, torch.randn_like(actions), t)
        action_loss = F.mse_loss(self.action_velocity(self.encode_prefix(batch), noisy_actions, t), target)
        return action_loss, {"loss": action_loss.item(), "action_loss": action_loss.item()}

    @torch.no_grad()
    def sample(self, batch: dict, steps: int | None = None, generator=None, noise_scale: float = 1.0):
        """Action targets (B, H, 16), unnormalised; no video (None). `noise_scale` scales the initial noise."""
        steps = steps or self.config.denoising_steps
        prefix_cache = self.encode_prefix(batch)
        c = self.config.action
        batch_size = prefix_cache[0][0].shape[0]
        noise = noise_scale * torch.randn(batch_size, c.chunk, c.dim, generator=generator, device=self.action_position.device)
        (actions,) = euler_sample(lambda xs, t: [self.action_velocity(prefix_cache, xs[0], t)], [noise], steps)
        return self.normalizer.unnormalise_actions(actions), None
