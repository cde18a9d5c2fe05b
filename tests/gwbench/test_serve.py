"""`gwbench serve` end to end: a served policy acts exactly as in-process, over both protocols; a server
killed mid-run fails the episodes with the reason while the run finishes; clean shutdown; bad input."""

import signal
import socket
import urllib.request

import numpy as np
import pytest

from core.contract import CameraSpec
from gwbench.episode import run_episode
from gwbench.store import Store
from policies import Policy, make_policy
from tests.gwbench.remote_server import ServeProcess, run_and_export, seed_dir_with
from tests.gwbench.synthetic_store import run_cli

COMPARED = ("success", "steps", "n_queries", "n_clipped")


class Lockstep(Policy):
    """Asks an in-process and a remote policy at every query, insists on identical chunks; the local one drives."""

    name = "lockstep"

    def __init__(self, local, remote):
        self.local, self.remote = local, remote
        self.server_ms: list[float | None] = []

    def reset(self, info):
        self.local.reset(info)
        self.remote.reset(info)

    def act(self, observation):
        mine, theirs = self.local.act(observation), self.remote.act(observation)
        if not np.array_equal(mine.actions, theirs.actions):
            raise AssertionError(f"query {len(self.server_ms)}: the remote chunk differs from the in-process one")
        self.server_ms.append(theirs.server_ms)
        return mine

    def describe(self):
        return {}


# What each protocol serves: the seeded random policy (reads only joints) and the committed pi05 checkpoint
# (reads all three cameras, at its training resolution): (served options, in-process twin, camera, episodes).
SERVED = {
    "openpi": (("random", "seed=7", "chunk=50"), lambda: make_policy("random", seed=7, chunk=50), (64, 48), 2),
    "gwp-zmq": (("pi05", "seed=3"), lambda: make_policy("pi05", seed=3), (80, 64), 1),
}


@pytest.mark.parametrize("protocol", list(SERVED))
def test_a_served_policy_acts_as_in_process_and_a_killed_server_fails_episodes(
        protocol, tmp_path, capsys, monkeypatch, make_env):
    monkeypatch.setenv("GWBENCH_WORKERS", "1")  # episodes in this process: the kill below lands mid-episode
    (name, *options), twin, camera, episodes = SERVED[protocol]
    seeds = seed_dir_with(tmp_path)
    served = ["--policy", name, *(arg for option in options for arg in ("--policy-arg", option))]
    with ServeProcess(*served, "--protocol", protocol) as server:
        if protocol == "openpi":
            host_port = server.url.removeprefix("openpi://")
            with urllib.request.urlopen(f"http://{host_port}/healthz", timeout=10) as health:
                assert health.status == 200 and health.read() == b"OK\n"

        # End to end through `gwbench run`: one stored episode per seed, no errors.
        code, err, rows = run_and_export(capsys, tmp_path / "remote.sqlite", seeds, server.url, camera=camera,
                                         episodes=episodes)
        assert code == 0, err
        assert len(rows) == episodes and not any(row["error"] for row in rows), [row["error"] for row in rows]
        assert all(0 <= float(row["server_ms_median"]) <= float(row["infer_ms_median"]) for row in rows)  # server <= trip
        (run,) = Store(tmp_path / "remote.sqlite").runs()
        assert run["policy"] == server.url and run["policy_identity"]["adapter"] == protocol
        assert run["policy_identity"]["server"]["gwbench"]["policy"] == name
        local = twin()
        assert run["policy_identity"].get("checkpoint_sha256") == local.describe().get("checkpoint_sha256")

        # The same seeds in-process, the remote policy asked alongside at every query: identical chunks,
        # so identical episodes.
        env = make_env("click_bell", camera=CameraSpec(*camera), embodiment=run["config"]["embodiment"])
        lockstep = Lockstep(local, make_policy(server.url))
        for row in rows:
            result = run_episode(env, lockstep, int(row["seed"]))
            assert result.error is None
            assert {k: int(getattr(result, k)) for k in COMPARED} == {k: int(row[k]) for k in COMPARED}
        assert len(lockstep.server_ms) == sum(int(row["n_queries"]) for row in rows)
        assert all(ms is not None and ms >= 0 for ms in lockstep.server_ms)  # the server's own inference time

        # The server dies at the next run's first episode: both episodes fail with the reason; the run finishes.
        server.kill_when_logged("episode click_bell")
        code, err, rows = run_and_export(capsys, tmp_path / "killed.sqlite", seeds, server.url, camera=camera)
        assert code == 0, err
        assert server.process.wait(10) == -signal.SIGKILL
        assert len(rows) == 2
        reason = f"PolicyError: {protocol} server {server.url} unreachable: "
        assert all(row["error"].startswith(reason) for row in rows)
        (run,) = Store(tmp_path / "killed.sqlite").runs()
        assert run["status"] == "finished"


def test_serve_warns_on_all_interfaces_and_stops_cleanly_on_sigterm():
    with ServeProcess("--policy", "random", "--protocol", "gwp-zmq", "--host", "0.0.0.0") as server:
        assert server.url.startswith("gwp-zmq://0.0.0.0:")
        assert server.stop(signal.SIGTERM) == 0
    log = "".join(server.lines)
    assert "warning: listening on all interfaces (0.0.0.0)" in log and "gwbench serve: stopped" in log


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--policy", "expert"], "policy 'expert' reads the simulator (privileged) and cannot be served"),
        (["--policy", "randm"], "unknown policy 'randm' (did you mean 'random'?)"),
        (["--policy", "random", "--protocol", "grpc"], "unknown protocol 'grpc'; known: gwp-zmq, openpi, xpolicylab"),
        (["--policy", "random", "--port", "70000"], "--port must be from 0 (any free port) to 65535, got 70000"),
        (["--policy", "random", "--policy-arg", "heat=1"], "policy 'random' rejected its options"),
    ],
)
def test_bad_serve_input_is_one_line_and_exit_2(capsys, argv, message):
    code, _, err = run_cli(capsys, "serve", *argv)
    assert code == 2 and err.count("\n") == 1 and message in err


def test_a_busy_port_is_one_line_and_exit_2(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run_cli(capsys, "serve", "--policy", "random", "--port", str(port))
    assert code == 2 and err.count("\n") == 1 and f"cannot listen on 127.0.0.1:{port}: " in err
