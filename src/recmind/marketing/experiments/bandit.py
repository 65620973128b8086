"""Thompson sampling over an experiment's variants (Beta-Bernoulli), with a minimum share
per arm and the exact probability of each decision logged.

Each arm's conversion rate has the posterior Beta(prior + successes, prior + failures) of
its settled decisions (:func:`~.exposures.settle_rewards`). A decision:

1. with probability ``K * min_share`` picks an arm uniformly at random (so every arm keeps
   at least ``min_share`` of the traffic, and an off-policy estimate of any other policy
   stays possible);
2. otherwise draws one rate from each posterior and picks the highest (Thompson sampling).

The chance of choosing arm ``k`` is therefore ``min_share + (1 - K * min_share) * P(k is
best)``, where P(k is best) is computed exactly (numerical integration,
:func:`~.stats.bayesian.probability_best`), and logged as the decision's propensity.
Decisions are reproducible: the random numbers come from a generator seeded with the
experiment's salt and the decision key (or the caller's generator).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from recmind.marketing.experiments.stats.bayesian import Posterior, probability_best


def thompson_probabilities(posteriors: Sequence[Posterior], min_share: float) -> list[float]:
    """Each arm's exact chance of being chosen."""
    k = len(posteriors)
    if min_share * k > 1:
        raise ValueError("min_share times the number of arms exceeds 1")
    best = probability_best(posteriors)
    total = sum(best)
    return [min_share + (1 - k * min_share) * b / total for b in best]


def thompson_choice(
    posteriors: Sequence[Posterior], min_share: float, rng: np.random.Generator
) -> int:
    """One decision (the module docs' two steps); the arm's index."""
    k = len(posteriors)
    if rng.random() < k * min_share:
        return int(rng.integers(k))
    draws = [rng.beta(p.alpha, p.beta) for p in posteriors]
    return int(np.argmax(draws))


def decision_rng(salt: str, key: str) -> np.random.Generator:
    """The generator of one decision: the same salt and key give the same numbers."""
    digest = hashlib.sha256(f"{salt}\x1f{key}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "big"))


def posteriors_of(
    names: Sequence[str], counts: dict[str, tuple[int, int]], prior: tuple[float, float]
) -> list[Posterior]:
    """The posterior of each arm from ``name -> (successes, settled)``."""
    return [Posterior.of(*counts.get(name, (0, 0)), prior=prior) for name in names]
