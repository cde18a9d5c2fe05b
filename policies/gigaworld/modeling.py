"""GigaWorld-Policy (2026) at CPU scale.

Attention mask over [prefix = state + observation + instruction, action chunk, future video]:
    prefix -> prefix;  action -> prefix, action;  video -> prefix, action, video.
Because neither the prefix nor the actions can see the video, the video branch is only a training
signal: at inference the prefix is encoded once (its keys/values cached) and only the 16 action
tokens are denoised. `video=True` denoises the future frames alongside, and the actions come out
the same as without it.
"""

from __future__ import annotations

import torch

from policies.common.encoding import patches_to_frames
from policies.common.flow import euler_sample
from policies.common.world_action import WorldActionModel
from policies.gigaworld.configuration import GigaWorldConfig


def block_mask(prefix: int, action: int, video: int) -> torch.Tensor:
    """(L, L) boolean, True where the query (row) may attend to the key (column)."""
    length = prefix + action + video
    mask = torch.zeros(length, length, dtype=torch.bool)
    mask[:, :prefix] = True  # everyone sees the observation
    mask[prefix:, prefix : prefix + action] = True  # actions and video see the actions
    mask[prefix + action :, prefix + action :] = True  # only video sees video
    return mask


class GigaWorldModel(WorldActionModel):
    name = "gigaworld"
    config_class = GigaWorldConfig

    def __init__(self, config: GigaWorldConfig):
        super().__init__(config)
        self.register_buffer("mask", block_mask(*self.token_counts.values()), persistent=False)

    def attention_mask(self) -> torch.Tensor:
        return self.mask

    @torch.no_grad()
    def sample(self, batch: dict, steps: int | None = None, video: bool = False, generator=None,
               noise_scale: float = 1.0):
        """Action targets (B, H, 16), unnormalised; and future frames (B, K, h, w, 3) uint8 when `video`."""
        steps = steps or self.config.denoising_steps
        prefix = self.encode_prefix(batch)
        _, prefix_cache = self.backbone(prefix)  # the prefix sees only itself: encode it once
        action_noise, video_noise = self.initial_noise(prefix.shape[0], generator, noise_scale)
        chunk = self.config.action.chunk
        if not video:

            def velocity(xs, t):
                out, _ = self.backbone(self.action_tokens(xs[0], self.time_embedding(t)), prefix=prefix_cache)
                return [self.action_out(out)]

            (actions,) = euler_sample(velocity, [action_noise], steps)
            return self.normalizer.unnormalise_actions(actions), None

        queries_mask = self.mask[prefix.shape[1] :]  # rows of the action and video queries, all keys

        def velocity(xs, t):
            time = self.time_embedding(t)
            tokens = torch.cat([self.action_tokens(xs[0], time), self.video_tokens(xs[1], time)], dim=1)
            out, _ = self.backbone(tokens, queries_mask, prefix=prefix_cache)
            return [self.action_out(out[:, :chunk]), self.video_out(out[:, chunk:])]

        actions, frames = euler_sample(velocity, [action_noise, video_noise], steps)
        return self.normalizer.unnormalise_actions(actions), patches_to_frames(frames, self.config.video)
