"""The Bayesian readout of conversion: Beta-Binomial posteriors, the probability that a
variant beats the control (or is the best of all), and the expected loss of choosing it.

With a Beta(a0, b0) prior, an arm with ``x`` conversions of ``n`` people has the posterior
Beta(a0 + x, b0 + n - x) of its rate. The integrals below are one-dimensional and computed
with :func:`scipy.integrate.quad` over the arm's own posterior, from its 1e-13 to its
1 - 1e-13 quantile (what lies beyond weighs less than 2e-13), with the posterior means
inside that range as break points:

* P(arm k is best) = E_k[prod_{j != k} F_j(p)] = int f_k(x) prod_{j != k} F_j(x) dx; with two
  arms it is the probability that the variant beats the control. The same numbers are a
  Thompson-sampling bandit's exact chance of choosing each arm.
* The expected loss of choosing variant v over control c, E[max(p_c - p_v, 0)], uses
  E[(p_c - t)+] = m_c * S_{a_c+1,b_c}(t) - t * S_{a_c,b_c}(t) (``S`` the Beta survival
  function, ``m_c`` the control's posterior mean), integrated over v's posterior.

:func:`monte_carlo` computes the same numbers by drawing from the posteriors; tests and
``benchmarks/experiments_stats.py`` check that the two agree to 3 decimals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import integrate
from scipy.stats import beta as beta_dist

_QUAD = {"limit": 200, "epsabs": 1e-11, "epsrel": 1e-10}


@dataclass(frozen=True)
class Posterior:
    """Beta(alpha, beta) of one arm's conversion rate."""

    alpha: float
    beta: float

    @classmethod
    def of(
        cls, conversions: int, people: int, prior: tuple[float, float] = (1.0, 1.0)
    ) -> Posterior:
        if not 0 <= conversions <= people:
            raise ValueError(f"conversions ({conversions}) must be within 0..people ({people})")
        return cls(prior[0] + conversions, prior[1] + people - conversions)

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        """The equal-tailed credible interval."""
        tail = (1 - level) / 2
        low, high = beta_dist.ppf([tail, 1 - tail], self.alpha, self.beta)
        return float(low), float(high)


TAIL = 1e-13


def _over(arm: Posterior, others: Sequence[Posterior], function: Callable[[float], float]) -> float:
    """int f_arm(x) * function(x) dx over the arm's posterior (module docs)."""
    low, high = (float(v) for v in beta_dist.ppf([TAIL, 1 - TAIL], arm.alpha, arm.beta))
    points = sorted({arm.mean, *(o.mean for o in others if low < o.mean < high)})

    def integrand(x: float) -> float:
        return float(beta_dist.pdf(x, arm.alpha, arm.beta)) * function(x)

    value, _ = integrate.quad(integrand, low, high, points=points, **_QUAD)
    return float(value)


def probability_best(posteriors: Sequence[Posterior]) -> list[float]:
    """For each arm, the probability that its rate is the highest."""
    if len(posteriors) < 2:
        return [1.0] * len(posteriors)
    result = []
    for k, arm in enumerate(posteriors):
        others = [p for j, p in enumerate(posteriors) if j != k]

        def below(x: float, others: list[Posterior] = others) -> float:
            return float(np.prod([beta_dist.cdf(x, o.alpha, o.beta) for o in others]))

        result.append(_over(arm, others, below))
    return result


def probability_beats(variant: Posterior, control: Posterior) -> float:
    """P(variant's rate > control's rate)."""
    return probability_best([variant, control])[0]


def _upside(of: Posterior, t: float) -> float:
    """E[max(p - t, 0)] for p ~ ``of``."""
    above_shifted = beta_dist.sf(t, of.alpha + 1, of.beta)
    above = beta_dist.sf(t, of.alpha, of.beta)
    return float(of.mean * above_shifted - t * above)


def expected_loss(chosen: Posterior, other: Posterior) -> float:
    """E[max(p_other - p_chosen, 0)]: the conversion rate given up, on average, by choosing
    ``chosen`` over ``other`` (in absolute rate, e.g. 0.001 = 0.1 points)."""

    return max(_over(chosen, [other], lambda x: _upside(other, x)), 0.0)


@dataclass(frozen=True)
class BayesComparison:
    """A variant against the control."""

    variant: str
    probability_beats_control: float
    expected_loss: float
    """E[max(control - variant, 0)]: the risk of shipping the variant."""
    control_loss: float
    """E[max(variant - control, 0)]: the risk of keeping the control."""


def compare_to_control(variant: str, posterior: Posterior, control: Posterior) -> BayesComparison:
    return BayesComparison(
        variant=variant,
        probability_beats_control=probability_beats(posterior, control),
        expected_loss=expected_loss(posterior, control),
        control_loss=expected_loss(control, posterior),
    )


@dataclass(frozen=True)
class MonteCarloReference:
    """The same numbers from draws (``draws`` per arm)."""

    probability_best: list[float]
    probability_beats: list[float]
    """Of each arm against arm 0."""
    expected_loss: list[float]
    """Of choosing each arm over arm 0."""
    draws: int


def monte_carlo(
    posteriors: Sequence[Posterior], *, draws: int, seed: int, chunk: int = 1_000_000
) -> MonteCarloReference:
    """Draw ``draws`` rates per arm (in chunks) and count: P(best), P(beats arm 0) and the
    expected loss of choosing each arm over arm 0."""
    rng = np.random.default_rng(seed)
    k = len(posteriors)
    best = np.zeros(k)
    beats = np.zeros(k)
    loss = np.zeros(k)
    done = 0
    while done < draws:
        size = min(chunk, draws - done)
        samples = np.stack([rng.beta(p.alpha, p.beta, size) for p in posteriors])
        best += np.bincount(samples.argmax(axis=0), minlength=k)
        beats += (samples > samples[0]).sum(axis=1)
        loss += np.maximum(samples[0] - samples, 0.0).sum(axis=1)
        done += size
    return MonteCarloReference(
        probability_best=(best / draws).tolist(),
        probability_beats=(beats / draws).tolist(),
        expected_loss=(loss / draws).tolist(),
        draws=draws,
    )
