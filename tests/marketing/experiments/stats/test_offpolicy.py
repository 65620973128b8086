"""Off-policy estimates against a known simulated truth: contexts, a logging policy with
known propensities, Bernoulli rewards with known rates; the value of a different policy is
known exactly, and IPS and SNIPS recover it."""

from __future__ import annotations

import numpy as np
import pytest

from recmind.marketing.experiments.stats.offpolicy import ips, snips

RATES = np.array([[0.02, 0.06, 0.04], [0.10, 0.03, 0.05]])
"""Reward rate of each arm (columns) in each of two contexts (rows)."""
CONTEXT_SHARE = np.array([0.7, 0.3])
LOGGING = np.array([[0.6, 0.2, 0.2], [0.2, 0.6, 0.2]])
"""The logging policy's probabilities per context: it prefers the wrong arm in both."""
TARGET = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
"""The new policy: the best arm of each context."""
TRUTH = float(CONTEXT_SHARE @ (TARGET * RATES).sum(axis=1))


def _log(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    contexts = rng.choice(2, n, p=CONTEXT_SHARE)
    cumulative = LOGGING[contexts].cumsum(axis=1)
    arms = (rng.random(n)[:, None] > cumulative).sum(axis=1)
    rewards = (rng.random(n) < RATES[contexts, arms]).astype(float)
    return rewards, LOGGING[contexts, arms], TARGET[contexts, arms]


def test_both_estimators_recover_the_truth() -> None:
    rewards, propensities, target = _log(1, 200_000)
    for estimate in (ips(rewards, propensities, target), snips(rewards, propensities, target)):
        assert abs(estimate.value - TRUTH) < 3 * estimate.standard_error
        assert estimate.ci_low < TRUTH < estimate.ci_high
        assert estimate.standard_error < 0.002
        assert 0 < estimate.effective_sample_size < estimate.decisions
    on_policy = float(CONTEXT_SHARE @ (LOGGING * RATES).sum(axis=1))
    assert abs(rewards.mean() - on_policy) < 0.002  # the log's own mean is not the answer
    assert abs(on_policy - TRUTH) > 0.02


def test_ips_is_unbiased_over_many_logs() -> None:
    estimates = [ips(*_log(seed, 5_000)).value for seed in range(200)]
    errors = np.array(estimates) - TRUTH
    assert abs(errors.mean()) < 3 * errors.std(ddof=1) / np.sqrt(len(errors))
    covered = [ips(*_log(seed, 5_000)) for seed in range(200, 300)]
    coverage = np.mean([e.ci_low <= TRUTH <= e.ci_high for e in covered])
    assert coverage >= 0.88


def test_the_logging_policy_is_its_own_mean() -> None:
    rewards, propensities, _ = _log(3, 10_000)
    same = snips(rewards, propensities, propensities)
    assert same.value == pytest.approx(rewards.mean())
    assert ips(rewards, propensities, propensities).value == pytest.approx(rewards.mean())
    assert same.effective_sample_size == pytest.approx(10_000)


def test_bad_logs_are_refused() -> None:
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        ips([1.0], [0.0], [1.0])
    with pytest.raises(ValueError, match="one value each"):
        snips([1.0, 0.0], [0.5], [1.0])
    with pytest.raises(ValueError, match="no logged"):
        ips([], [], [])
    never = snips([1.0, 0.0], [0.5, 0.5], [0.0, 0.0])
    assert np.isnan(never.value)
