"""Off-policy evaluation: what a different policy *would* have earned, estimated from the
logs of the policy that ran (each decision's context, chosen arm, the probability the
logging policy gave that arm, and the reward).

* **IPS** (inverse propensity scoring): the mean of ``w_i * r_i`` with
  ``w_i = pi_new(a_i | x_i) / p_i``. Unbiased whenever every arm the new policy may choose
  had a positive logged probability (a bandit's minimum share guarantees it), but its
  variance grows with the weights.
* **SNIPS** (self-normalised IPS): ``sum(w r) / sum(w)``. Slightly biased for small logs,
  usually far less variable, and it stays within the range of the rewards.

Standard errors: IPS, the sample standard deviation of ``w r`` over sqrt(n); SNIPS, the
delta method, sqrt(sum(w^2 (r - V)^2)) / sum(w). ``effective_sample_size`` is
``sum(w)^2 / sum(w^2)``: how many on-policy decisions the log is worth for this policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import norm


@dataclass(frozen=True)
class PolicyEstimate:
    """The estimated mean reward per decision of a policy, by one estimator."""

    estimator: str
    value: float
    standard_error: float
    ci_low: float
    ci_high: float
    decisions: int
    effective_sample_size: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimator": self.estimator,
            "value": self.value,
            "standard_error": self.standard_error,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "decisions": self.decisions,
            "effective_sample_size": self.effective_sample_size,
        }


def _arrays(
    rewards: ArrayLike, propensities: ArrayLike, target: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    r = np.asarray(rewards, dtype=np.float64)
    p = np.asarray(propensities, dtype=np.float64)
    q = np.asarray(target, dtype=np.float64)
    if not r.shape == p.shape == q.shape or r.ndim != 1:
        raise ValueError("rewards, propensities and target probabilities: one value each")
    if np.any(p <= 0) or np.any(p > 1):
        raise ValueError("logged propensities must be in (0, 1]")
    if np.any(q < 0) or np.any(q > 1):
        raise ValueError("target probabilities must be in [0, 1]")
    return r, q / p


def _estimate(
    name: str, value: float, se: float, *, weights: np.ndarray, confidence: float
) -> PolicyEstimate:
    n = len(weights)
    z = float(norm.ppf(0.5 + confidence / 2))
    squares = float(np.sum(weights**2))
    ess = float(np.sum(weights)) ** 2 / squares if squares > 0 else 0.0
    return PolicyEstimate(name, value, se, value - z * se, value + z * se, n, ess)


def ips(
    rewards: ArrayLike, propensities: ArrayLike, target: ArrayLike, confidence: float = 0.95
) -> PolicyEstimate:
    """IPS estimate. ``target[i]``: the new policy's probability of the logged arm ``a_i``
    in context ``x_i``; ``propensities[i]``: the logging policy's."""
    r, w = _arrays(rewards, propensities, target)
    n = len(r)
    if n == 0:
        raise ValueError("no logged decisions")
    terms = w * r
    se = float(np.std(terms, ddof=1) / np.sqrt(n)) if n > 1 else float("inf")
    return _estimate("ips", float(terms.mean()), se, weights=w, confidence=confidence)


def snips(
    rewards: ArrayLike, propensities: ArrayLike, target: ArrayLike, confidence: float = 0.95
) -> PolicyEstimate:
    """Self-normalised IPS estimate (same arguments as :func:`ips`)."""
    r, w = _arrays(rewards, propensities, target)
    n = len(r)
    total = float(w.sum())
    if n == 0:
        raise ValueError("no logged decisions")
    if total == 0:  # the new policy never chooses what was logged: nothing to say
        return _estimate("snips", float("nan"), float("inf"), weights=w, confidence=confidence)
    value = float(np.dot(w, r) / total)
    se = float(np.sqrt(np.sum(w**2 * (r - value) ** 2)) / total)
    return _estimate("snips", value, se, weights=w, confidence=confidence)
