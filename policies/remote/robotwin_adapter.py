"""`robotwin:PATH/deploy_policy.py`: a RoboTwin 2.0 policy module, unchanged, behind the Policy protocol.

A RoboTwin policy module offers `get_model(usr_args)`, `reset_model(model)` and `eval(TASK_ENV, model,
observation)`, and RoboTwin's script/eval_policy.py drives it: per episode `reset_model(model)`, then
`while TASK_ENV.take_action_cnt < TASK_ENV.step_lim: eval(TASK_ENV, model, TASK_ENV.get_obs())`, where
eval calls `TASK_ENV.take_action(action)` for each action it decides and `TASK_ENV.get_obs()` whenever it
wants to look again. There the policy drives the env; in gwbench the runner drives (`chunk = act(obs)`,
then it steps the env), so control has to be inverted:

- RoboTwin's loop runs in a worker thread, one per episode, against a stand-in TASK_ENV.
- `take_action` only collects the action. `get_obs` is where the worker needs the world to move: it
  hands the collected actions to the harness as one chunk and blocks until the harness has stepped
  them and passes the next observation back. A policy that acts and looks after every action gives
  chunks of one action; one that executes a whole chunk before looking gives that chunk.
- `act(observation)` passes the observation to the worker (the first one starts it) and blocks until
  the worker hands over its next chunk. Exactly one of the two threads runs at any time, so the
  time `act` blocks is the policy's own thinking time, as for any in-process policy.
- The harness ends an episode on success or at the step limit without telling the policy; the worker
  then sits in `get_obs`. The next `reset` abandons it: its `get_obs` raises EpisodeAbandoned (a
  BaseException, so the module's own `except Exception` cannot swallow it) and the thread is joined.
- Errors raised in the worker come back as PolicyError from `act`, so the episode fails with the reason.

TASK_ENV offers what RoboTwin's loop and its policies use: `get_obs()`, `take_action(action,
action_type='qpos')` (joint targets `[left arm, left gripper, right arm, right gripper]`, gwbench's own
action layout; 'ee' is refused), `get_instruction()`, `take_action_cnt`, `step_lim`, `eval_success`
(stays False: the harness, not the policy, judges success), `task_name` and `eval_video_path` (None).
Observations are RoboTwin's layout with RoboTwin's types (arm joints as lists, grippers as floats).

usr_args for get_model: the module's deploy_policy.yml if one lies beside it, then what RoboTwin's
eval adds (task_name, task_config = demo_<setting>, seed, policy_name, instruction_type, left_arm_dim,
right_arm_dim), then `--policy-arg k=v` (and `--checkpoint`). get_model runs at the first episode of each
task, as RoboTwin runs one process per task. The module is imported the way RoboTwin imports it: as part
of its folder's package when the folder has an __init__.py (relative imports work), else from its
folder, which is put on sys.path.
"""

from __future__ import annotations

import hashlib
import importlib
import queue
import sys
import threading
from pathlib import Path

import numpy as np
import yaml

from core.contract import ARMS
from core.errors import InputError, one_line
from policies.base import Policy, PolicyError, PolicyOutput, TaskInfo
from policies.remote.connection import json_safe

MODULE_FUNCTIONS = ("get_model", "reset_model", "eval")
IDLE_EVALS_ALLOWED = 10  # eval() calls in a row that take no action (warm-up); RoboTwin would loop forever
JOIN_TIMEOUT_S = 10.0


class EpisodeAbandoned(BaseException):
    """Raised in the worker's TASK_ENV call when the harness has moved on to another episode."""


class Handoff:
    """The two queues between the harness thread and the worker thread of one episode."""

    def __init__(self):
        self._to_worker: queue.Queue = queue.Queue()
        self._to_harness: queue.Queue = queue.Queue()

    # worker side
    def exchange(self, chunk: np.ndarray) -> dict:
        """Hand a chunk to the harness; block until it sends the observation after stepping it."""
        self._to_harness.put(("chunk", chunk))
        kind, observation = self._to_worker.get()
        if kind == "abandon":
            raise EpisodeAbandoned
        return observation

    def fail(self, reason: str) -> None:
        self._to_harness.put(("error", reason))

    # harness side
    def send(self, observation: dict) -> None:
        self._to_worker.put(("observation", observation))

    def receive(self, timeout: float) -> np.ndarray:
        try:
            kind, value = self._to_harness.get(timeout=timeout)
        except queue.Empty:
            raise PolicyError(f"robotwin eval() gave no action within {timeout:g} s (query_timeout)") from None
        if kind == "error":
            raise PolicyError(value)
        return value

    def abandon(self) -> None:
        self._to_worker.put(("abandon", None))


def as_list(values) -> list[float]:
    return [float(v) for v in np.asarray(values).reshape(-1)]


def robotwin_observation(observation: dict) -> dict:
    """gwbench's observation with RoboTwin's types: arm joints and end poses as lists, grippers as floats."""
    joints = observation["joint_action"]
    joint_action = {"vector": np.asarray(joints["vector"], dtype=np.float64)}
    endpose = {}
    for arm in ARMS:
        joint_action[f"{arm}_arm"] = as_list(joints[f"{arm}_arm"])
        joint_action[f"{arm}_gripper"] = float(joints[f"{arm}_gripper"])
        if f"{arm}_endpose" in observation.get("endpose", {}):
            endpose[f"{arm}_endpose"] = as_list(observation["endpose"][f"{arm}_endpose"])
            endpose[f"{arm}_gripper"] = float(observation["endpose"][f"{arm}_gripper"])
    return {
        "observation": observation["observation"],  # camera views, rendered when read
        "joint_action": joint_action,
        "endpose": endpose,
        "pointcloud": [],
        "instruction": observation["instruction"],
    }


class RoboTwinTaskEnv:
    """The TASK_ENV a RoboTwin policy module sees during one episode (see the module docstring)."""

    def __init__(self, info: TaskInfo, handoff: Handoff, first_observation: dict):
        self.task_name = info.task
        self.step_lim = info.step_limit
        self.take_action_cnt = 0
        self.eval_success = False
        self.eval_video_path = None
        self.instruction = info.instruction
        self._handoff = handoff
        self._observation = robotwin_observation(first_observation)
        self._pending: list[np.ndarray] = []

    def get_instruction(self) -> str:
        return self.instruction

    def take_action(self, action, action_type: str = "qpos") -> None:
        if action_type != "qpos":
            raise ValueError(f"take_action(action_type={action_type!r}): gwbench's actions are joint targets; "
                             "only action_type='qpos' is supported")
        if self.take_action_cnt >= self.step_lim:
            return  # as in RoboTwin: actions past the step limit are ignored
        self._pending.append(np.asarray(action, dtype=np.float64).reshape(-1))
        self.take_action_cnt += 1

    def get_obs(self) -> dict:
        if self._pending:
            chunk, self._pending = np.stack(self._pending), []
            self._observation = robotwin_observation(self._handoff.exchange(chunk))
        return self._observation


def load_policy_module(path: Path):
    """Import a deploy_policy.py as RoboTwin does; InputError naming the file when that fails."""
    if not path.is_file():
        raise InputError(f"robotwin policy module '{path}' does not exist; expected robotwin:PATH/deploy_policy.py")
    if path.suffix != ".py":
        raise InputError(f"robotwin policy module '{path}' is not a .py file; expected robotwin:PATH/deploy_policy.py")
    folder = path.parent
    if (folder / "__init__.py").is_file():
        root, name = folder.parent, f"{folder.name}.{path.stem}"
    else:
        root, name = folder, path.stem
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        module = importlib.import_module(name)
    except Exception as error:  # noqa: BLE001  (their import-time code: missing packages, bad paths...)
        raise InputError(f"robotwin policy module {path} failed to import: {one_line(error)}") from None
    if Path(module.__file__).resolve() != path:
        raise InputError(f"robotwin policy module {path}: a module '{name}' is already loaded from {module.__file__}")
    missing = [function for function in MODULE_FUNCTIONS if not callable(getattr(module, function, None))]
    if missing:
        raise InputError(f"robotwin policy module {path} lacks {', '.join(missing)}; "
                         f"it must define {', '.join(MODULE_FUNCTIONS)}")
    return module


def read_deploy_config(path: Path) -> dict:
    """RoboTwin's deploy_policy.yml beside the module (the base of usr_args), or {} when there is none."""
    if not path.is_file():
        return {}
    try:
        config = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise InputError(f"{path} is not valid YAML: {one_line(error)}") from None
    if not isinstance(config, dict):
        raise InputError(f"{path} must hold a mapping of usr_args, got a {type(config).__name__}")  # noqa: TRY004
    return config


class RoboTwinPolicy(Policy):
    """A RoboTwin deploy_policy.py driven through a worker thread per episode."""

    def __init__(self, path: Path, query_timeout: float = 120.0, usr_args: dict | None = None):
        if not (isinstance(query_timeout, (int, float)) and query_timeout > 0):
            raise InputError(f"query_timeout must be a number of seconds > 0, got {query_timeout!r}")
        self.path = path
        self.name = f"robotwin:{path}"
        self.module = load_policy_module(path)
        # hashed here, not with policies.common.checkpoint.file_sha256: importing that loads torch
        self.module_sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        self.query_timeout = float(query_timeout)
        self.usr_args = dict(usr_args or {})
        self.config = read_deploy_config(path.with_name("deploy_policy.yml"))
        self._model, self._model_task = None, None
        self._handoff: Handoff | None = None
        self._worker: threading.Thread | None = None
        self._info: TaskInfo | None = None

    def reset(self, info: TaskInfo) -> None:
        self._abandon_episode()
        if info.task != self._model_task:
            self._model = self._call("get_model", self._get_model_args(info))
            self._model_task = info.task
        self._call("reset_model", self._model)
        self._info, self._handoff, self._worker = info, Handoff(), None

    def act(self, observation: dict) -> PolicyOutput:
        if self._worker is None:
            env = RoboTwinTaskEnv(self._info, self._handoff, observation)
            self._worker = threading.Thread(target=self._play, args=(env, self._handoff),
                                            name="robotwin-eval", daemon=True)
            self._worker.start()
        else:
            self._handoff.send(observation)
        return PolicyOutput(self._handoff.receive(self.query_timeout))

    def describe(self) -> dict:
        return {
            "adapter": "robotwin",
            "module": str(self.path),
            "module_sha256": self.module_sha256,
            "protocol": "RoboTwin 2.0 deploy_policy (get_model, reset_model, eval)",
            "usr_args": json_safe(self.usr_args),
            "deploy_policy_yml": bool(self.config),
            "query_timeout": self.query_timeout,
        }

    def close(self) -> None:
        self._abandon_episode()  # ends the worker thread of the last episode

    def _get_model_args(self, info: TaskInfo) -> dict:
        arm_dim = info.action_dim // 2 - 1
        from_eval = {
            "task_name": info.task, "task_config": f"demo_{info.setting}", "seed": 0,
            "policy_name": self.path.parent.name, "instruction_type": "unseen",
            "left_arm_dim": arm_dim, "right_arm_dim": arm_dim,
        }
        return {**self.config, **from_eval, **self.usr_args}

    def _call(self, function: str, *args):
        try:
            return getattr(self.module, function)(*args)
        except Exception as error:  # noqa: BLE001  (whatever their model raises fails the episode)
            raise PolicyError(f"robotwin {function}() failed: {one_line(error)}") from None

    def _play(self, env: RoboTwinTaskEnv, handoff: Handoff) -> None:
        """RoboTwin's per-episode loop, in the worker thread."""
        idle = 0
        try:
            while env.take_action_cnt < env.step_lim:
                before = env.take_action_cnt
                self.module.eval(env, self._model, env.get_obs())
                idle = idle + 1 if env.take_action_cnt == before else 0
                if idle > IDLE_EVALS_ALLOWED:
                    raise PolicyError(f"eval() returned {idle} times in a row without calling TASK_ENV.take_action")
            env.get_obs()  # hand over the actions that reach the step limit
        except EpisodeAbandoned:
            return
        except BaseException as error:  # noqa: BLE001  (reported to act(), which fails the episode)
            handoff.fail(f"robotwin eval() failed: {one_line(error)}")

    def _abandon_episode(self) -> None:
        if self._worker is None:
            return
        self._handoff.abandon()
        self._worker.join(JOIN_TIMEOUT_S)
        if self._worker.is_alive():
            raise PolicyError(f"the previous episode's eval() is still running after {JOIN_TIMEOUT_S:g} s; "
                              "the model cannot be reset under it")
        self._worker = None


def make_robotwin_policy(target: str, query_timeout: float = 120.0, **usr_args) -> RoboTwinPolicy:
    if not target:
        raise InputError("robotwin policy address 'robotwin:' names no module; expected robotwin:PATH/deploy_policy.py")
    return RoboTwinPolicy(Path(target).expanduser().resolve(), query_timeout, usr_args)
