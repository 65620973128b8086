"""The frequentist readout, from each arm's sufficient statistics (counts, sums, sums of
squares and cross products: what SQL can aggregate without moving a row per person).

* **Conversion**: the two-proportion z-test (:func:`statsmodels.stats.proportion.
  proportions_ztest`, pooled variance) of each variant against the control, and the
  interval of the difference of rates (Newcombe's hybrid score, :func:`statsmodels.stats.
  proportion.confint_proportions_2indep`).
* **Revenue per person**: Welch's t-test (unequal variances, :func:`scipy.stats.
  ttest_ind_from_stats`), its interval from the Welch-Satterthwaite degrees of freedom.
* **CUPED**: each person's revenue minus ``theta * (x - mean x)``, where ``x`` is their
  revenue in the pre-period (before their first exposure, so untouched by the experiment)
  and ``theta = cov(x, y) / var(x)`` over everyone. The mean difference estimates the same
  effect; its variance shrinks by the share of revenue the pre-period explains
  (``variance_reduction``), so the interval is narrower at no cost in bias. The adjusted
  statistics follow from the sums (the adjusted values are never materialised), and equal
  Welch's test on the adjusted values.
* **Several variants**: the p-values of one metric are adjusted with Holm's step-down
  method (:func:`statsmodels.stats.multitest.multipletests`), which holds the chance of any
  false "significant" at ``1 - confidence``; the intervals shown are per comparison.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from scipy.stats import t as t_dist
from scipy.stats import ttest_ind_from_stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest


@dataclass(frozen=True)
class ArmStats:
    """One arm's sums: ``y`` its revenue per person in the window, ``x`` in the pre-period."""

    name: str
    n: int
    conversions: int
    sum_y: float = 0.0
    sum_y2: float = 0.0
    sum_x: float = 0.0
    sum_x2: float = 0.0
    sum_xy: float = 0.0

    @property
    def rate(self) -> float | None:
        return self.conversions / self.n if self.n else None

    @property
    def mean_y(self) -> float | None:
        return self.sum_y / self.n if self.n else None

    def _co(self, s_ab: float, s_a: float, s_b: float) -> float:
        """The sample (co)variance from sums (0 under two people)."""
        if self.n < 2:
            return 0.0
        return (s_ab - s_a * s_b / self.n) / (self.n - 1)

    @property
    def var_y(self) -> float:
        return max(self._co(self.sum_y2, self.sum_y, self.sum_y), 0.0)

    @property
    def var_x(self) -> float:
        return max(self._co(self.sum_x2, self.sum_x, self.sum_x), 0.0)

    @property
    def cov_xy(self) -> float:
        return self._co(self.sum_xy, self.sum_x, self.sum_y)


def pooled(arms: Sequence[ArmStats], name: str = "all") -> ArmStats:
    """The sums of several arms together."""
    return ArmStats(
        name,
        sum(a.n for a in arms),
        sum(a.conversions for a in arms),
        *(
            sum(getattr(a, f) for a in arms)
            for f in ("sum_y", "sum_y2", "sum_x", "sum_x2", "sum_xy")
        ),
    )


@dataclass(frozen=True)
class Test:
    """A variant against the control on one metric: the difference (variant minus
    control), its interval, the p-value, Holm's adjusted p-value and the verdict."""

    variant: str
    metric: str
    variant_value: float
    control_value: float
    difference: float
    ci_low: float
    ci_high: float
    statistic: float
    p_value: float
    p_adjusted: float
    significant: bool
    extra: dict[str, float] | None = None

    @property
    def relative(self) -> float | None:
        return self.difference / self.control_value if self.control_value else None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "variant": self.variant,
            "metric": self.metric,
            "variant_value": self.variant_value,
            "control_value": self.control_value,
            "difference": self.difference,
            "relative": self.relative,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "statistic": self.statistic,
            "p_value": self.p_value,
            "p_adjusted": self.p_adjusted,
            "significant": self.significant,
        }
        return out | (self.extra or {})


def conversion_test(variant: ArmStats, control: ArmStats, confidence: float) -> Test | None:
    """Two-proportion z-test and Newcombe interval (None when an arm is empty)."""
    if variant.n == 0 or control.n == 0:
        return None
    counts, people = [variant.conversions, control.conversions], [variant.n, control.n]
    p_v, p_c = counts[0] / people[0], counts[1] / people[1]
    pooled_rate = sum(counts) / sum(people)
    if pooled_rate in (0.0, 1.0):  # no variance at all: nothing can differ
        z, p = 0.0, 1.0
    else:
        z_value, p_value = proportions_ztest(counts, people)
        z, p = float(z_value), float(p_value)
    low, high = confint_proportions_2indep(
        counts[0], people[0], counts[1], people[1], method="newcomb", alpha=1 - confidence
    )
    return Test(
        variant.name, "conversion", p_v, p_c, p_v - p_c, float(low), float(high), z, p, p, False
    )


Moments = tuple[float, float, int]
"""An arm's (mean, sample variance, size)."""


def welch(
    variant: Moments, control: Moments, confidence: float
) -> tuple[float, float, float, float, float]:
    """(difference, ci_low, ci_high, t, p) of Welch's test from the arms' moments."""
    (mean_v, var_v, n_v), (mean_c, var_c, n_c) = variant, control
    difference = mean_v - mean_c
    se2_v, se2_c = var_v / n_v, var_c / n_c
    se = math.sqrt(se2_v + se2_c)
    if se == 0.0:
        return difference, difference, difference, 0.0, 1.0 if difference == 0 else 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        t_value, p_value = ttest_ind_from_stats(
            mean_v, math.sqrt(var_v), n_v, mean_c, math.sqrt(var_c), n_c, equal_var=False
        )
    df = (se2_v + se2_c) ** 2 / (se2_v**2 / (n_v - 1) + se2_c**2 / (n_c - 1))
    margin = float(t_dist.ppf(0.5 + confidence / 2, df)) * se
    return difference, difference - margin, difference + margin, float(t_value), float(p_value)


def revenue_test(variant: ArmStats, control: ArmStats, confidence: float) -> Test | None:
    """Welch's test of revenue per person (None under two people in an arm)."""
    if variant.n < 2 or control.n < 2:
        return None
    assert variant.mean_y is not None and control.mean_y is not None
    d, low, high, t, p = welch(
        (variant.mean_y, variant.var_y, variant.n),
        (control.mean_y, control.var_y, control.n),
        confidence,
    )
    return Test(
        variant.name, "revenue", variant.mean_y, control.mean_y, d, low, high, t, p, p, False
    )


def cuped_theta(arms: Sequence[ArmStats]) -> float:
    """cov(x, y) / var(x) over everyone (0 when the pre-period has no variance)."""
    everyone = pooled(arms)
    return everyone.cov_xy / everyone.var_x if everyone.var_x > 0 else 0.0


def cuped_test(
    variant: ArmStats, control: ArmStats, confidence: float, theta: float, mean_x: float
) -> Test | None:
    """Welch's test of CUPED-adjusted revenue per person (module docs)."""
    if variant.n < 2 or control.n < 2:
        return None

    def adjusted(arm: ArmStats) -> tuple[float, float]:
        mean = arm.sum_y / arm.n - theta * (arm.sum_x / arm.n - mean_x)
        variance = arm.var_y + theta**2 * arm.var_x - 2 * theta * arm.cov_xy
        return mean, max(variance, 0.0)

    (m_v, v_v), (m_c, v_c) = adjusted(variant), adjusted(control)
    d, low, high, t, p = welch((m_v, v_v, variant.n), (m_c, v_c, control.n), confidence)
    raw = variant.var_y / variant.n + control.var_y / control.n
    reduction = 1 - (v_v / variant.n + v_c / control.n) / raw if raw > 0 else 0.0
    extra = {"theta": theta, "variance_reduction": reduction}
    return Test(variant.name, "revenue_cuped", m_v, m_c, d, low, high, t, p, p, False, extra)


def holm(tests: Sequence[Test | None], confidence: float) -> list[Test | None]:
    """The tests with Holm-adjusted p-values and verdicts (one family: one metric)."""
    present = [t for t in tests if t is not None]
    if not present:
        return list(tests)
    reject, adjusted, _, _ = multipletests(
        [t.p_value for t in present], alpha=1 - confidence, method="holm"
    )
    done = iter(
        replace(t, p_adjusted=float(p), significant=bool(r))
        for t, p, r in zip(present, adjusted, reject, strict=True)
    )
    return [None if t is None else next(done) for t in tests]
