"""The recency-frequency-value summary at a cut, worked out by hand."""

from __future__ import annotations

import math

import numpy as np

from recmind.customers.clv.history import PurchaseDays
from recmind.customers.clv.summary import summarise


def _days() -> PurchaseDays:
    # ann: orders on days -100, -60, -10 (values 10, 20, 40); bo: one order on day -5 (8);
    # cy: one order on day -1 only (after the cut used below).
    return PurchaseDays(
        user_ids=np.array(["ann", "bo", "cy"]),
        customer=np.array([0, 0, 0, 1, 2]),
        day=np.array([-100, -60, -10, -5, -1]),
        value=np.array([10.0, 20.0, 40.0, 8.0, 3.0]),
    )


def test_summary_at_a_cut() -> None:
    summary = summarise(_days(), cut=-2, horizon=30)
    assert summary.index.tolist() == ["ann", "bo"]  # cy's only order is on day -1
    ann = summary.loc["ann"]
    assert ann["frequency"] == 2
    assert ann["recency"] == 90
    assert ann["T"] == 97  # from day -100 to day -3, the last day before the cut
    assert ann["monetary_value"] == 30.0  # the repeat orders' mean
    assert ann["orders"] == 3
    assert ann["total_value"] == 70.0
    assert math.isclose(ann["avg_order_value"], 70 / 3)
    assert ann["days_since_last"] == 7
    assert ann["gap_mean"] == 45.0
    assert ann["gap_std"] == 5.0
    assert ann["gap_last"] == 50.0
    assert ann["orders_30d"] == 1
    assert ann["orders_90d"] == 2
    assert ann["orders_180d"] == 3
    assert ann["value_90d"] == 60.0
    bo = summary.loc["bo"]
    assert (bo["frequency"], bo["recency"], bo["T"], bo["monetary_value"]) == (0, 0, 2, 0.0)
    assert math.isnan(bo["gap_mean"])


def test_last_year_same_season() -> None:
    days = PurchaseDays(
        user_ids=np.array(["ann"]),
        customer=np.array([0, 0, 0]),
        day=np.array([-370, -350, -300]),
        value=np.array([1.0, 1.0, 1.0]),
    )
    summary = summarise(days, cut=0, horizon=30)
    # the 30 days that start a year before the cut: days -365 .. -336
    assert summary.loc["ann", "orders_last_year_horizon"] == 1
