"""Thompson sampling: the logged propensities are the true chances of each decision, every
arm keeps its minimum share, and decisions are reproducible from a seed."""

from __future__ import annotations

import numpy as np
import pytest

from recmind.marketing.experiments.bandit import (
    decision_rng,
    posteriors_of,
    thompson_choice,
    thompson_probabilities,
)
from recmind.marketing.experiments.stats.bayesian import Posterior

ARMS = [Posterior.of(40, 1000), Posterior.of(52, 1000), Posterior.of(47, 1000)]


def test_propensities_are_the_frequencies_of_the_decisions() -> None:
    chances = thompson_probabilities(ARMS, 0.05)
    assert sum(chances) == pytest.approx(1.0)
    assert min(chances) >= 0.05
    rng = np.random.default_rng(9)
    n = 100_000
    picks = np.bincount([thompson_choice(ARMS, 0.05, rng) for _ in range(n)], minlength=3)
    for observed, chance in zip(picks / n, chances, strict=True):
        assert abs(observed - chance) < 4 * np.sqrt(chance * (1 - chance) / n)


def test_the_minimum_share_holds_for_a_hopeless_arm() -> None:
    arms = [Posterior.of(10, 10_000), Posterior.of(900, 10_000)]
    chances = thompson_probabilities(arms, 0.1)
    assert chances[0] == pytest.approx(0.1, abs=1e-9)
    assert chances[1] == pytest.approx(0.9, abs=1e-9)
    assert thompson_probabilities(arms, 0.0)[0] < 1e-12
    with pytest.raises(ValueError, match="exceeds 1"):
        thompson_probabilities(arms, 0.6)


def test_decisions_are_reproducible() -> None:
    first = [thompson_choice(ARMS, 0.05, decision_rng("salt", f"k{n}")) for n in range(200)]
    again = [thompson_choice(ARMS, 0.05, decision_rng("salt", f"k{n}")) for n in range(200)]
    other = [thompson_choice(ARMS, 0.05, decision_rng("pepper", f"k{n}")) for n in range(200)]
    assert first == again and first != other
    assert len(set(first)) == 3


def test_posteriors_from_counts() -> None:
    found = posteriors_of(["a", "b"], {"b": (3, 10)}, (1.0, 1.0))
    assert found == [Posterior(1.0, 1.0), Posterior(4.0, 8.0)]
