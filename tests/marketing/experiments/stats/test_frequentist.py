"""The frequentist tests from sufficient statistics agree with the same tests run by scipy
and statsmodels on the raw per-person values, CUPED included."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from recmind.marketing.experiments.stats.frequentist import (
    ArmStats,
    conversion_test,
    cuped_test,
    cuped_theta,
    holm,
    pooled,
    revenue_test,
)


def _arm(name: str, y: np.ndarray, x: np.ndarray, converted: np.ndarray) -> ArmStats:
    return ArmStats(
        name,
        len(y),
        int(converted.sum()),
        float(y.sum()),
        float((y * y).sum()),
        float(x.sum()),
        float((x * x).sum()),
        float((x * y).sum()),
    )


def _people(rng: np.random.Generator, n: int, lift: float) -> tuple[np.ndarray, ...]:
    pre = rng.gamma(1.2, 40.0, n) * (rng.random(n) < 0.4)
    post = np.maximum(0.6 * pre + rng.normal(8.0 + lift, 25.0, n), 0.0)
    converted = post > 0
    return post, pre, converted


def test_conversion_is_statsmodels_two_proportion_test() -> None:
    control, variant = ArmStats("c", 10_000, 500), ArmStats("v", 10_000, 580)
    test = conversion_test(variant, control, 0.95)
    assert test is not None
    z, p = proportions_ztest([580, 500], [10_000, 10_000])
    assert (test.statistic, test.p_value) == pytest.approx((z, p))
    assert test.difference == pytest.approx(0.008)
    assert test.ci_low < 0.008 < test.ci_high and test.ci_low > 0  # p ~ 0.012
    assert test.relative == pytest.approx(0.16)


def test_conversion_edge_cases() -> None:
    assert conversion_test(ArmStats("v", 0, 0), ArmStats("c", 10, 1), 0.95) is None
    nothing = conversion_test(ArmStats("v", 10, 0), ArmStats("c", 10, 0), 0.95)
    assert nothing is not None and nothing.p_value == 1.0 and nothing.difference == 0.0


def test_welch_from_sums_is_scipy_on_the_values() -> None:
    rng = np.random.default_rng(7)
    y_c, x_c, k_c = _people(rng, 3000, 0.0)
    y_v, x_v, k_v = _people(rng, 2500, 3.0)
    test = revenue_test(_arm("v", y_v, x_v, k_v), _arm("c", y_c, x_c, k_c), 0.95)
    assert test is not None
    reference = stats.ttest_ind(y_v, y_c, equal_var=False)
    interval = reference.confidence_interval(0.95)
    assert test.statistic == pytest.approx(reference.statistic, rel=1e-9)
    assert test.p_value == pytest.approx(reference.pvalue, rel=1e-7)
    assert (test.ci_low, test.ci_high) == pytest.approx((interval.low, interval.high), rel=1e-9)
    assert test.difference == pytest.approx(y_v.mean() - y_c.mean())


def test_cuped_equals_welch_on_adjusted_values_and_narrows_the_interval() -> None:
    rng = np.random.default_rng(11)
    y_c, x_c, k_c = _people(rng, 4000, 0.0)
    y_v, x_v, k_v = _people(rng, 4000, 2.0)
    arms = [_arm("c", y_c, x_c, k_c), _arm("v", y_v, x_v, k_v)]
    theta = cuped_theta(arms)
    x_all, y_all = np.concatenate([x_c, x_v]), np.concatenate([y_c, y_v])
    assert theta == pytest.approx(np.cov(x_all, y_all)[0, 1] / np.var(x_all, ddof=1), rel=1e-9)
    everyone = pooled(arms)
    test = cuped_test(arms[1], arms[0], 0.95, theta, everyone.sum_x / everyone.n)
    assert test is not None and test.extra is not None
    mean_x = x_all.mean()
    adjusted_v, adjusted_c = y_v - theta * (x_v - mean_x), y_c - theta * (x_c - mean_x)
    reference = stats.ttest_ind(adjusted_v, adjusted_c, equal_var=False)
    interval = reference.confidence_interval(0.95)
    assert test.statistic == pytest.approx(reference.statistic, rel=1e-7)
    assert (test.ci_low, test.ci_high) == pytest.approx((interval.low, interval.high), rel=1e-7)
    plain = revenue_test(arms[1], arms[0], 0.95)
    assert plain is not None
    assert test.ci_high - test.ci_low < 0.9 * (plain.ci_high - plain.ci_low)
    assert 0.2 < test.extra["variance_reduction"] < 0.9


def test_cuped_without_a_pre_period_is_plain_welch() -> None:
    rng = np.random.default_rng(5)
    y_c, _, k_c = _people(rng, 500, 0.0)
    y_v, _, k_v = _people(rng, 500, 1.0)
    zeros_c, zeros_v = np.zeros(500), np.zeros(500)
    arms = [_arm("c", y_c, zeros_c, k_c), _arm("v", y_v, zeros_v, k_v)]
    assert cuped_theta(arms) == 0.0
    cuped = cuped_test(arms[1], arms[0], 0.95, 0.0, 0.0)
    plain = revenue_test(arms[1], arms[0], 0.95)
    assert cuped is not None and plain is not None
    assert cuped.p_value == pytest.approx(plain.p_value)


def test_holm_adjusts_a_family_of_variants() -> None:
    control = ArmStats("c", 20_000, 1000)
    variants = [ArmStats("a", 20_000, 1090), ArmStats("b", 20_000, 1040), ArmStats("d", 0, 0)]
    tests = holm([conversion_test(v, control, 0.95) for v in variants], 0.95)
    assert tests[2] is None
    raw = [t.p_value for t in tests if t is not None]
    reject, adjusted, _, _ = multipletests(raw, alpha=0.05, method="holm")
    assert [t.p_adjusted for t in tests if t is not None] == pytest.approx(list(adjusted))
    assert [t.significant for t in tests if t is not None] == list(reject)
    # Holm by hand: sorted p (p1 <= p2), adjusted max(2 p1), max(that, p2)
    p1, p2 = sorted(raw)
    assert sorted(adjusted) == pytest.approx([min(2 * p1, 1), min(max(2 * p1, p2), 1)])
