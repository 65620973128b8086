"""Lift and rate intervals: the point is the ratio of pooled rates, the interval comes from
scipy's bootstrap over people and agrees with a plain numpy cluster bootstrap."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recmind.marketing.simulate.lift import lift, rate


def campaigns(rng: np.random.Generator, people: int, moments: int, p: float) -> pd.DataFrame:
    users = np.repeat([f"u{i}" for i in range(people)], moments)
    return pd.DataFrame({"user_id": users, "converted": rng.random(len(users)) < p})


def test_the_point_is_the_ratio_of_pooled_rates() -> None:
    a = pd.DataFrame({"user_id": ["x", "x", "y", "z"], "converted": [1, 0, 1, 1]})
    b = pd.DataFrame({"user_id": ["x", "w"], "converted": [1, 0]})
    found = lift(a, b, seed=1)
    assert found.value == (3 / 4) / (1 / 2)
    assert found.people == 4  # w, x, y, z
    assert rate(a).value == 0.75


def test_a_policy_over_itself_is_one() -> None:
    data = campaigns(np.random.default_rng(0), 300, 4, 0.1)
    found = lift(data, data, seed=2)
    assert found.value == 1.0
    assert found.low is not None and found.high is not None
    assert found.low <= 1.0 <= found.high


def test_no_conversions_is_an_exact_zero_and_no_baseline_is_undefined() -> None:
    none = pd.DataFrame({"user_id": ["a", "b"], "converted": [0, 0]})
    some = pd.DataFrame({"user_id": ["a", "b"], "converted": [1, 0]})
    assert lift(none, some).to_json() == {
        "value": 0.0,
        "low": 0.0,
        "high": 0.0,
        "people": 2,
        "method": "exact",
    }
    assert lift(some, none).value is None


def test_the_interval_agrees_with_a_numpy_cluster_bootstrap() -> None:
    rng = np.random.default_rng(3)
    a, b = campaigns(rng, 2000, 3, 0.08), campaigns(rng, 2000, 3, 0.04)
    found = lift(a, b, seed=4)
    ca = a.groupby("user_id")["converted"].sum().to_numpy(dtype=float)
    cb = b.groupby("user_id")["converted"].sum().to_numpy(dtype=float)
    draws = np.random.default_rng(5).integers(0, len(ca), size=(4000, len(ca)))
    ratios = ca[draws].sum(axis=1) / cb[draws].sum(axis=1)  # campaigns per person are equal
    low, high = np.percentile(ratios, [2.5, 97.5])
    assert found.low is not None and found.high is not None
    assert abs(found.low - low) < 0.06 and abs(found.high - high) < 0.06
    assert found.low < found.value < found.high  # type: ignore[operator]
