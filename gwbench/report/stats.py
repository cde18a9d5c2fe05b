"""The statistics behind reports and the gate, all exact and all from scipy.

Success counts in robot benchmarks are small (tens of episodes), where normal approximations
mislead: intervals are Wilson's, paired comparisons McNemar's exact test, and the gate's
one-sided comparison against a baseline Fisher's exact test. scipy.stats takes ~0.9 s to import, so
each function imports it when first called: importing the report or the gate stays light.
"""

from __future__ import annotations

CONFIDENCE = 0.95
SIGNIFICANCE = 0.05  # the level at which a table marks a difference from the best row


def wilson_interval(successes: int, episodes: int) -> tuple[float, float]:
    """95% Wilson score interval of a success rate, as fractions."""
    from scipy.stats import binomtest

    interval = binomtest(successes, episodes).proportion_ci(confidence_level=CONFIDENCE, method="wilson")
    return float(interval.low), float(interval.high)


def mcnemar_exact(only_first: int, only_second: int) -> float:
    """Two-sided exact McNemar p-value from the discordant pairs of two paired policies.

    Under the null hypothesis each discordant pair favours either policy with probability 1/2;
    concordant pairs carry no information about the difference. No discordant pair: p = 1.
    """
    from scipy.stats import binomtest

    discordant = only_first + only_second
    if discordant == 0:
        return 1.0
    return float(binomtest(only_first, discordant, p=0.5, alternative="two-sided").pvalue)


def fisher_lower(successes: int, episodes: int, base_successes: int, base_episodes: int) -> float:
    """One-sided Fisher exact p-value that the success rate is lower than the baseline's."""
    from scipy.stats import fisher_exact

    table = [[successes, episodes - successes], [base_successes, base_episodes - base_successes]]
    return float(fisher_exact(table, alternative="less").pvalue)
