"""The reference protocol (policies/reference_protocol.json) and its resumable runner: the committed
protocol is valid, every stage is a command `gwbench` accepts, and a stage whose output exists is skipped."""

from __future__ import annotations

import hashlib
import json

import h5py
import pytest

from core.errors import InputError
from core.paths import default_checkpoint_set
from gwbench.cli.parser import build_parser
from gwbench.reference_protocol import load_protocol, main, stages
from gwbench.store import open_store
from policies.common.architectures import ARCHITECTURES
from policies.common.configuration import config_to_dict, for_action_width, with_overrides
from policies.training_schedule import TrainingSettings
from tasks.catalog import TASKS
from tasks.scene.embodiments import EMBODIMENTS


def protocol_config(protocol: dict, name: str):
    """The architecture's config as the protocol trains it: its embodiment's width, then its overrides."""
    width = EMBODIMENTS.get(protocol["embodiment"]).action_dim
    return with_overrides(for_action_width(ARCHITECTURES[name][0](), width), protocol["architectures"][name])


def test_the_committed_protocol_is_complete_and_valid():
    protocol = load_protocol()
    assert len(protocol["tasks"]) >= 5 and all(task in TASKS for task in protocol["tasks"])
    assert len({TASKS.get(task).category for task in protocol["tasks"]}) >= 3  # tasks of different kinds
    assert protocol["embodiment"] == "aloha-agilex" and 30 <= protocol["demonstrations"]["episodes"] <= 50
    TrainingSettings(**protocol["training"]).check()  # one block: the same steps and batch for every architecture
    assert set(protocol["architectures"]) == set(ARCHITECTURES)
    for name in protocol["architectures"]:
        protocol_config(protocol, name)  # every overridden field exists
    assert protocol["evaluation"]["episodes"] >= 50
    pi05 = protocol_config(protocol, "pi05")
    assert pi05.expert.depth == pi05.backbone.depth and 2 * pi05.expert.width == pi05.backbone.width  # pi-0's layout


def test_the_default_checkpoint_set_was_trained_by_the_committed_protocol():
    """Each committed member's sidecar names the protocol's architecture config, training block and demos."""
    protocol = load_protocol()
    sidecars = sorted(default_checkpoint_set().glob("*/*.json"))
    assert {path.stem for path in sidecars} == set(ARCHITECTURES) and len(sidecars) >= 3 * 3
    for path in sidecars:
        task, name, sidecar = path.parent.name, path.stem, json.loads(path.read_text())
        assert task in protocol["tasks"], path
        expected = json.loads(json.dumps(config_to_dict(protocol_config(protocol, name))))  # tuples as JSON lists
        assert sidecar["config"] == expected, path
        assert sidecar["training"] == protocol["training"], path
        assert sidecar["embodiment"] == protocol["embodiment"] and sidecar["frame_stride"] == protocol["demonstrations"]["frame_stride"]


def small_protocol(tmp_path) -> tuple[dict, object]:
    protocol = load_protocol()
    protocol.update(tasks=["click_bell"], demonstrations={**protocol["demonstrations"], "episodes": 2})
    path = tmp_path / "protocol.json"
    path.write_text(json.dumps(protocol))
    return protocol, path


def test_every_stage_is_a_command_gwbench_accepts(tmp_path):
    planned = list(stages(load_protocol(), tmp_path, load_protocol()["tasks"], list(ARCHITECTURES)))
    assert [stage.name for stage in planned[:3]] == ["collect click_bell", "train click_bell gigaworld",
                                                    "evaluate click_bell gigaworld"]
    assert len(planned) == 5 * (1 + 2 * 3) + 1 and not any(stage.done for stage in planned)
    parser = build_parser()
    for stage in planned:
        parser.parse_args(list(stage.arguments))  # an InputError here is a stage gwbench would refuse


def test_stages_with_outputs_are_skipped_and_an_unfinished_run_is_resumed(tmp_path):
    protocol, _ = small_protocol(tmp_path)
    root = tmp_path / "root"
    demo_file = root / "demos" / "click_bell" / "click_bell-clean.h5"
    demo_file.parent.mkdir(parents=True)
    with h5py.File(demo_file, "w") as handle:
        handle.create_group("episodes/seed0")
    done = {stage.name: stage for stage in stages(protocol, root, ["click_bell"], ["pi05"])}
    assert not done["collect click_bell"].done  # 1 of 2 episodes

    with h5py.File(demo_file, "a") as handle:
        handle.create_group("episodes/seed1")
    checkpoint = root / "checkpoints" / "click_bell" / "pi05.safetensors"
    checkpoint.parent.mkdir(parents=True)
    checkpoint.write_bytes(b"weights")
    store = open_store(root / "reference.sqlite")
    identity = {"checkpoint_sha256": hashlib.sha256(b"weights").hexdigest()}
    run_id = store.create_run("pi05", {"tasks": ["click_bell"], "policy_args": {"checkpoint": str(checkpoint)}},
                              identity, {})
    store.close()
    done = {stage.name: stage for stage in stages(protocol, root, ["click_bell"], ["pi05"])}
    assert done["collect click_bell"].done and done["train click_bell pi05"].done
    evaluate = done["evaluate click_bell pi05"]
    assert not evaluate.done and evaluate.arguments[:3] == ("run", "--resume", run_id)

    store = open_store(root / "reference.sqlite")
    store.set_status(run_id, "finished")
    store.close()
    assert {stage.name: stage for stage in stages(protocol, root, ["click_bell"], ["pi05"])}[
        "evaluate click_bell pi05"].done
    checkpoint.write_bytes(b"retrained")  # another checkpoint at the same path: its run is not this one's
    assert not {stage.name: stage for stage in stages(protocol, root, ["click_bell"], ["pi05"])}[
        "evaluate click_bell pi05"].done


def test_no_stage_starts_after_until_and_bad_options_are_one_line(tmp_path, capsys):
    _, path = small_protocol(tmp_path)
    assert main(["--protocol", str(path), "--root", str(tmp_path / "root"), "--until", "00:00"]) == 0
    assert "stopped  before 'collect click_bell': it is past --until 00:00" in capsys.readouterr().out
    assert not (tmp_path / "root" / "logs").exists()
    with pytest.raises(InputError, match=r"--until expects HH:MM such as 19:15, got '7pm'"):
        main(["--protocol", str(path), "--until", "7pm"])
    with pytest.raises(InputError, match=r"--architectures: octo not in the protocol; it has pi05, gigaworld, motus"):
        main(["--protocol", str(path), "--architectures", "octo"])


def test_bench_training_times_default_and_protocol_sizes(capsys):
    from gwbench.cli import main as gwbench

    assert gwbench(["bench", "training", "--policies", "pi05", "--repeats", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[1]: line.split() for line in lines if line.startswith("pi05 ")}
    assert int(rows["protocol"][2]) == 1 + 2 + 3 * 12 + 16 < int(rows["default"][2]) == 1 + 2 + 3 * 20 + 16
    assert float(rows["protocol"][3]) > 0
    assert gwbench(["bench", "training", "--policies", "octo"]) == 2
    assert "unknown architecture 'octo'; known: pi05, gigaworld, motus" in capsys.readouterr().err
