import numpy as np
import pytest

from core.errors import UnknownNameError
from gwbench.episode import run_episode, task_info
from policies import POLICIES, PolicyError, TaskInfo, make_policy


def test_registry_lists_the_adapters_and_suggests_names():
    assert {"expert", "random"} <= set(POLICIES.names())
    with pytest.raises(UnknownNameError, match="did you mean 'random'"):
        make_policy("randon")


def test_unknown_option_is_a_one_line_value_error():
    with pytest.raises(ValueError, match="policy 'random' rejected its options"):
        make_policy("random", temperature=2)


def test_random_policy_chunks_are_valid_and_seeded(make_env):
    env = make_env("stack_blocks_two", embodiment="franka-panda")
    obs, _ = env.reset(seed=100000)
    info = task_info(env, 100000, privileged=False)

    def first_chunk(seed):
        policy = make_policy("random", chunk=5, seed=seed)
        policy.reset(info)
        return policy.act(obs).actions

    chunk = first_chunk(0)
    assert chunk.shape == (5, 16)
    assert np.all(chunk >= info.action_low) and np.all(chunk <= info.action_high)
    np.testing.assert_array_equal(chunk, first_chunk(0))
    assert not np.array_equal(chunk, first_chunk(1))


def test_random_policy_rarely_succeeds(make_env):
    env = make_env("stack_blocks_two")
    results = [run_episode(env, make_policy("random"), seed) for seed in (100000, 100001)]
    assert not any(r.success for r in results)
    assert all(r.steps == env.task_spec.step_limit and r.error is None for r in results)


def test_expert_is_privileged_and_needs_the_simulator():
    policy = make_policy("expert")
    assert policy.requirements.privileged
    info = TaskInfo("stack_blocks_two", "clean", 1, "", 800, 16, np.zeros(16), np.ones(16), 20, "franka-panda")
    with pytest.raises(PolicyError, match="needs the simulator"):
        policy.reset(info)


def test_non_privileged_policies_do_not_get_the_simulator(make_env):
    env = make_env("stack_blocks_two")
    env.reset(seed=100000)
    assert task_info(env, 100000, privileged=False).sim is None
    assert task_info(env, 100000, privileged=True).sim is env.sim
