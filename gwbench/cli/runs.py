"""Handlers of the commands that build scenes, policies or models; each validates all input before it
writes anything (bad input: core.errors.InputError)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from core.demo_format import demo_files
from core.errors import InputError
from core.paths import default_seed_dir
from gwbench.cli.parser import parse_camera, parse_name_list, parse_policy_args
from gwbench.store import open_store
from gwbench.summary import SUMMARY_COLUMNS, format_table, run_summary

LISTABLE = ("tasks", "policies", "embodiments", "runs")


def cmd_run(args) -> int:
    from gwbench.executors import EXECUTORS, default_workers
    from gwbench.runner import execute, start_run

    workers = default_workers() if args.workers is None else args.workers
    if workers < 1:
        raise InputError(f"--workers must be >= 1, got {workers}")
    if args.backend not in EXECUTORS:
        raise InputError(f"unknown backend '{args.backend}'; known: {', '.join(EXECUTORS.names())}")
    if args.ray_address and args.backend != "ray":
        raise InputError("--ray-address needs --backend ray")
    policy = None
    if args.resume:
        store = open_store(args.store, must_exist=True)
        store.run(args.resume)  # an unknown run id is bad input
        run_id = args.resume
    else:
        plan, policy, why = run_plan(args)  # the policy is made once, here, for its identity
        store = open_store(args.store)
        run_id = start_run(store, plan, policy)
        if args.embodiment is None:
            print(f"embodiment: {plan.embodiment} ({why})", file=sys.stderr)
        if not args.tasks and policy.requirements.tasks is not None:
            print(f"tasks: {', '.join(plan.tasks)} (the {len(plan.tasks)} of suite {plan.suite} that the policy's "
                  f"checkpoint set covers)", file=sys.stderr)
    print(f"run {run_id} -> {store.path}", file=sys.stderr)
    try:
        execute(store, run_id, show_progress=not args.no_progress, workers=workers, backend=args.backend,
                ray_address=args.ray_address, policy=policy)
    except KeyboardInterrupt:
        print(f"interrupted; finish it with: gwbench run --resume {run_id} --store {store.path}", file=sys.stderr)
        return 130
    rows = run_summary(store, run_id)
    print(format_table(rows, SUMMARY_COLUMNS))
    for row in rows:
        if row["seeds_tried"]:
            print(
                f"expert check {row['task']} [{row['setting']}]: solved {row['seeds_tried'] - row['seeds_skipped']}"
                f" of {row['seeds_tried']} candidate seeds ({100 * row['expert_solved']:.1f}%),"
                f" {row['seeds_skipped']} skipped"
            )
    print(f"run id: {run_id}")
    return 0


def run_plan(args):
    """The run's plan, its policy instance and why it plays on its embodiment, from `gwbench run`'s
    options; every check before any write."""
    from core.contract import CameraSpec
    from gwbench.plan import (
        RunPlan, check_episodes, check_instructions, check_query_timeout, resolve_embodiment, resolve_settings,
        resolve_tasks,
    )
    from gwbench.video import VideoOptions
    from policies import POLICIES, make_policy

    if not args.policy:
        raise InputError(f"--policy is required; known: {', '.join(sorted(POLICIES.names()))}")
    if args.seed < 0:
        raise InputError(f"--seed must be >= 0, got {args.seed}")
    policy_args = parse_policy_args(args.policy_arg)
    if args.checkpoint:
        policy_args["checkpoint"] = str(Path(args.checkpoint).resolve())
    policy = make_policy(args.policy, **policy_args)  # an unknown policy or option fails here, not mid-run
    camera = CameraSpec(*parse_camera(args.camera)) if args.camera else CameraSpec(*(
        policy.requirements.camera or CameraSpec().size))
    embodiment, why = resolve_embodiment(args.embodiment, policy.requirements.embodiment)
    plan = RunPlan(
        policy=args.policy,
        embodiment=embodiment,
        suite=args.suite,
        tasks=resolve_tasks(args.suite, parse_name_list(args.tasks), policy.requirements.tasks),
        settings=resolve_settings(args.setting),
        episodes=check_episodes(args.episodes),
        run_seed=args.seed,
        policy_args=policy_args,
        seed_dir=str((args.seed_dir or default_seed_dir()).resolve()),
        camera=camera.size,
        instructions=check_instructions(args.instructions),
        video_dir=str(args.record_video.resolve()) if args.record_video else "",
        video_stride=VideoOptions(stride=args.video_stride).stride,
        query_timeout_s=check_query_timeout(args.query_timeout),
    )
    if args.record_video and args.record_video.exists() and not args.record_video.is_dir():
        raise InputError(f"--record-video {args.record_video} is a file; it must be a folder")
    return plan, policy, why


def cmd_collect(args) -> int:
    import tasks
    from core.contract import CameraSpec
    from gwbench.collect import DEFAULT_FRAME_STRIDE, collect_task
    from gwbench.plan import check_episodes, resolve_embodiment, resolve_settings, resolve_tasks

    names = resolve_tasks(args.suite, parse_name_list(args.tasks))
    embodiment, _ = resolve_embodiment(args.embodiment, None)
    settings = resolve_settings(args.setting)
    episodes = check_episodes(args.episodes)
    camera = CameraSpec(*parse_camera(args.camera))
    frame_stride = args.frame_stride if args.frame_stride is not None else 1 if args.lerobot else DEFAULT_FRAME_STRIDE
    if not 1 <= frame_stride <= 100:
        raise InputError(f"--frame-stride must be between 1 and 100, got {frame_stride}")
    if args.out.exists() and not args.out.is_dir():
        raise InputError(f"--out {args.out} is a file; it must be a folder")
    if not 0 <= args.perturb <= 0.5:
        raise InputError(f"--perturb must be between 0 and 0.5 rad, got {args.perturb}")
    if args.lerobot:  # checked now, not after minutes of collecting
        from gwbench.lerobot import check_output_dir
        from gwbench.lerobot.video import check_frame_size

        if frame_stride != 1:
            raise InputError(f"--lerobot needs an image at every step (--frame-stride 1), got {frame_stride}")
        check_frame_size(camera.width, camera.height)
        check_output_dir(args.lerobot)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for task in names:
        for setting in settings:
            # Demonstrations speak the `seen` instruction templates; evaluation uses `unseen`.
            env = tasks.make(task, setting=setting, embodiment=embodiment, camera=camera, instructions="seen")
            try:
                rows.append(collect_task(env, episodes, args.out, frame_stride, not args.no_progress,
                                         perturbation_rad=args.perturb))
            finally:
                env.close()
    print(format_table(rows, [(k, k) for k in ("task", "setting", "demos", "tried", "file")]))
    if args.lerobot:
        from gwbench.lerobot import export_lerobot

        dataset = export_lerobot([Path(row["file"]) for row in rows], args.lerobot, show_progress=not args.no_progress)
        print(format_table([dataset], [(k, k) for k in dataset]))
    return 0


def cmd_export_lerobot(args) -> int:
    from gwbench.lerobot import export_lerobot

    if not args.data.is_dir():
        raise InputError(f"--data {args.data} is not a folder; give the --out folder of `gwbench collect`")
    dataset = export_lerobot(demo_files(args.data), args.out, show_progress=not args.no_progress)
    print(format_table([dataset], [(k, k) for k in dataset]))
    return 0


def cmd_train(args) -> int:
    from policies.common.configuration import with_overrides
    from policies.training import default_config, train
    from policies.training_schedule import TrainingSettings

    demo_files(args.data)  # none is bad input, before the model is built
    if args.out.suffix != ".safetensors":
        raise InputError(f"--out must name a .safetensors file, got '{args.out}'")
    settings = TrainingSettings(
        steps=args.steps, batch_size=args.batch_size, lr=args.lr, weight_decay=args.weight_decay,
        warmup_steps=args.warmup_steps, min_lr_ratio=args.min_lr_ratio, checkpoint_every=args.checkpoint_every,
        validation_episodes=args.validation_episodes, keep_best_validation=args.keep_best_validation,
        seed=args.seed,
    )
    settings.check()
    config = default_config(args.policy, args.data)
    if args.model_config:
        try:
            overrides = json.loads(args.model_config)
        except ValueError as error:
            raise InputError(f"--model-config is not valid JSON ({error}): {args.model_config}") from None
        config = with_overrides(config, overrides)
    sidecar = train(args.policy, args.data, args.out, settings, config=config, resume=args.resume,
                    show_progress=not args.no_progress)
    keys = ("policy", "parameters", "steps", "final_losses", "validation_losses", "train_wall_s")
    print(json.dumps({k: sidecar[k] for k in keys if k in sidecar}))
    print(f"checkpoint: {args.out}")
    return 0


def cmd_list(args) -> int:
    if args.what not in LISTABLE:
        raise InputError(f"cannot list '{args.what}'; choose one of {', '.join(LISTABLE)}")
    if args.what == "tasks":
        from tasks import TASKS

        rows = [
            {"task": s.name, "steps": s.step_limit, "arms": s.arms, "category": s.category, "summary": s.summary}
            for s in (TASKS.get(name) for name in TASKS)
        ]
        print(format_table(rows, [(k, k) for k in ("task", "steps", "arms", "category", "summary")]))
    elif args.what == "embodiments":
        from tasks.scene.embodiments import DEFAULT_EMBODIMENT, EMBODIMENTS

        rows = [{"embodiment": name, "arm_dof": e.arm_dof, "action_width": e.action_dim,
                 "default": "yes" if name == DEFAULT_EMBODIMENT else ""}
                for name, e in ((name, EMBODIMENTS.get(name)) for name in EMBODIMENTS)]
        print(format_table(rows, [("embodiment", "embodiment"), ("arm_dof", "arm DoF"),
                                  ("action_width", "action width"), ("default", "default")]))
    elif args.what == "policies":
        from policies import POLICIES, POLICY_SCHEMES

        rows = [{"policy": name, "summary": (POLICIES.get(name).__doc__ or "").strip().splitlines()[0]} for name in POLICIES]
        rows += [{"policy": f"{scheme}:...", "summary": (POLICY_SCHEMES.get(scheme).__doc__ or "").strip().splitlines()[0]}
                 for scheme in POLICY_SCHEMES]
        print(format_table(rows, [("policy", "policy"), ("summary", "summary")]))
    else:
        from gwbench.cli.results import list_runs

        list_runs(args)
    return 0


def cmd_show(args) -> int:
    """Build one scene and save its three camera views side by side."""
    import numpy as np
    from PIL import Image

    import tasks
    from core.contract import CAMERA_NAMES, CameraSpec
    from gwbench.plan import check_instructions, resolve_embodiment
    from tasks.spec import check_setting

    if args.out.suffix.lower() != ".png":
        raise InputError(f"--out must name a .png file, got '{args.out}'")
    tasks.TASKS.get(args.task)
    check_setting(args.setting)
    camera = CameraSpec(*parse_camera(args.camera))
    split = check_instructions(args.instructions)
    embodiment, _ = resolve_embodiment(args.embodiment, None)
    env = tasks.make(args.task, setting=args.setting, embodiment=embodiment, camera=camera, instructions=split)
    try:
        observation, _ = env.reset(seed=args.seed)
        views = [observation["observation"][name]["rgb"] for name in CAMERA_NAMES]
        args.out.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.concatenate(views, axis=1)).save(args.out)
        print(f"{args.task} [{args.setting}] seed {args.seed}: {observation['instruction']}")
        print(f"embodiment: {embodiment}")
        scene = env.describe_scene()
        print(f"scene hash: {env.scene_hash()}")
        print(f"domain: {json.dumps(scene['domain'])}")
        print(f"distractors: {', '.join(scene['distractors']) or 'none'}")
        print(f"views ({', '.join(CAMERA_NAMES)}) -> {args.out}")
    finally:
        env.close()
    return 0


def cmd_doctor(args) -> int:
    from gwbench.doctor import doctor

    return doctor()


def cmd_bench(args) -> int:
    from gwbench.bench import BENCHMARKS

    if args.what not in BENCHMARKS:
        raise InputError(f"unknown benchmark '{args.what}'; known: {', '.join(BENCHMARKS)}")
    return BENCHMARKS[args.what](args)


def cmd_serve(args) -> int:
    from gwbench.serve import ServeOptions, serve_until_stopped, start_server

    policy_args = parse_policy_args(args.policy_arg)
    if args.checkpoint:
        policy_args["checkpoint"] = str(Path(args.checkpoint).resolve())
    options = ServeOptions(args.policy, policy_args, args.protocol, args.host, args.port, args.embodiment)
    server = start_server(options)  # an unknown policy, a bad option or a busy port fails here
    return serve_until_stopped(server, options)
