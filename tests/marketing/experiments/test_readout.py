"""Readouts from the store: each person's conversion and revenue counted in the window after
their exposure (pre-period revenue before it), the tests run on those numbers, a sample-
ratio mismatch blocks the readout, and a bandit's readout carries off-policy estimates."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from tests.marketing.experiments.shop import DAY, T0, catalogue, experiment, exposures, purchases

from recmind.data.store import Store
from recmind.marketing.experiments.exposures import Exposure, log_exposure
from recmind.marketing.experiments.metrics import arm_statistics
from recmind.marketing.experiments.readout import compute_readout, finite


def _plant(store: Store, sizes: dict[str, int], rates: dict[str, float], seed: int = 0) -> dict:
    """People per arm exposed on day 0..9, purchases (after and before exposure), and the
    per-person truth: variant -> (converted, revenue in window, pre-period revenue)."""
    rng = np.random.default_rng(seed)
    rows, buys, truth = [], [], {}
    for variant, size in sizes.items():
        for n in range(size):
            user = f"{variant}-{n}"
            at = T0 + float(rng.integers(0, 10)) * DAY
            rows.append((user, variant, at))
            pre = float(rng.gamma(2.0, 20.0)) if rng.random() < 0.5 else 0.0
            if pre:
                buys.append((user, at - 5 * DAY, pre))
            y = 0.0
            if rng.random() < rates[variant]:
                y = round(0.5 * pre + float(rng.gamma(2.0, 15.0)), 2)
                buys.append((user, at + 3 * DAY, y))
            buys.append((user, at + 9 * DAY, 500.0))  # outside the 7-day window
            truth[user] = (variant, y > 0, y, pre)
        exposures(store, "subjects", [r for r in rows if r[1] == variant])
    purchases(store, buys)
    return truth


def test_arm_statistics_are_the_people_s_numbers(store: Store) -> None:
    found = experiment(store)
    catalogue(store)
    truth = _plant(store, {"control": 300, "short": 300}, {"control": 0.1, "short": 0.2})
    purchases(store, [("control-0", T0 + 20 * DAY, None)])  # at the catalogue price
    got = arm_statistics(store, found, until=T0 + 30 * DAY)
    for variant in ("control", "short"):
        people = [t for t in truth.values() if t[0] == variant]
        y = np.array([t[2] for t in people])
        x = np.array([t[3] for t in people])
        arm = got[variant]
        assert (arm.n, arm.conversions) == (300, sum(t[1] for t in people))
        assert arm.sum_y == pytest.approx(y.sum()) and arm.sum_x == pytest.approx(x.sum())
        assert arm.sum_y2 == pytest.approx((y * y).sum())
        assert arm.sum_xy == pytest.approx((x * y).sum())
    assert arm_statistics(store, found, until=T0 - 1)["short"].n == 0


def test_a_readout_tests_every_variant(store: Store) -> None:
    found = experiment(store, variants=[{"name": "control"}, {"name": "short"}, {"name": "long"}])
    rates = {"control": 0.05, "short": 0.09, "long": 0.05}
    truth = _plant(store, {"control": 1500, "short": 1500, "long": 1500}, rates, seed=1)
    exposures(store, "subjects", [(f"held-{n}", "holdout", T0) for n in range(80)])
    readout = compute_readout(store, found, now=T0 + 30 * DAY)
    data = readout.to_dict()
    assert not data["blocked"] and data["srm"]["p_value"] > 0.001
    assert [a["variant"] for a in data["arms"]] == ["control", "short", "long"]
    assert data["holdout"]["people"] == 80 and data["holdout"]["conversions"] == 0
    conversion = {t["variant"]: t for t in data["tests"]["conversion"]}
    assert set(conversion) == {"short", "long"}
    assert conversion["short"]["significant"] and not conversion["long"]["significant"]
    assert conversion["short"]["p_adjusted"] >= conversion["short"]["p_value"]
    # revenue: Welch on the planted per-person values
    control_y = [t[2] for t in truth.values() if t[0] == "control"]
    short_y = [t[2] for t in truth.values() if t[0] == "short"]
    welch = stats.ttest_ind(short_y, control_y, equal_var=False)
    revenue = {t["variant"]: t for t in data["tests"]["revenue"]}
    assert revenue["short"]["p_value"] == pytest.approx(welch.pvalue, rel=1e-6)
    cuped = {t["variant"]: t for t in data["tests"]["revenue_cuped"]}
    assert cuped["short"]["variance_reduction"] > 0
    bayes = {b["variant"]: b for b in data["bayesian"]}
    assert bayes["short"]["probability_beats_control"] > 0.99
    assert bayes["short"]["expected_loss"] < 1e-4 < bayes["short"]["control_loss"]
    assert sum(a["probability_best"] for a in data["arms"]) == pytest.approx(1.0, abs=1e-6)


def test_a_sample_ratio_mismatch_blocks_the_readout(store: Store) -> None:
    found = experiment(store)
    _plant(store, {"control": 1000, "short": 1200}, {"control": 0.05, "short": 0.2})
    readout = compute_readout(store, found, now=T0 + 30 * DAY)
    data = readout.to_dict()
    assert data["blocked"] and data["srm"]["mismatch"] and data["srm"]["p_value"] < 0.001
    assert "sample ratio mismatch" in (data["blocked_reason"] or "")
    assert data["tests"] == {} and data["bayesian"] == []
    assert [a["people"] for a in data["arms"]] == [1000, 1200]  # the counts are still shown
    assert all(a["posterior"] is None and a["probability_best"] is None for a in data["arms"])


def test_an_empty_experiment_reads_out_without_tests(store: Store) -> None:
    readout = compute_readout(store, experiment(store), now=T0).to_dict()
    assert not readout["blocked"] and readout["tests"]["conversion"] == []
    assert readout["notes"] and readout["arms"][0]["rate"] is None


def test_a_bandit_readout(store: Store) -> None:
    found = experiment(
        store,
        kind="bandit",
        variants=[{"name": "a"}, {"name": "b"}],
        metrics={"min_share": 0.1, "window_days": 1},
    )
    rng = np.random.default_rng(4)
    buys = []
    for n in range(400):
        variant = "a" if rng.random() < 0.3 else "b"
        propensity = 0.3 if variant == "a" else 0.7
        user = f"u{n}"
        log_exposure(
            store, Exposure(f"e{n}", "subjects", f"k{n}", user, variant, T0, propensity, None)
        )
        if rng.random() < (0.05 if variant == "a" else 0.15):
            buys.append((user, T0 + 100, 10.0))
    log_exposure(store, Exposure("late", "subjects", "late", "late", "a", T0 + 5 * DAY, 0.3, None))
    purchases(store, buys)
    data = compute_readout(store, found, now=T0 + 5 * DAY).to_dict()
    assert data["srm"] is None and data["tests"] == {} and not data["blocked"]
    arms = {a["variant"]: a for a in data["arms"]}
    assert arms["a"]["people"] + arms["b"]["people"] == 400
    assert arms["a"]["pending"] == 1
    assert arms["a"]["conversions"] + arms["b"]["conversions"] == len(buys)
    assert arms["b"]["allocation"] > 0.85 and arms["a"]["allocation"] >= 0.1
    policies = {p["policy"]: p for p in data["off_policy"]}
    assert set(policies) == {"always a", "always b", "uniform"}
    always_b = policies["always b"]["snips"]
    assert always_b["value"] == pytest.approx(arms["b"]["conversions"] / arms["b"]["people"])
    assert policies["always b"]["ips"]["ci_low"] < 0.15 < policies["always b"]["ips"]["ci_high"]


def test_numbers_that_cannot_be_estimated_are_null_in_json() -> None:
    assert finite({"a": [float("nan"), 1.0, float("inf")], "b": "x", "c": 2}) == {
        "a": [None, 1.0, None],
        "b": "x",
        "c": 2,
    }
