"""The experts that need a short arm's fallbacks (tasks.experts.motion) solve seeds on aloha-agilex."""

import pytest

from gwbench.episode import run_episode
from policies.expert import ExpertPolicy
from tasks.robotwin2.protocol import candidate_seed

# The top-down poses these plan at first are beyond the ViperX's reach on some seeds (or, for the
# bell, planned with fingers closed on nothing).
TASK_NAMES = ["click_bell", "pick_dual_bottles", "handover_block"]


@pytest.mark.parametrize("setting", ["clean", "randomized"])
@pytest.mark.parametrize("task", TASK_NAMES)
def test_expert_solves_seeds_on_aloha(make_env, task, setting):
    env = make_env(task, embodiment="aloha-agilex", setting=setting)
    for index in (1, 2):
        result = run_episode(env, ExpertPolicy(), candidate_seed(0, index))
        assert result.success, f"{task} seed {result.seed}: {result.error}"
