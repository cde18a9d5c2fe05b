"""Verified seed pools: RoboTwin's expert check, cached so every policy meets the same seeds.

Candidate seeds of run seed s are 100000*(1+s), 100000*(1+s)+1, ... in order. A
candidate is kept only if the scripted expert solves it; a scene that will not
settle, or a plan that fails, skips it. The first N kept seeds are a run's N
episodes, so the evaluated set never depends on scheduling. A pool is a JSON file
per (task, setting, embodiment, run seed), keyed on the task's version, written
after every candidate so a crash loses nothing, and meant to be committed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from core.errors import InputError
from gwbench.episode import run_episode
from policies.expert import ExpertPolicy
from tasks.robotwin2.protocol import candidate_seed

MIN_CANDIDATES_EXTRA = 20  # the candidate budget is 2 x needed + this: the check never spins forever


@dataclass
class SeedPool:
    task: str
    setting: str
    embodiment: str
    run_seed: int
    task_version: int
    candidates: list[dict] = field(default_factory=list)  # {"seed", "solved", "reason"} in candidate order

    @property
    def verified(self) -> list[int]:
        return [c["seed"] for c in self.candidates if c["solved"]]

    @property
    def tried(self) -> int:
        return len(self.candidates)

    def stats_for(self, needed: int) -> dict:
        """Expert-check figures over the candidates a run of `needed` episodes consumed."""
        used, kept = [], 0
        for candidate in self.candidates:
            if kept == needed:
                break
            used.append(candidate)
            kept += candidate["solved"]
        solved = sum(c["solved"] for c in used)
        return {"tried": len(used), "solved": solved, "skipped": len(used) - solved}


def pool_path(seed_dir: Path, task: str, setting: str, embodiment: str, run_seed: int) -> Path:
    return Path(seed_dir) / task / f"{setting}-{embodiment}-seed{run_seed}.json"


def load_pool(path: Path, task: str, setting: str, embodiment: str, run_seed: int, version: int) -> SeedPool:
    fresh = SeedPool(task, setting, embodiment, run_seed, version)
    if not path.exists():
        return fresh
    try:
        data = json.loads(path.read_text())
        pool = SeedPool(**data)
    except (ValueError, TypeError) as error:
        raise InputError(f"seed pool {path} is unreadable ({error}); delete it to re-verify") from None
    if (pool.task, pool.setting, pool.embodiment, pool.run_seed) != (task, setting, embodiment, run_seed):
        raise InputError(f"seed pool {path} belongs to another task/setting/embodiment/seed")
    return pool if pool.task_version == version else fresh  # a changed task re-verifies from scratch


def save_pool(pool: SeedPool, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(pool.__dict__, indent=1) + "\n")
    tmp.replace(path)  # atomic: readers see the old pool or the new one, never half of one


def ensure_seeds(env, run_seed: int, needed: int, seed_dir: Path, show_progress: bool = True) -> SeedPool:
    """Extend the pool until it holds `needed` verified seeds or the candidate budget is spent."""
    spec = env.task_spec
    path = pool_path(seed_dir, spec.name, env.setting, env.embodiment.name, run_seed)
    pool = load_pool(path, spec.name, env.setting, env.embodiment.name, run_seed, spec.version)
    budget = 2 * needed + MIN_CANDIDATES_EXTRA
    missing = needed - len(pool.verified)
    if missing <= 0 or pool.tried >= budget:
        return pool
    expert = ExpertPolicy()
    bar = tqdm(total=missing, desc=f"{spec.name} [{env.setting}] expert check", unit="seed", disable=not show_progress)
    while len(pool.verified) < needed and pool.tried < budget:
        seed = candidate_seed(run_seed, pool.tried)
        result = run_episode(env, expert, seed)
        reason = None if result.success else (result.error or "expert did not succeed within the step limit")
        pool.candidates.append({"seed": seed, "solved": result.success, "reason": reason})
        save_pool(pool, path)
        bar.update(int(result.success))
        bar.set_postfix(tried=pool.tried, skipped=pool.tried - len(pool.verified))
    bar.close()
    return pool
