"""Predictions on a shop too small for any model: the historical rate is served, the table
is written, and nothing after ``as_of`` changes it (no pymc-marketing fit: fast)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from tests.customers.clv_log import DAY, START, load_events, synthetic_events

from recmind.customers.clv.forecast import fit_forecasts
from recmind.customers.clv.history import PurchaseDays
from recmind.customers.predictions import build_predictions
from recmind.data.schema import customer_predictions
from recmind.data.store import Store

AS_OF = START + 200 * DAY


def _rows(store: Store) -> list[dict[str, object]]:
    with store.engine.connect() as connection:
        found = connection.execute(
            select(customer_predictions).order_by(customer_predictions.c.user_id)
        )
        return [dict(row) for row in found.mappings()]


def test_too_few_customers_serve_the_historical_rate() -> None:
    days = PurchaseDays(
        user_ids=np.array(["a", "b"]),
        customer=np.array([0, 0, 1]),
        day=np.array([-30, -10, -5]),
        value=np.array([5.0, 5.0, 2.0]),
    )
    fit = fit_forecasts(days, 30.0)
    assert fit.chosen == "historical-rate"
    assert any("at least 5 customers" in note for note in fit.notes)
    served = fit.served
    # a: 2 orders over 30 days of history (T 29 + 1): 2 in the next 30 days
    assert served.expected.tolist() == pytest.approx([2.0, 30 / 5])
    assert served.spend[0] == pytest.approx(10.0)


def test_predictions_table_and_time_causality(sqlite_store: Store, tmp_path: Path) -> None:
    events = synthetic_events(customers=4, days=200, seed=3)
    load_events(sqlite_store, events.loc[events["timestamp"] < AS_OF], tmp_path / "a")
    report = build_predictions(sqlite_store, AS_OF, 90.0)
    rows = _rows(sqlite_store)
    assert report.customers == len(rows) == 4
    assert report.model == "historical-rate"
    assert "4 customers, model historical-rate, 90-day horizon" in str(report)
    for row in rows:
        assert row["as_of"] == AS_OF and row["horizon_days"] == 90.0
        assert row["model"] == "historical-rate"
        expected = float(row["expected_purchases"])  # type: ignore[arg-type]
        assert expected > 0
        assert row["next_purchase_at"] == pytest.approx(AS_OF + 90 / expected * DAY)
        assert 0.0 <= float(row["churn_risk"]) <= 1.0  # type: ignore[arg-type]
    later = synthetic_events(customers=4, days=400, seed=3)
    later = later.loc[later["timestamp"] >= AS_OF].assign(
        event_id=lambda f: "late-" + f["event_id"]
    )
    assert len(later) > 0
    load_events(sqlite_store, later, tmp_path / "b")
    build_predictions(sqlite_store, AS_OF, 90.0)
    again = _rows(sqlite_store)
    for before, after in zip(rows, again, strict=True):
        before.pop("computed_at")
        after.pop("computed_at")
        assert before == after


def test_empty_store_and_bad_horizon(sqlite_store: Store) -> None:
    assert build_predictions(sqlite_store, AS_OF, 90.0).customers == 0
    with pytest.raises(ValueError, match="horizon_days must be positive"):
        build_predictions(sqlite_store, AS_OF, 0.0)
