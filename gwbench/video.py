"""`gwbench run --record-video DIR`: one MP4 per episode, the head camera with the story burnt in.

Every frame carries the instruction (top) and the episode's outcome (bottom), so a clip shown
alone still says what was asked and what happened. For a policy that imagines its future (its
PolicyOutput carries `imagined`, K frames spaced `frame_stride` steps after each query: gigaworld
with video on, motus), the imagined frame for the same moment sits beside the real one.

The recorder is an observer of the episode loop (gwbench.episode). It renders the head camera
after physics steps, outside the policy's timed `act`, and
changes nothing the policy or the simulator sees, so a recorded episode ends exactly as an
unrecorded one. Frames are kept at the camera's size until the episode ends (the outcome is
only known then), then composed and encoded; the file appears under its final name atomically.
"""

from __future__ import annotations

import os
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core.errors import InputError, one_line
from gwbench.episode import EpisodeObserver
from gwbench.records import EpisodeResult
from policies.base import PolicyOutput

HEAD_CAMERA = "head_camera"
PANEL_WIDTH = 320  # small camera images are enlarged to this width so the burnt-in text stays legible
BANNER_LINE = 16  # pixels per text line
CODEC_BLOCK = 16  # H.264 wants frame sides divisible by 16


def episode_video_path(video_dir: str | Path, run_id: str, task: str, setting: str, index: int, seed: int) -> Path:
    """Where an episode's clip lives; the HTML report finds clips by this name."""
    return Path(video_dir) / run_id / f"{task}-{setting}-ep{index:03d}-seed{seed}.mp4"


@dataclass(frozen=True)
class VideoOptions:
    stride: int = 2  # record every Nth env step (20 Hz control: 10 frames per second)

    def __post_init__(self):
        if self.stride < 1:
            raise InputError(f"video stride must be >= 1, got {self.stride}")


class EpisodeRecorder(EpisodeObserver):
    """Collects the head view (and imagined frames) of one episode; at its end writes the MP4."""

    def __init__(self, path: Path, control_freq: int, options: VideoOptions = VideoOptions()):
        self.path = path
        self.options = options
        self.fps = max(1.0, control_freq / options.stride)
        self.frames: list[np.ndarray] = []
        self.imagined: list[np.ndarray | None] = []
        self._prediction: tuple[int, np.ndarray, int] | None = None  # (query step, frames, stride)
        self._any_imagined = False
        self.step_limit = 0  # the task's, known from the reset on

    def on_reset(self, env, observation: dict) -> None:
        self.step_limit = env.task_spec.step_limit
        self._record(env, 0)

    def on_query(self, output: PolicyOutput, step: int) -> None:
        if output.imagined is not None:
            self._prediction = (step, np.asarray(output.imagined), int(output.frame_stride or 1))
            self._any_imagined = True

    def on_step(self, env, step: int, action: np.ndarray, observation: dict) -> None:
        self._record(env, step)

    def on_end(self, result: EpisodeResult) -> None:
        """A clip that cannot be written is reported, never a reason to lose the episode's result."""
        if not result.instruction:  # the scene was never set up: nothing to show
            return
        try:
            self.finish(result.instruction, outcome_text(result.success, result.steps, self.step_limit, result.error))
        except Exception as failure:  # noqa: BLE001
            print(f"gwbench: could not write {self.path}: {one_line(failure)}", file=sys.stderr)

    def _record(self, env, step: int) -> None:
        if step % self.options.stride:
            return
        self.frames.append(env.render_camera(HEAD_CAMERA))
        self.imagined.append(self._imagined_at(step))

    def _imagined_at(self, step: int) -> np.ndarray | None:
        """The imagined frame whose time is nearest `step` among those of the latest query."""
        if self._prediction is None:
            return None
        query_step, frames, stride = self._prediction
        k = int(np.clip(round((step - query_step) / stride), 1, len(frames)))
        return frames[k - 1]

    def finish(self, instruction: str, outcome: str) -> Path | None:
        if not self.frames:
            return None
        import imageio.v2 as imageio  # only when a run records video

        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".partial.mp4")
        with imageio.get_writer(partial, fps=self.fps, codec="libx264", macro_block_size=1,
                                ffmpeg_log_level="error", output_params=["-pix_fmt", "yuv420p"]) as writer:
            for actual, imagined in zip(self.frames, self.imagined):
                writer.append_data(compose_frame(actual, imagined, instruction, outcome, self._any_imagined))
        os.replace(partial, self.path)
        return self.path


def _enlarge(image: np.ndarray, width: int) -> Image.Image:
    height = max(1, round(image.shape[0] * width / image.shape[1]))
    return Image.fromarray(image).resize((width, height), Image.NEAREST if image.shape[1] < width else Image.BILINEAR)


def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def compose_frame(actual: np.ndarray, imagined: np.ndarray | None, instruction: str, outcome: str,
                  show_imagined: bool = False) -> np.ndarray:
    """[instruction banner] / [actual | imagined] / [outcome banner], sides rounded up to 16."""
    panels = [_enlarge(actual, PANEL_WIDTH)]
    labels = ["actual"]
    if show_imagined:
        blank = np.zeros_like(actual) if imagined is None else imagined
        panels.append(_enlarge(blank, PANEL_WIDTH).resize(panels[0].size, Image.BILINEAR))
        labels = ["actual", "imagined (policy)"]
    body_height = panels[0].height
    wrapped = textwrap.wrap(instruction, width=int(PANEL_WIDTH * len(panels) / 7)) or [""]
    top = BANNER_LINE * len(wrapped) + 6
    bottom = BANNER_LINE + 6
    width = _round_up(PANEL_WIDTH * len(panels))
    height = _round_up(top + body_height + bottom)
    canvas = Image.new("RGB", (width, height), (20, 20, 20))
    draw = ImageDraw.Draw(canvas)
    font = _font(13)
    for line_index, line in enumerate(wrapped):
        draw.text((4, 3 + line_index * BANNER_LINE), line, fill=(240, 240, 240), font=font)
    for index, (panel, label) in enumerate(zip(panels, labels)):
        canvas.paste(panel, (index * PANEL_WIDTH, top))
        if show_imagined:
            draw.text((index * PANEL_WIDTH + 4, top + 2), label, fill=(255, 255, 0), font=_font(11))
    colour = (90, 220, 90) if outcome.startswith("success") else (240, 90, 90)
    draw.text((4, top + body_height + 3), outcome, fill=colour, font=font)
    return np.asarray(canvas)


def _round_up(value: int) -> int:
    return -(-value // CODEC_BLOCK) * CODEC_BLOCK


def outcome_text(success: bool, steps: int, step_limit: int, error: str | None) -> str:
    if success:
        return f"success at step {steps} of {step_limit}"
    if error:
        return f"failed at step {steps}: {error}"[:90]
    return f"failed: not done within {step_limit} steps"
