"""GigaWorld-Policy's wire format, for the gwp-zmq client (policies.remote.gwp_zmq_adapter) and server
(gwbench.serve.gwp_zmq): torch.save'd messages, and observations in its LeRobot layout (the table in
policies.remote.layout). The protocol itself: policies.remote.gwp_zmq_adapter.

Messages are torch.save'd and read with torch.load(weights_only=True): tensors, dicts, lists and plain
values only, so nothing from the network is ever unpickled. A server that fails answers the bytes
`ERROR`. Everything here is tensors, which is why it is apart from the torch-free layout module:
torch loads only where this protocol is spoken.
"""

from __future__ import annotations

import io

import numpy as np
import torch

from policies.remote.layout import camera_images, gwbench_observation, joint_state, resize

ERROR_REPLY = b"ERROR"
IMAGE_PREFIX = "observation.images."


# ---------------------------------------------------------------------------------------------- encoding
def to_bytes(value) -> bytes:
    buffer = io.BytesIO()
    torch.save(value, buffer)
    return buffer.getvalue()


def from_bytes(data: bytes):
    """Tensors, dicts, lists and plain values only (weights_only): a reply can never run code here."""
    return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)


def as_tensors(values: dict) -> dict:
    """NumPy arrays as tensors: weights_only loading accepts tensors, not arrays."""
    return {key: torch.from_numpy(value) if isinstance(value, np.ndarray) else value for key, value in values.items()}


# ---------------------------------------------------------------------------------------------- layout
# Pixel arithmetic in NumPy, not torch: a torch op wakes torch's thread pool, whose spinning threads cost
# 10-20 ms a query on a few cores shared with the simulator and the server (measured).
def gwp_request(observation: dict) -> dict:
    request = {"observation.state": torch.from_numpy(joint_state(observation)[None])}
    for key, image in camera_images(observation).items():
        chw = np.ascontiguousarray(image.transpose(2, 0, 1), dtype=np.float32) / np.float32(255.0)
        request[IMAGE_PREFIX + key] = torch.from_numpy(chw)
    request["task"] = observation["instruction"]
    return request


def observation_from_gwp(request: dict, camera: tuple[int, int] | None) -> dict:
    images = {}
    for name, value in request.items():
        if name.startswith(IMAGE_PREFIX):
            chw = np.asarray(value.numpy() if torch.is_tensor(value) else value, dtype=np.float32)
            if chw.ndim != 3 or chw.shape[0] != 3:
                raise ValueError(f"{name} must be a (3, H, W) float image in [0, 1], got shape {chw.shape}")
            # x * 255 rounds back to the exact uint8 the client rendered (x = uint8 / 255 in float32).
            uint8 = np.clip(np.rint(chw * np.float32(255.0)), 0, 255).astype(np.uint8).transpose(1, 2, 0)
            images[name[len(IMAGE_PREFIX):]] = resize(np.ascontiguousarray(uint8), camera)
    state = request["observation.state"]
    state = np.asarray(state.numpy() if torch.is_tensor(state) else state, dtype=np.float32).reshape(-1)
    return gwbench_observation(state, images, str(request.get("task", "")))
