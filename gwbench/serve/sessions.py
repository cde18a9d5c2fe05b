"""What both `gwbench serve` protocols share: the served policy's instances and each client's session.

Every openpi connection and every ZeroMQ peer is a Session with a policy instance of its own while it
lasts. Instances are made on a session's first reset or query and handed to later sessions when one
ends, so a health check or a client's probe costs none; all are closed when the server stops.
"""

from __future__ import annotations

import sys
import threading
import time
from abc import ABC, abstractmethod

import numpy as np

from core.errors import InputError
from gwbench.plan import resolve_embodiment
from policies.base import Policy, TaskInfo
from policies.registry import make_policy
from policies.remote.connection import json_safe
from policies.remote.layout import fallback_task_info

EXTENSION_VERSION = 1


def log(message: str) -> None:
    print(f"gwbench serve: {message}", file=sys.stderr, flush=True)


class PolicyPool:
    """The served policy's instances; the first is made at start, so a bad name or option fails there."""

    def __init__(self, policy: str, policy_args: dict, embodiment: str | None = None):
        self._policy = policy
        self._policy_args = policy_args
        try:
            first = self._make()
        except InputError:
            raise
        except ValueError as error:  # a policy's own check of its options (chunk must be >= 1): bad input too
            raise InputError(str(error)) from None
        if first.requirements.privileged:
            first.close()
            raise InputError(f"policy '{policy}' reads the simulator (privileged) and cannot be served; "
                             "serve a policy that needs only observations")
        camera = first.requirements.camera
        self.camera = tuple(camera) if camera else None  # (w, h) the policy reads; clients send images at it
        if embodiment is not None or first.requirements.embodiment is not None:
            try:
                embodiment, _ = resolve_embodiment(embodiment, first.requirements.embodiment)
            except InputError:
                first.close()
                raise
        self.metadata = {"gwbench": {
            "version": EXTENSION_VERSION, "policy": policy,
            "camera": list(self.camera) if self.camera else None, "identity": json_safe(first.describe()),
            "embodiment": embodiment,  # gwbench clients run on it (None: any)
        }}
        self._idle: list[Policy] = [first]
        self._closed = False
        self._lock = threading.Lock()

    def _make(self) -> Policy:
        return make_policy(self._policy, **self._policy_args)

    def take(self) -> Policy:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._make()

    def give(self, policy: Policy) -> None:
        with self._lock:
            if not self._closed:
                self._idle.append(policy)
                return
        policy.close()  # a session that outlived the server

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for policy in idle:
            policy.close()


class Session:
    """One client's episode state, on a policy instance of its own while it lasts."""

    def __init__(self, pool: PolicyPool, label: str):
        self.label = label
        self._pool = pool
        self._policy: Policy | None = None
        self.has_episode = False

    def _acquired(self) -> Policy:
        if self._policy is None:
            self._policy = self._pool.take()
        return self._policy

    def reset(self, info: TaskInfo) -> None:
        self._acquired().reset(info)
        self.has_episode = True
        log(f"{self.label}: episode {info.task} [{info.setting}] seed {info.seed}")

    def infer(self, observation: dict) -> tuple[np.ndarray, float]:
        """The action chunk and the policy's own time for it, in ms."""
        policy = self._acquired()
        if not self.has_episode:
            self.reset(fallback_task_info(observation))
        start = time.perf_counter()
        chunk = np.asarray(policy.act(observation).actions)
        return chunk, (time.perf_counter() - start) * 1000.0

    def close(self) -> None:
        if self._policy is not None:
            self._pool.give(self._policy)
            self._policy = None


class Server(ABC):
    """One protocol's server, listening once made: `serve_forever` in a thread until `shutdown` from another."""

    url: str  # what a client passes as --policy
    health: str  # how to check that it answers

    def __init__(self, pool: PolicyPool):
        self.pool = pool

    @abstractmethod
    def serve_forever(self) -> None:
        """Answer clients until shutdown(); every session is closed when it returns."""

    @abstractmethod
    def shutdown(self) -> None:
        """Stop serve_forever after the queries in flight."""
