"""Observations in RoboTwin 2.0's layout, with cameras rendered only when read.

    obs["observation"]["head_camera"]["rgb"]        (H, W, 3) uint8  -- renders on first read
    obs["observation"][camera]["intrinsic_cv"|"extrinsic_cv"|"cam2world_gl"]
    obs["joint_action"]["left_arm"|"left_gripper"|"right_arm"|"right_gripper"|"vector"]
    obs["endpose"]["left_endpose"|"left_gripper"|"right_endpose"|"right_gripper"]
    obs["instruction"]                              the episode's language instruction

Joint values are measured; grippers are finger openings in [0, 1] (1 = open);
end poses are the tool-centre point in the world frame, xyz + quaternion (wxyz).
A policy that never reads an image costs no render: stepping through an action
chunk is physics only. An observation can be read only until the env steps again.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from core.contract import ARMS, CAMERA_NAMES

CAMERA_KEYS = ("rgb", "intrinsic_cv", "extrinsic_cv", "cam2world_gl")


class StaleObservationError(RuntimeError):
    """An image was read from an observation after the env had moved on."""


class CameraView(Mapping):
    """One camera's entry; renders its image the first time `rgb` is read."""

    def __init__(self, env, name: str):
        self._env = env
        self._name = name
        self._stamp = env.physics_steps
        self._cache: dict[str, np.ndarray] = {}

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in CAMERA_KEYS:
            raise KeyError(f"{self._name} has no '{key}'; it has {', '.join(CAMERA_KEYS)}")
        if key not in self._cache:
            if self._env.physics_steps != self._stamp:
                raise StaleObservationError(
                    f"{self._name}.{key} read from an observation of an earlier step; read images when you get them"
                )
            if key == "rgb":
                self._cache[key] = self._env.render_camera(self._name)
            else:
                self._cache.update(self._env.camera_params(self._name))
        return self._cache[key]

    def __iter__(self):
        return iter(CAMERA_KEYS)

    def __len__(self) -> int:
        return len(CAMERA_KEYS)

    def __repr__(self) -> str:
        rendered = "rendered" if "rgb" in self._cache else "not rendered"
        return f"CameraView({self._name}, {rendered})"


def joint_vector(env) -> np.ndarray:
    """[left arm joints, left gripper, right arm joints, right gripper], measured."""
    parts = []
    for arm in ARMS:
        parts.extend([env.arm_qpos(arm), [env.gripper_opening(arm)]])
    return np.concatenate(parts).astype(np.float32)


def build_observation(env, instruction: str) -> dict:
    joint_action = env.embodiment.layout.split(joint_vector(env))
    endpose = {}
    for arm in ARMS:
        tcp = env.tcp_pose(arm)
        endpose[f"{arm}_endpose"] = np.concatenate([tcp.p, tcp.q]).astype(np.float32)
        endpose[f"{arm}_gripper"] = joint_action[f"{arm}_gripper"]
    return {
        "observation": {name: CameraView(env, name) for name in CAMERA_NAMES},
        "joint_action": joint_action,
        "endpose": endpose,
        "instruction": instruction,
    }
