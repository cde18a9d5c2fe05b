"""`gwbench collect`: expert demonstrations in the documented HDF5 layout, resumable, from training seeds."""

import time

import h5py
import numpy as np
import pytest

from core.contract import CameraSpec
from gwbench.cli import main
from gwbench.collect import collect_task
from policies.expert import ExpertPolicy


def collect(capsys, out, *extra):
    code = main(["collect", "--tasks", "stack_blocks_two", "--out", str(out), "--no-progress", *extra])
    return code, capsys.readouterr()


def test_collect_writes_the_documented_layout_and_resumes(capsys, tmp_path):
    out = tmp_path / "demos"
    code, _ = collect(capsys, out, "--episodes", "1", "--frame-stride", "5")
    assert code == 0
    path = out / "stack_blocks_two-clean.h5"
    with h5py.File(path) as file:
        assert file.attrs["format"] == "gwbench-demos" and file.attrs["frame_stride"] == 5
        assert (file.attrs["camera_width"], file.attrs["camera_height"]) == (80, 64)
        (name,) = list(file["episodes"])
        episode = file["episodes"][name]
        assert episode.attrs["seed"] < 100000 and episode.attrs["success"]  # training seeds, not evaluation seeds
        steps = episode.attrs["steps"]
        width = file.attrs["action_dim"]
        assert file.attrs["embodiment"] == "aloha-agilex" and width == 14  # the default robot
        assert episode["actions"].shape == (steps, width) and episode["joint_action"].shape == (steps + 1, width)
        frame_steps = episode["frame_steps"][:]
        np.testing.assert_array_equal(frame_steps, np.arange(0, steps + 1, 5))
        head = episode["images/head_camera"]
        assert head.shape == (len(frame_steps), 64, 80, 3) and head.dtype == np.uint8 and head[:].std() > 5
        assert episode.attrs["instruction"]
        first = episode["actions"][:]

    code, _ = collect(capsys, out, "--episodes", "2", "--frame-stride", "5")  # resumes: one more, first kept
    assert code == 0
    with h5py.File(path) as file:
        assert len(file["episodes"]) == 2
        np.testing.assert_array_equal(file["episodes"][name]["actions"][:], first)

    code, captured = collect(capsys, out, "--episodes", "2", "--frame-stride", "4")
    assert code == 2 and "collected differently: frame_stride=5 (asked 4)" in captured.err


class FaultyExpert(ExpertPolicy):
    """The scripted expert, with one injected fault: it raises on seed 0's third query, or hangs there."""

    def __init__(self, fault: str):
        super().__init__()
        self.fault = fault

    def reset(self, info):
        super().reset(info)
        self.seed, self.queries = info.seed, 0

    def act(self, observation):
        self.queries += 1
        if self.seed == 0 and self.queries == 3:
            if self.fault == "raise":
                raise RuntimeError("injected fault")
            while True:  # a hang: the query timeout must end it
                time.sleep(1.0)
        return super().act(observation)


@pytest.mark.parametrize("fault", ["raise", "hang"])
def test_collection_runs_the_rollout_loop_so_a_fault_skips_its_seed_and_collection_goes_on(make_env, tmp_path, fault):
    env = make_env("click_bell", camera=CameraSpec(80, 64), instructions="seen")
    tally = collect_task(env, 2, tmp_path, frame_stride=4, show_progress=False, policy=FaultyExpert(fault),
                         query_timeout_s=1.0)
    assert tally["demos"] == 2 and tally["tried"] == 3  # seed 0 failed like an evaluation episode would
    with h5py.File(tmp_path / "click_bell-clean.h5") as file:
        assert sorted(file["episodes"]) == ["seed1", "seed2"]
        assert all(file["episodes"][name].attrs["success"] for name in file["episodes"])
