"""Corrective demonstrations (`gwbench collect --perturb RAD`): motions are played off the plan, the plan is
recorded, and the expert still solves the seed."""

import h5py
import numpy as np
import pytest

from gwbench.cli import main
from gwbench.perturbation import PerturbedExpert, offset_profile
from policies.base import Policy, PolicyOutput, TaskInfo

WIDTH = 14  # aloha-agilex: [left arm 6, left gripper, right arm 6, right gripper]


class ScriptedChunks(Policy):
    """Answers a fixed list of chunks: a left-arm reach, a gripper closing with the arms still, a carry."""

    name = "scripted"

    def reset(self, info):
        motion = np.zeros((20, WIDTH))
        motion[:, :6] = np.linspace(0, 0.5, 20)[:, None]
        motion[:, [6, 13]] = 1.0  # grippers open
        closing = np.repeat(motion[-1:], 8, axis=0)
        closing[:, 6] = np.linspace(1, 0, 8)
        carry = np.repeat(closing[-1:], 20, axis=0)
        carry[:, :6] += np.linspace(0, 0.3, 20)[:, None]
        self.chunks = iter([motion, closing, carry])

    def act(self, observation):
        return PolicyOutput(next(self.chunks))

    def describe(self):
        return {"adapter": "scripted"}


def info(seed: int) -> TaskInfo:
    return TaskInfo(task="t", setting="clean", seed=seed, instruction="", step_limit=100, action_dim=WIDTH,
                    action_low=-np.ones(WIDTH), action_high=np.ones(WIDTH), control_freq=50, embodiment="aloha-agilex")


def play(seed: int, sigma: float = 0.05) -> tuple[list[np.ndarray], list[np.ndarray]]:
    policy = PerturbedExpert(ScriptedChunks(), sigma)
    policy.reset(info(seed))
    played, planned = [], []
    for _ in range(3):
        played.append(policy.act({}).actions)
        planned.append(policy.planned)
    return played, planned


def test_a_reaching_arm_is_offset_mid_motion_and_on_plan_where_the_motion_starts_and_ends():
    (motion, closing, carry), (planned_motion, planned_closing, planned_carry) = play(seed=3)
    offset = motion - planned_motion
    assert np.abs(offset[[0, -1]]).max() < 1e-12  # starts and ends where the expert planned
    assert np.abs(offset[10, :6]).max() > 0.01  # ... and is off the plan in between
    assert np.abs(offset[:, 6:]).max() == 0  # the gripper and the still right arm are played as planned
    np.testing.assert_array_equal(closing, planned_closing)  # a gripper chunk is not perturbed
    np.testing.assert_array_equal(carry, planned_carry)  # nor is a motion with the gripper closed


def test_offsets_are_a_function_of_the_seed():
    first, again, other = play(seed=3)[0][0], play(seed=3)[0][0], play(seed=4)[0][0]
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_the_offset_profile_is_a_half_sine():
    profile = offset_profile(11)
    assert profile[0] == 0 and abs(profile[-1]) < 1e-12 and profile[5] == pytest.approx(1.0)
    assert not offset_profile(2).any()  # a one- or two-step chunk has no middle to offset


@pytest.mark.parametrize("sigma", [0.0, -0.1])
def test_a_perturbation_must_be_positive(sigma):
    with pytest.raises(ValueError, match="must be > 0"):
        PerturbedExpert(ScriptedChunks(), sigma)


def first_steps(path, steps: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """The recorded actions and the measured joints of the first `steps` steps (the first reach)."""
    with h5py.File(path) as file:
        (episode,) = file["episodes"].values()
        return episode["actions"][:steps], episode["joint_action"][1 : steps + 1]


def test_collect_with_perturb_records_the_plan_while_playing_off_it(capsys, tmp_path):
    common = ["collect", "--tasks", "stack_blocks_two", "--episodes", "1", "--frame-stride", "5", "--no-progress"]
    assert main([*common, "--out", str(tmp_path / "clean")]) == 0
    assert main([*common, "--out", str(tmp_path / "corrective"), "--perturb", "0.08"]) == 0
    path = tmp_path / "corrective" / "stack_blocks_two-clean.h5"
    with h5py.File(path) as file:
        assert file.attrs["perturbation_rad"] == pytest.approx(0.08)
        assert all(episode.attrs["success"] for episode in file["episodes"].values())  # still solved
    clean_actions, clean_joints = first_steps(tmp_path / "clean" / "stack_blocks_two-clean.h5")
    actions, joints = first_steps(path)
    # Same scene, same first plan: the file records that plan while the arm was played off it.
    np.testing.assert_allclose(actions, clean_actions, atol=1e-6)
    assert np.abs(joints - clean_joints).max() > 0.01
    capsys.readouterr()
    code = main([*common, "--out", str(tmp_path / "corrective")])  # resuming without --perturb: refused
    assert code == 2 and "perturbation_rad=0.08 (asked 0.0)" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["-0.1", "2"])
def test_collect_refuses_a_perturbation_out_of_range(capsys, tmp_path, value):
    code = main(["collect", "--tasks", "click_bell", "--out", str(tmp_path / "demos"), "--perturb", value])
    assert code == 2 and f"--perturb must be between 0 and 0.5 rad, got {float(value)}" in capsys.readouterr().err
    assert not (tmp_path / "demos").exists()
