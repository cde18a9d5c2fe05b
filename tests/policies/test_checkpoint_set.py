"""Checkpoint sets (policies.common.checkpoint_set): a folder of single-task checkpoints is one policy
that plays each task with its own model, covers only its tasks, and refuses members that disagree."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import InputError
from gwbench.plan import resolve_tasks
from policies.base import TaskInfo
from policies.common.architectures import ARCHITECTURES
from policies.common.checkpoint import save_checkpoint
from policies.common.configuration import for_action_width
from policies.common.policy import LearnedPolicy
from tests.policies.test_training import tiny_config

ALOHA_WIDTH = 14


def write_member(folder, task, camera=(80, 64), seed=0):
    """A tiny untrained pi05 checkpoint for `task`, as the reference protocol lays a set out."""
    import torch

    torch.manual_seed(seed)
    config = for_action_width(tiny_config("pi05"), ALOHA_WIDTH)
    model = ARCHITECTURES["pi05"][1](config)
    path = folder / task / "pi05.safetensors"
    save_checkpoint(model, path, {"camera": {"width": camera[0], "height": camera[1]}, "frame_stride": 2,
                                  "embodiment": "aloha-agilex", "steps": 7 + seed, "dataset": {"hash": task}})
    return path


def task_info(task: str) -> TaskInfo:
    return TaskInfo(task=task, setting="clean", seed=3, instruction="do it", step_limit=10, action_dim=ALOHA_WIDTH,
                    action_low=-np.ones(ALOHA_WIDTH), action_high=np.ones(ALOHA_WIDTH), control_freq=20,
                    embodiment="aloha-agilex")


def test_a_set_plays_each_task_with_its_own_checkpoint(tmp_path):
    write_member(tmp_path, "lift_pot", seed=0)
    write_member(tmp_path, "click_bell", seed=1)
    (tmp_path / "notes").mkdir()  # a folder without this architecture's file is not a member
    policy = LearnedPolicy("pi05", tmp_path)
    assert policy.requirements.tasks == ("click_bell", "lift_pot")
    assert policy.requirements.embodiment == "aloha-agilex" and policy.requirements.camera == (80, 64)
    policy.reset(task_info("lift_pot"))
    lift_model = policy.model
    policy.reset(task_info("click_bell"))
    assert policy.model is not lift_model and policy.model is policy.members["click_bell"].model
    identity = policy.describe()
    assert identity["checkpoints"]["click_bell"]["train_steps"] == 8
    assert identity["checkpoints"]["lift_pot"]["dataset_hash"] == "lift_pot"
    with pytest.raises(InputError, match="has no checkpoint for stack_blocks_two; it has: click_bell, lift_pot"):
        policy.reset(task_info("stack_blocks_two"))


def test_the_set_hash_changes_with_any_member(tmp_path):
    write_member(tmp_path, "lift_pot", seed=0)
    write_member(tmp_path, "click_bell", seed=1)
    before = LearnedPolicy("pi05", tmp_path).checkpoint_sha256
    write_member(tmp_path, "click_bell", seed=2)
    assert LearnedPolicy("pi05", tmp_path).checkpoint_sha256 != before


def test_a_single_file_plays_every_task(tmp_path):
    path = write_member(tmp_path, "lift_pot")
    policy = LearnedPolicy("pi05", path)
    assert policy.requirements.tasks is None and "checkpoints" not in policy.describe()
    assert policy.describe()["train_steps"] == 7
    policy.reset(task_info("stack_blocks_two"))


def test_members_that_disagree_on_the_camera_are_refused(tmp_path):
    write_member(tmp_path, "click_bell")
    write_member(tmp_path, "lift_pot", camera=(96, 64))
    with pytest.raises(InputError, match="lift_pot's camera is .* click_bell's is"):
        LearnedPolicy("pi05", tmp_path)


def test_a_folder_without_members_is_one_line(tmp_path):
    with pytest.raises(InputError, match=r"no pi05 checkpoint in it \(a set holds .*/<task>/pi05.safetensors\)"):
        LearnedPolicy("pi05", tmp_path)


def test_a_sets_tasks_are_the_runs_default_and_others_are_refused():
    covered = ("lift_pot", "click_bell")
    assert resolve_tasks("robotwin2", None, covered) == ("click_bell", "lift_pot")  # the suite's order
    assert resolve_tasks("robotwin2", ["lift_pot"], covered) == ("lift_pot",)
    with pytest.raises(InputError, match="--tasks stack_blocks_two: the policy's checkpoint set has no checkpoint "
                                         "for it; it covers: lift_pot, click_bell"):
        resolve_tasks("robotwin2", ["lift_pot", "stack_blocks_two"], covered)
    assert len(resolve_tasks("robotwin2", None, None)) == 50

