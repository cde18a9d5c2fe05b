"""Faults a policy or the simulator can commit: each ends one episode with a reason, and the run goes on."""

from __future__ import annotations

import numpy as np
import pytest

from gwbench.episode import run_episode
from gwbench.store import Store
from policies import PolicyRequirements, make_policy
from policies.random_walk import RandomPolicy
from tests.gwbench.synthetic_store import run_cli

SEED = 100000  # the first candidate seed of click_bell; the expert solves it

ROBOT = "franka-panda"  # harness behaviour, whatever the robot; the messages below name its 16-wide actions
POLICY_FAULTS = {
    "raise": "RuntimeError: injected fault at query 2",
    "nan": "ValueError: action holds NaN or inf at index 0",
    "inf": "ValueError: action holds NaN or inf at index 0",
    "shape": "ValueError: policy returned an action chunk of shape (10, 15); expected (T, 16) with T >= 1",
    "empty": "ValueError: policy returned an action chunk of shape (0, 16); expected (T, 16) with T >= 1",
    "hang": "QueryTimeout: policy query exceeded the 0.5 s per-query timeout",
}


@pytest.mark.parametrize("fault", POLICY_FAULTS)
def test_a_policy_fault_fails_its_episode_with_the_reason(make_env, fault):
    env = make_env("click_bell", embodiment=ROBOT)
    policy = make_policy("faulty", fault=fault, at_query=2)
    result = run_episode(env, policy, SEED, query_timeout_s=0.5)
    assert result.error == POLICY_FAULTS[fault]
    assert not result.success and not result.skipped
    assert result.n_queries == (2 if fault in ("nan", "inf", "shape", "empty") else 1)  # faulty query counted once acted
    healthy = run_episode(env, make_policy("random"), SEED)  # the same env goes on working
    assert healthy.error is None and healthy.steps == env.task_spec.step_limit


def test_faults_in_a_run_are_recorded_per_episode_and_the_run_finishes(capsys, tmp_path):
    store = tmp_path / "f.sqlite"
    code, out, _ = run_cli(capsys, "run", "--policy", "faulty", "--policy-arg", "fault=raise",
                           "--policy-arg", f"seeds=[{SEED + 1}]", "--tasks", "click_bell", "--episodes", "3",
                           "--store", str(store), "--no-progress")
    assert code == 0
    episodes = Store(store).episodes()
    assert [bool(e["error"]) for e in episodes] == [False, True, False]
    assert Store(store).runs()[0]["status"] == "finished"
    assert "errors" in out


class Teleporter(RandomPolicy):
    """Breaks the physics on its second query: a block is put inside the table, or launched."""

    requirements = PolicyRequirements(privileged=True)

    def __init__(self, how: str):
        super().__init__()
        self.how = how

    def reset(self, info):
        super().reset(info)
        self.sim, self.queries = info.sim, 0

    def act(self, observation):
        self.queries += 1
        if self.queries == 2:
            body = next(iter(self.sim.object_actors().values()))._objs[0]
            pose = body.get_pose()
            if self.how == "sink":
                pose.set_p([pose.p[0], pose.p[1], self.sim.room.table_top_z - 0.2])  # under the slab
                body.set_pose(pose)
            elif self.how == "knocked far":  # on the floor near its edge, then past it: real physics
                pose.set_p([2.9, 0.0, 0.03] if self.sim.episode_seed % 2 == 0 else [3.5, 0.0, -0.5])
                body.set_pose(pose)
            else:
                import sapien

                body.find_component_by_type(sapien.physx.PhysxRigidDynamicComponent).set_linear_velocity([0, 0, 40.0])
        return super().act(observation)


@pytest.mark.parametrize("how, reason", [("sink", "passed through the table"), ("launch", "exploded")])
def test_an_object_that_passes_through_the_table_or_explodes_skips_the_episode(make_env, how, reason):
    env = make_env("stack_blocks_two", embodiment=ROBOT)
    result = run_episode(env, Teleporter(how), SEED)
    assert result.skipped and not result.success
    assert result.error.startswith("unstable: SimulationFault: seed 100000:") and reason in result.error


@pytest.mark.parametrize("seed", [SEED, SEED + 1])
def test_an_object_knocked_far_or_off_the_floor_is_not_broken_physics(make_env, seed):
    result = run_episode(make_env("stack_blocks_two", embodiment=ROBOT), Teleporter("knocked far"), seed)
    assert not result.skipped and result.error is None


def test_the_physics_check_leaves_ordinary_episodes_alone(make_env):
    env = make_env("stack_blocks_two", embodiment=ROBOT)
    result = run_episode(env, make_policy("expert"), SEED)
    assert result.success and not result.skipped and result.error is None
    assert run_episode(env, make_policy("random"), SEED).error is None  # flailing arms are not broken physics


def test_an_env_that_raises_during_reset_skips_the_episode(make_env, monkeypatch):
    env = make_env("click_bell", embodiment=ROBOT)

    def broken_reset(*args, **kwargs):
        raise RuntimeError("PhysX scene creation failed")

    monkeypatch.setattr(env, "reset", broken_reset)
    result = run_episode(env, make_policy("random"), SEED)
    assert result.skipped and result.error == "RuntimeError: PhysX scene creation failed" and result.steps == 0
    monkeypatch.undo()
    assert run_episode(env, make_policy("random"), SEED).error is None


def test_unstable_episodes_are_counted_apart_in_the_run_summary(tmp_path):
    from gwbench.summary import run_summary
    from tests.gwbench.synthetic_store import SyntheticEpisode

    store = Store(tmp_path / "s.sqlite")
    run_id = store.create_run("random", {"tasks": ["click_bell"], "settings": ["clean"]}, {}, {})
    for index, skipped in enumerate([False, True, False]):
        store.add_episode(run_id, index, SyntheticEpisode("click_bell", "clean", SEED + index, not skipped and index == 0,
                                                          1.0, skipped=skipped, error="unstable: x" if skipped else None))
    (row,) = run_summary(store, run_id)
    assert (row["episodes"], row["successes"], row["unstable"], row["errors"]) == (2, 1, 1, 0)
    assert np.isclose(row["success_rate"], 0.5)
