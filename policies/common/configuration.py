"""Configuration shared by the three learned policies (frozen dataclasses, one line of doc per field)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypeVar

from core.contract import ActionLayout
from core.errors import InputError

CAMERAS = ("head_camera", "left_camera", "right_camera")


@dataclass(frozen=True)
class AugmentationConfig:
    """Light image augmentation of the observed views, in training only (a model in eval mode sees plain images)."""

    shift: int = 4  # each view is shifted by up to this many pixels each way (edges repeated), as in DrQ
    brightness: float = 0.1  # ... its brightness offset by up to this much of the [-1, 1] range
    contrast: float = 0.1  # ... and its contrast scaled by a factor within 1 -/+ this


STEP_SCALE = 100.0  # episode steps per unit of the step input: episodes are 100-1700 steps


@dataclass(frozen=True)
class ObservationConfig:
    """How one observation becomes prefix tokens: [state, instruction..., image patches... (, keypoint tokens)]."""

    cameras: tuple[str, ...] = CAMERAS  # views, in token order
    image_height: int = 64  # every view is resized to this height before patchifying
    image_width: int = 80  # ... and this width
    patch_size: int = 16  # 64x80 / 16 -> 4x5 = 20 tokens per view
    # How a view becomes its patch tokens. "linear": one linear map of each 16x16 patch (ViT). "conv":
    # 3x3 convolutions of stride 2 down to the same grid (Xiao et al., 2021, "Early convolutions help
    # transformers see better"): overlapping windows say where in its patch an edge is, which a
    # policy placing a fingertip to a centimetre needs, and train faster from few demonstrations.
    # "none": no patch tokens; the views reach the model only through their keypoint tokens (needs
    # keypoints > 0), robomimic's design: coordinates, not pictures, so a few dozen scenes cannot be
    # told apart by their looks and memorised.
    stem: str = "linear"
    state_dim: int = 16  # the joint vector [left arm 7, left gripper, right arm 7, right gripper]
    text_dim: int = 384  # all-MiniLM-L6-v2 sentence embedding size
    instruction_tokens: int = 2  # the sentence embedding is projected to this many tokens
    keypoints: int = 0  # > 0: each view also gives one token of this many image points (a spatial softmax)
    # The state token also reads the episode's control step (/ STEP_SCALE). A scripted expert moves rest to
    # rest, so its demos pass through poses where joints and images look alike twice (arriving at a
    # pre-grasp pose, then at the grasp): the time since the start tells them apart.
    episode_step: bool = False
    # In training, each sample's joint state is replaced by the dataset mean (zero, normalised) with this
    # probability, so the model cannot replay the demonstrations' average path from the joints and the
    # clock alone and must find the objects in the images (the copycat problem of behaviour cloning).
    # 1: the joints are never read, in training or at inference (the deltas still add to them).
    state_dropout: float = 0.0
    augmentation: AugmentationConfig = field(default_factory=AugmentationConfig)

    @property
    def patches_per_view(self) -> int:
        if self.stem == "none":
            return 0
        return (self.image_height // self.patch_size) * (self.image_width // self.patch_size)

    @property
    def num_tokens(self) -> int:
        per_view = self.patches_per_view + (1 if self.keypoints else 0)
        return 1 + self.instruction_tokens + len(self.cameras) * per_view


@dataclass(frozen=True)
class TransformerConfig:
    """A pre-norm transformer stack."""

    width: int = 128  # token width
    depth: int = 4  # number of blocks
    heads: int = 4  # attention heads (width must divide evenly)
    mlp_ratio: int = 4  # hidden width of the MLP relative to `width`


@dataclass(frozen=True)
class ActionConfig:
    """Action chunks: joints as deltas from the current joint vector, grippers absolute."""

    chunk: int = 16  # H, steps per predicted chunk
    dim: int = 16  # action vector size (two 7-joint arms + two grippers)
    gripper_indices: tuple[int, ...] = (7, 15)  # dimensions that are absolute gripper openings in [0, 1]


@dataclass(frozen=True)
class VideoConfig:
    """Future head-camera frames as flow-matching targets: downscaled pixels cut into patches."""

    frames: int = 4  # K future frames, at the dataset's frame stride
    height: int = 32  # frames are area-downscaled from the camera image to this size
    width: int = 40
    patch_size: int = 8  # 32x40 / 8 -> 4x5 = 20 tokens per frame, 192 values each

    @property
    def tokens_per_frame(self) -> int:
        return (self.height // self.patch_size) * (self.width // self.patch_size)

    @property
    def num_tokens(self) -> int:
        return self.frames * self.tokens_per_frame

    @property
    def patch_dim(self) -> int:
        return 3 * self.patch_size**2


@dataclass(frozen=True)
class WorldActionConfig:
    """A world-action model: one backbone over [state, observation, action chunk, future video]."""

    observation: ObservationConfig = field(default_factory=ObservationConfig)
    backbone: TransformerConfig = field(default_factory=TransformerConfig)
    action: ActionConfig = field(default_factory=ActionConfig)
    video: VideoConfig = field(default_factory=VideoConfig)
    denoising_steps: int = 10  # Euler steps at inference
    action_loss_weight: float = 5.0  # GigaWorld-Policy's weighting of the action flow-matching loss
    video_loss_weight: float = 1.0  # ... and of the video flow-matching loss


Config = TypeVar("Config")


def for_action_width(config: Config, width: int) -> Config:
    """`config` with state and action vectors `width` wide, grippers where that width's two-arm layout has
    them: 16 for franka-panda (the defaults), 14 for aloha-agilex. Training fits the model to its demos."""
    layout = ActionLayout.of_width(width)
    grippers = (layout.gripper_index("left"), layout.gripper_index("right"))
    return dataclasses.replace(config, observation=dataclasses.replace(config.observation, state_dim=width),
                               action=dataclasses.replace(config.action, dim=width, gripper_indices=grippers))


def config_to_dict(config: Any) -> dict:
    return dataclasses.asdict(config)


def config_from_dict(cls: type[Config], data: dict) -> Config:
    """Rebuild a (nested) config dataclass from `config_to_dict` output; unknown keys are an error."""
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(data) - set(known)
    if unknown:
        raise ValueError(f"{cls.__name__} has no field(s) {', '.join(sorted(unknown))}")
    values = {}
    for name, value in data.items():
        default = known[name].default_factory() if known[name].default_factory is not dataclasses.MISSING else None
        if dataclasses.is_dataclass(default):
            values[name] = config_from_dict(type(default), value)
        elif isinstance(value, list):
            values[name] = tuple(value)
        else:
            values[name] = value
    return cls(**values)


def with_overrides(config: Config, overrides: dict) -> Config:
    """`config` with the values named in `overrides` (nested as `config_to_dict` writes them) replaced,
    e.g. {"observation": {"image_height": 48}}; a name the config does not have is an InputError."""

    def merge(base: dict, changes: dict, where: str) -> dict:
        merged = dict(base)
        for key, value in changes.items():
            if key not in base:
                raise InputError(f"model config has no field '{where}{key}'; known: {', '.join(base)}")
            if isinstance(base[key], dict):
                if not isinstance(value, dict):
                    raise InputError(f"model config field '{where}{key}' is a group; give a JSON object, got {value!r}")
                value = merge(base[key], value, f"{where}{key}.")
            merged[key] = value
        return merged

    if not isinstance(overrides, dict):
        raise InputError(f"model config overrides must be a JSON object, got {overrides!r}")
    try:
        return config_from_dict(type(config), merge(config_to_dict(config), overrides, ""))
    except (TypeError, ValueError) as error:  # e.g. a patch size that does not divide the image
        raise InputError(f"model config overrides {overrides}: {error}") from None
