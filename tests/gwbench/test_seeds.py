import json

from gwbench.seeds import ensure_seeds, pool_path
from tasks.robotwin2.protocol import candidate_seed


def test_pool_is_verified_once_cached_and_extended(make_env, tmp_path):
    env = make_env("stack_blocks_two")
    pool = ensure_seeds(env, run_seed=0, needed=2, seed_dir=tmp_path, show_progress=False)
    assert pool.verified == [candidate_seed(0, 0), candidate_seed(0, 1)]
    path = pool_path(tmp_path, "stack_blocks_two", "clean", env.embodiment.name, 0)
    saved = json.loads(path.read_text())
    assert [c["seed"] for c in saved["candidates"]] == pool.verified and saved["task_version"] == env.task_spec.version

    again = ensure_seeds(env, run_seed=0, needed=2, seed_dir=tmp_path, show_progress=False)
    assert again.candidates == pool.candidates  # nothing re-run
    longer = ensure_seeds(env, run_seed=0, needed=3, seed_dir=tmp_path, show_progress=False)
    assert longer.verified[:2] == pool.verified and len(longer.verified) == 3


def test_skipped_candidates_are_recorded_and_the_budget_is_bounded(make_env, tmp_path, monkeypatch):
    import gwbench.seeds as seeds

    env = make_env("stack_blocks_two")
    real = seeds.run_episode

    def unsolvable_odd_seeds(env, policy, seed):
        outcome = real(env, policy, seed)
        if seed % 2:
            return outcome.__class__(**{**outcome.as_dict(), "success": False, "error": "PlanningError: test"})
        return outcome

    monkeypatch.setattr(seeds, "run_episode", unsolvable_odd_seeds)
    pool = ensure_seeds(env, run_seed=1, needed=2, seed_dir=tmp_path, show_progress=False)
    assert pool.verified == [candidate_seed(1, 0), candidate_seed(1, 2)]
    assert pool.candidates[1] == {"seed": candidate_seed(1, 1), "solved": False, "reason": "PlanningError: test"}
    assert pool.stats_for(2) == {"tried": 3, "solved": 2, "skipped": 1}

    monkeypatch.setattr(seeds, "MIN_CANDIDATES_EXTRA", 0)
    monkeypatch.setattr(seeds, "run_episode", lambda env, policy, seed: unsolvable_odd_seeds(env, policy, 1))
    capped = ensure_seeds(env, run_seed=2, needed=1, seed_dir=tmp_path, show_progress=False)
    assert capped.verified == [] and capped.tried == 2  # gave up after 2 x needed candidates
