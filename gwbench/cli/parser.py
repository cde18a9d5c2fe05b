"""gwbench's command line: the argument parser and the parsers of option values.

Option values are checked here or by the library code they reach; either way a bad one is an
InputError (core.errors), which gwbench.cli.main reports in one line with exit status 2.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from core.errors import InputError
from core.paths import default_checkpoint_set, default_seed_dir, default_store

DESCRIPTION = "evaluate robot manipulation policies on RoboTwin 2.0 tasks"
CHECKPOINT_HELP = ("checkpoint of a trained policy: a .safetensors file, or a checkpoint set's folder "
                   f"(DIR/<task>/<policy>.safetensors; default: the committed set {default_checkpoint_set()})")


class Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        # No abbreviations: `--episode 3` must be an error, not a silent `--episodes 3` (or worse).
        super().__init__(*args, allow_abbrev=False, **kwargs)

    def error(self, message: str):  # argparse's usage dump would bury the one line that matters
        raise InputError(message)


def parse_policy_args(pairs: list[str]) -> dict:
    """`k=v` pairs; values are read as JSON where they parse (numbers, booleans), else kept as text."""
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(f"--policy-arg expects key=value, got '{pair}'")
        try:
            options[key] = json.loads(value)
        except ValueError:
            options[key] = value
    return options


def parse_camera(text: str) -> tuple[int, int]:
    width, sep, height = text.lower().partition("x")
    if not (sep and width.isdigit() and height.isdigit()):
        raise InputError(f"--camera expects WIDTHxHEIGHT such as 320x240, got '{text}'")
    return int(width), int(height)


def parse_name_list(text: str | None, option: str = "--tasks") -> list[str] | None:
    """A comma-separated option value (`--tasks a,b`, `--runs ...`), or None when not given."""
    if text is None:
        return None
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise InputError(f"{option} expects comma-separated names without gaps, got '{text}'")
    return names


def build_parser() -> Parser:
    parser = Parser(prog="gwbench", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    run = commands.add_parser("run", help="evaluate a policy; episodes go into the results store")
    run.add_argument(
        "--policy", help="policy name (see `gwbench list policies`), or a policy server openpi://HOST:PORT, "
        "gwp-zmq://HOST:PORT, xpolicylab://HOST:PORT, or a RoboTwin policy module robotwin:PATH/deploy_policy.py",
    )
    run.add_argument("--suite", default="robotwin2", help="task suite (default: robotwin2)")
    run.add_argument("--embodiment", help="the robot (see `gwbench list embodiments`; default: the policy's "
                     "checkpoint's, else the default embodiment)")
    run.add_argument("--tasks", help="comma-separated task names (default: every built task of the suite)")
    run.add_argument("--episodes", type=int, default=100, help="episodes per task and setting (protocol: 100)")
    run.add_argument(
        "--setting", default="clean", help="clean (Easy), randomized (Hard), or all for both (default: clean)"
    )
    run.add_argument(
        "--instructions", default="unseen", help="instruction template split: unseen (protocol default) or seen"
    )
    run.add_argument("--seed", type=int, default=0, help="run seed: candidate seeds start at 100000*(1+seed)")
    run.add_argument("--policy-arg", action="append", default=[], metavar="K=V", help="policy option, repeatable")
    run.add_argument(
        "--camera", help="camera resolution WIDTHxHEIGHT (default: what the policy reads, else RoboTwin's 320x240)"
    )
    run.add_argument("--checkpoint", help=CHECKPOINT_HELP)
    run.add_argument("--store", type=Path, default=None, help=f"results store (default: {default_store()})")
    run.add_argument("--seed-dir", type=Path, default=None, help=f"seed pools (default: {default_seed_dir()})")
    run.add_argument(
        "--query-timeout", type=float, default=300.0, metavar="SECONDS",
        help="a policy query running longer fails its episode (default: 300; 0: no limit)",
    )
    run.add_argument(
        "--record-video", type=Path, metavar="DIR",
        help="write one MP4 per episode to DIR/RUN_ID/ (head view, instruction and outcome burnt in)",
    )
    run.add_argument("--video-stride", type=int, default=2, help="record every Nth env step (default: 2, 10 fps)")
    run.add_argument(
        "--resume", metavar="RUN_ID",
        help="finish an interrupted run with its own plan (only --store, --workers, --backend and --ray-address apply)",
    )
    run.add_argument(
        "--workers", type=int, default=None,
        help="episodes run at once, each worker with its own env and policy (default: $GWBENCH_WORKERS or the cores)",
    )
    run.add_argument("--backend", default="local", help="local (this machine) or ray (a Ray cluster; default: local)")
    run.add_argument("--ray-address", help="Ray cluster to join, e.g. ray://head:10001 (default: start a local Ray)")
    run.add_argument("--no-progress", action="store_true", help="no progress bars")

    export = commands.add_parser("export", help="print stored episodes, one row each")
    export.add_argument("--store", type=Path, default=None, help=f"results store (default: {default_store()})")
    export.add_argument(
        "--format", default="csv", help="csv (default: one row per episode) or eval_info (LeRobot-style JSON)"
    )
    export.add_argument("--runs", help="comma-separated run ids (default: all runs)")
    export.add_argument("--policies", help="comma-separated policies (default: every policy of the runs)")
    export.add_argument("--out", type=Path, help="write to this file instead of standard output")

    report = commands.add_parser("report", help="paper-style tables, plots and paired tests from the store")
    report.add_argument("--store", type=Path, default=None, help=f"results store (default: {default_store()})")
    report.add_argument("--runs", help="comma-separated run ids (default: all runs)")
    report.add_argument("--policies", help="comma-separated policies (default: every policy of the runs)")
    report.add_argument("--out", type=Path, required=True, help="folder for the tables and plots")
    report.add_argument(
        "--reference", type=Path, help="CSV of published numbers shown beside measured ones "
        "(default: results/reference/robotwin2.csv)"
    )
    report.add_argument("--no-reference", action="store_true", help="leave the published numbers out")
    report.add_argument(
        "--videos-per-cell", type=int, default=2, metavar="N",
        help="index.html: recorded episode videos embedded per run, task and setting (default: 2)",
    )
    report.add_argument(
        "--max-video-mb", type=float, default=40.0, metavar="MB",
        help="index.html: at most this much embedded video in all (default: 40)",
    )
    report.add_argument("--no-videos", action="store_true", help="index.html: embed no episode videos")

    gate = commands.add_parser("gate", help="fail (exit 1) when success, calibrated latency or FLOPs per query "
                               "regressed against a baseline")
    gate.add_argument("--baseline", type=Path, help="baseline JSON to check against (see results/baselines/)")
    gate.add_argument("--write-baseline", type=Path, metavar="FILE", help="write a baseline from the store instead")
    gate.add_argument("--store", type=Path, default=None, help=f"results store (default: {default_store()})")
    gate.add_argument("--runs", help="comma-separated run ids (default: all runs)")
    gate.add_argument("--policies", help="comma-separated policies (default: every policy of the runs)")
    gate.add_argument("--alpha", type=float, default=0.05, help="one-sided exact test level (default: 0.05)")
    gate.add_argument(
        "--latency-ratio", type=float, default=1.5,
        help="allowed growth of median ms per query in units of each run's timing calibration (default: 1.5)"
    )
    gate.add_argument("--latency-slack-ms", type=float, default=20.0,
                      help="growth of the median query below this many ms is never a latency regression, whatever "
                      "the ratio: few-ms queries jitter by whole scheduler slices (default: 20)")
    gate.add_argument("--flops-ratio", type=float, default=1.1,
                      help="allowed growth of a learned policy's counted FLOPs per query (default: 1.1)")

    collect = commands.add_parser("collect", help="record expert demonstrations (HDF5) for training")
    collect.add_argument("--suite", default="robotwin2", help="task suite (default: robotwin2)")
    collect.add_argument("--embodiment", help="the robot (see `gwbench list embodiments`; default: the default one)")
    collect.add_argument("--tasks", help="comma-separated task names (default: every built task of the suite)")
    collect.add_argument("--episodes", type=int, default=50, help="demonstrations per task and setting (default: 50)")
    collect.add_argument("--setting", default="clean", help="clean, randomized, or all (default: clean)")
    collect.add_argument("--out", type=Path, required=True, help="folder for the <task>-<setting>.h5 files")
    collect.add_argument("--camera", default="80x64", help="image resolution WIDTHxHEIGHT (default: 80x64)")
    collect.add_argument("--frame-stride", type=int, help="render images every N steps (default: 4; 1 with --lerobot)")
    collect.add_argument("--perturb", type=float, default=0.0, metavar="RAD",
                         help="corrective demonstrations: play each arm motion with a smooth joint offset of up to "
                              "this many radians (per joint, Gaussian) and record the expert's planned actions, "
                              "so training sees the way back to the path (DART; default: 0, none)")
    collect.add_argument("--lerobot", type=Path, metavar="DIR", help="then write the collected demonstrations as "
                         "a LeRobot v3.0 dataset to DIR (a new or empty folder)")
    collect.add_argument("--no-progress", action="store_true", help="no progress bars")

    lerobot = commands.add_parser("export-lerobot", help="write demonstration files (`gwbench collect`) as a "
                                  "LeRobot v3.0 dataset, the format GigaWorld-Policy-0.5's trainer reads")
    lerobot.add_argument("--data", type=Path, required=True, help="folder of demonstration .h5 files")
    lerobot.add_argument("--out", type=Path, required=True, help="dataset folder to create (new or empty)")
    lerobot.add_argument("--no-progress", action="store_true", help="no progress bar")

    train = commands.add_parser("train", help="train a policy model on collected demonstrations")
    train.add_argument("--policy", required=True, help="gigaworld, motus or pi05")
    train.add_argument("--data", type=Path, required=True, help="folder of demonstration .h5 files")
    train.add_argument("--steps", type=int, default=2000, help="optimizer steps (default: 2000)")
    train.add_argument("--out", type=Path, required=True, help="checkpoint file (.safetensors); a .json sidecar beside it")
    train.add_argument("--seed", type=int, default=0, help="training seed (default: 0)")
    train.add_argument("--batch-size", type=int, default=32, help="batch size (default: 32)")
    train.add_argument("--lr", type=float, default=3e-4, help="peak learning rate (default: 3e-4)")
    train.add_argument("--weight-decay", type=float, default=1e-4, help="AdamW weight decay (default: 1e-4)")
    train.add_argument("--warmup-steps", type=int, default=100, help="linear warm-up steps (default: 100)")
    train.add_argument("--min-lr-ratio", type=float, default=0.1,
                       help="the cosine decay ends at lr times this (default: 0.1)")
    train.add_argument("--checkpoint-every", type=int, default=500, metavar="N",
                       help="save the training state (and validation losses) every N steps (default: 500)")
    train.add_argument("--validation-episodes", type=int, default=0, metavar="N",
                       help="hold out the last N episodes of each demo file for validation losses (default: 0)")
    train.add_argument("--keep-best-validation", action="store_true",
                       help="end with the checkpointed weights of lowest validation action loss, not the last "
                            "(needs --validation-episodes)")
    train.add_argument("--model-config", metavar="JSON", help='model config overrides, e.g. '
                       '\'{"observation": {"image_height": 48, "image_width": 64}}\' (default: the architecture\'s)')
    train.add_argument("--resume", action="store_true",
                       help="continue from the training state saved beside --out, if there is one")
    train.add_argument("--no-progress", action="store_true", help="no progress bar")

    listing = commands.add_parser("list", help="list tasks, policies or stored runs")
    listing.add_argument("what", help="tasks, policies, embodiments or runs")
    listing.add_argument("--store", type=Path, default=None, help=f"results store (default: {default_store()})")

    commands.add_parser("doctor", help="check the installation and the renderer, and say how to fix problems")

    show = commands.add_parser("show", help="save a scene's three camera views to a PNG and print its instruction")
    show.add_argument("task", help="task name (see `gwbench list tasks`)")
    show.add_argument("--setting", default="clean", help="clean or randomized (default: clean)")
    show.add_argument("--embodiment", help="the robot (see `gwbench list embodiments`; default: the default one)")
    show.add_argument("--seed", type=int, default=100000, help="episode seed (default: 100000)")
    show.add_argument("--out", type=Path, required=True, help="PNG file to write (head | left wrist | right wrist)")
    show.add_argument("--camera", default="320x240", help="camera resolution WIDTHxHEIGHT (default: 320x240)")
    show.add_argument("--instructions", default="unseen", help="instruction split: unseen (default) or seen")

    bench = commands.add_parser(
        "bench", help="benchmarks (not timed tests): `bench env`, `bench latency`, `bench workers`, `bench imports`, "
        "`bench training`"
    )
    bench.add_argument(
        "what", help="env: steps/s, ms per render, expert episode time per task; latency: policy ms per query; "
        "workers: episodes/hour with 1 worker vs all cores; imports: seconds to import each layer; "
        "training: s per training step, default and reference-protocol sizes"
    )
    bench.add_argument(
        "--tasks", help="env: comma-separated task names (default: every built task); workers: click_bell,stack_blocks_two"
    )
    bench.add_argument(
        "--policies", help="latency, training: comma-separated models (default: gigaworld,motus,pi05); "
        "workers: one policy (pi05)"
    )
    bench.add_argument("--embodiment", help="env: comma-separated robots measured side by side (default: all)")
    bench.add_argument("--layout", default="trained",
                       help="latency: token layout, trained (gwbench's own, default) or paper (the published models' "
                       "public configs, at widths 128, 256, 512)")
    bench.add_argument(
        "--repeats", type=int, default=None,
        help="env: expert episodes per task (3); latency: queries per model; workers: episodes per task (4); "
        "imports: fresh interpreters per module (5); training: timed steps per model and size (6)",
    )

    serve = commands.add_parser("serve", help="serve a policy over openpi's websocket, GigaWorld-Policy's ZeroMQ or "
                                "XPolicyLab's websocket protocol (clients: gwbench run --policy openpi://HOST:PORT)")
    serve.add_argument("--policy", required=True, help="policy name (see `gwbench list policies`)")
    serve.add_argument("--checkpoint", help=CHECKPOINT_HELP)
    serve.add_argument("--policy-arg", action="append", default=[], metavar="K=V", help="policy option, repeatable")
    serve.add_argument("--embodiment", help="the robot clients drive (checked against the policy's checkpoint and "
                       "advertised to gwbench clients; default: the checkpoint's, else any)")
    serve.add_argument("--protocol", default="openpi",
                       help="openpi (websocket + msgpack, default), gwp-zmq or xpolicylab (RoboTwin's env clients)")
    serve.add_argument(
        "--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1; 0.0.0.0: all, with a warning)"
    )
    serve.add_argument("--port", type=int, help="port (default: 8000 for openpi, 8093 for gwp-zmq, 19000 for "
                       "xpolicylab; 0: any free one)")
    return parser
