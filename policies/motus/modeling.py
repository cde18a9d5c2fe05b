"""A Motus-style world model (UniDiffuser-like joint denoising) at the same size as GigaWorld-Policy.

Every token attends to every other, so the observation tokens also see the noisy actions and video:
nothing can be cached across denoising steps, and each of the steps runs the whole sequence,
future-video tokens included. This is the cost the paper's 9x latency claim is measured against.
"""

from __future__ import annotations

import torch

from policies.common.encoding import patches_to_frames
from policies.common.flow import euler_sample
from policies.common.world_action import WorldActionModel
from policies.motus.configuration import MotusConfig


class MotusModel(WorldActionModel):
    name = "motus"
    config_class = MotusConfig

    def attention_mask(self) -> None:
        return None

    @torch.no_grad()
    def sample(self, batch: dict, steps: int | None = None, generator=None, noise_scale: float = 1.0):
        """Action targets (B, H, 16), unnormalised, and the jointly generated future frames (always)."""
        steps = steps or self.config.denoising_steps
        prefix = self.encode_prefix(batch)
        action_noise, video_noise = self.initial_noise(prefix.shape[0], generator, noise_scale)

        def velocity(xs, t):
            return list(self.velocities(prefix, xs[0], xs[1], t))

        actions, frames = euler_sample(velocity, [action_noise, video_noise], steps)
        return self.normalizer.unnormalise_actions(actions), patches_to_frames(frames, self.config.video)
