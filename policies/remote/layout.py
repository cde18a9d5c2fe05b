"""gwbench observations in the two servers' layouts, both ways (clients encode, `gwbench serve` decodes).

gwbench (tasks.observation)          openpi (aloha layout)            GigaWorld-Policy (LeRobot keys)
joint_action.vector  (D,)            state (D,) float32                observation.state (1, D) float32
observation.head_camera.rgb  HWC     images.cam_high  CHW uint8        observation.images.cam_high  CHW float [0, 1]
observation.left_camera.rgb          images.cam_left_wrist             observation.images.cam_left_wrist
observation.right_camera.rgb         images.cam_right_wrist            observation.images.cam_right_wrist
instruction                          prompt                            task
Actions come back as a (T, D) chunk of absolute joint targets in gwbench's own action layout
`[left arm, left gripper, right arm, right gripper]`, so they are used as they are.

openpi's aloha servers expect 224x224 images: the client letterboxes (resize with padding, as openpi's
own clients do) unless the server is a gwbench server, which says in its metadata which size its
policy reads; then images travel at that size, unresized, and remote equals in-process.

Here: what both layouts share, openpi's layout, and gwbench's episode-reset message. GigaWorld-Policy's
layout is tensors, so it lives with its torch encoding in policies.remote.gwp_wire: importing this module
loads no torch (the openpi client and `gwbench serve` stay light).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from core.contract import CAMERA_NAMES, ActionLayout
from policies.base import TaskInfo

CAMERA_KEYS = dict(zip(CAMERA_NAMES, ("cam_high", "cam_left_wrist", "cam_right_wrist")))
OPENPI_IMAGE_SIZE = (224, 224)  # (width, height) openpi's aloha policies were trained at
TASK_INFO_FIELDS = ("task", "setting", "seed", "instruction", "step_limit", "action_dim", "action_low", "action_high",
                    "control_freq", "embodiment")


def joint_state(observation: dict) -> np.ndarray:
    return np.asarray(observation["joint_action"]["vector"], dtype=np.float32)


def camera_images(observation: dict) -> dict[str, np.ndarray]:
    """Server camera key -> (H, W, 3) uint8; reading them renders the views (tasks.observation)."""
    return {key: np.asarray(observation["observation"][name]["rgb"]) for name, key in CAMERA_KEYS.items()}


def resize_with_pad(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """(H, W, 3) uint8 scaled to fit (width, height) with its aspect ratio kept, centred on black."""
    width, height = size
    if image.shape[1] == width and image.shape[0] == height:
        return image
    scale = min(width / image.shape[1], height / image.shape[0])
    inner = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    resized = np.asarray(Image.fromarray(image).resize(inner, Image.BILINEAR))
    canvas = np.zeros((height, width, 3), np.uint8)
    top, left = (height - inner[1]) // 2, (width - inner[0]) // 2
    canvas[top:top + inner[1], left:left + inner[0]] = resized
    return canvas


def resize(image: np.ndarray, size: tuple[int, int] | None) -> np.ndarray:
    """(H, W, 3) uint8 at (width, height); unchanged when it already is, or when no size is wanted."""
    if size is None or (image.shape[1], image.shape[0]) == tuple(size):
        return image
    return np.asarray(Image.fromarray(image).resize(tuple(size), Image.BILINEAR))


def gwbench_observation(state: np.ndarray, images: dict[str, np.ndarray], instruction: str) -> dict:
    """A RoboTwin-layout observation (what gwbench policies read) from what a server received.

    The state vector is split as `[left arm, left gripper, right arm, right gripper]`; end poses do not
    travel in either protocol, so `endpose` is empty.
    """
    vector = np.asarray(state, dtype=np.float32).reshape(-1)
    joint_action = ActionLayout.of_width(vector.size).split(vector)
    views = {name: {"rgb": images[key]} for name, key in CAMERA_KEYS.items() if key in images}
    return {"observation": views, "joint_action": joint_action, "endpose": {}, "instruction": instruction}


# ---------------------------------------------------------------------------------------------- openpi
def openpi_request(observation: dict, image_size: tuple[int, int] | None) -> dict:
    """image_size None: images travel as rendered; else letterboxed to (width, height)."""
    images = camera_images(observation)
    if image_size is not None:
        images = {key: resize_with_pad(image, image_size) for key, image in images.items()}
    return {
        "state": joint_state(observation),
        "images": {key: np.ascontiguousarray(image.transpose(2, 0, 1)) for key, image in images.items()},
        "prompt": observation["instruction"],
    }


def observation_from_openpi(request: dict, camera: tuple[int, int] | None) -> dict:
    images = {key: resize(_hwc_uint8(np.asarray(image)), camera) for key, image in request.get("images", {}).items()}
    return gwbench_observation(request["state"], images, str(request.get("prompt", "")))


def _hwc_uint8(chw: np.ndarray) -> np.ndarray:
    if chw.ndim != 3 or chw.shape[0] != 3 or chw.dtype != np.uint8:
        raise ValueError(f"images must be (3, H, W) uint8, got {chw.shape} {chw.dtype}")
    return np.ascontiguousarray(chw.transpose(1, 2, 0))


# ---------------------------------------------------------------------------------------------- episode reset
def task_info_message(info: TaskInfo) -> dict:
    """TaskInfo as plain values and arrays (never the simulator), for gwbench's reset message."""
    message = {name: getattr(info, name) for name in TASK_INFO_FIELDS}
    message["action_low"] = np.asarray(info.action_low, dtype=np.float64)
    message["action_high"] = np.asarray(info.action_high, dtype=np.float64)
    return message


def task_info_from_message(message: dict) -> TaskInfo:
    missing = [name for name in TASK_INFO_FIELDS if name not in message]
    if missing:
        raise ValueError(f"reset message lacks {', '.join(missing)}; it needs {', '.join(TASK_INFO_FIELDS)}")
    values = {name: message[name] for name in TASK_INFO_FIELDS}
    for name in ("action_low", "action_high"):  # float32 like the env's action space: exact after float64 transit
        values[name] = np.asarray(values[name], dtype=np.float32)  # an array (openpi) or a CPU tensor (gwp-zmq)
    for name in ("seed", "step_limit", "action_dim", "control_freq"):
        values[name] = int(values[name])
    return TaskInfo(**values)


def fallback_task_info(observation: dict) -> TaskInfo:
    """For a client that never sends gwbench's reset (a plain openpi or GWP client): what the query shows."""
    dim = observation["joint_action"]["vector"].size
    unbounded = np.full(dim, np.inf, dtype=np.float32)
    return TaskInfo(task="unknown", setting="unknown", seed=0, instruction=observation["instruction"], step_limit=0,
                    action_dim=dim, action_low=-unbounded, action_high=unbounded, control_freq=0, embodiment="unknown")
