"""Purchase days read from the store (SQLite and PostgreSQL) and the holdout totals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from recmind.customers.clv.history import read_purchase_days, window_totals
from recmind.data.bundle import DataBundle
from recmind.data.importer import import_bundle
from recmind.data.store import Store

DAY = 86_400.0
AS_OF = pd.Timestamp("2025-03-10 06:00", tz="UTC").timestamp()  # not midnight


def _load(store: Store, tmp_path: Path) -> None:
    rows = [
        ("ann", "a", "purchase", AS_OF - 1 * 3600, 3.0),  # day -1
        ("ann", "b", "purchase", AS_OF - 20 * 3600, 4.0),  # day -1 too: one order, 7.0
        ("ann", "a", "purchase", AS_OF - 25 * 3600, None),  # day -2, no value: price 10
        ("ann", "a", "view", AS_OF - 2 * DAY - 5, None),  # not a purchase
        ("ann", "a", "purchase", AS_OF, 99.0),  # at the moment: not before it
        ("ann", "a", "purchase", AS_OF + 3 * DAY + 60, 5.0),  # day 3 after
        ("bo", "c", "purchase", AS_OF - 10 * DAY, None),  # no value, no price: 0
        ("bo", "a", "purchase", AS_OF + 1, 2.0),  # day 0 after
    ]
    events = pd.DataFrame(
        {
            "event_id": [f"e{n}" for n in range(len(rows))],
            "user_id": [r[0] for r in rows],
            "item_id": [r[1] for r in rows],
            "event_type": [r[2] for r in rows],
            "timestamp": [r[3] for r in rows],
            "value": [r[4] for r in rows],
        }
    )
    items = pd.DataFrame(
        {"item_id": ["a", "b", "c"], "title": ["A", "B", "C"], "price": [10.0, 1.0, None]}
    )
    import_bundle(
        store,
        DataBundle(name="t", items=items, events=events),
        quarantine_dir=tmp_path / "q",
    )


def test_order_days_before_the_moment(store: Store, tmp_path: Path) -> None:
    _load(store, tmp_path)
    days = read_purchase_days(store, AS_OF, end=AS_OF)
    assert days.user_ids.tolist() == ["ann", "bo"]
    assert days.customer.tolist() == [0, 0, 1]
    assert days.day.tolist() == [-2, -1, -10]
    assert np.allclose(days.value, [10.0, 7.0, 0.0])
    earlier = days.before(-1)
    assert earlier.day.tolist() == [-2, -10]


def test_holdout_totals(store: Store, tmp_path: Path) -> None:
    _load(store, tmp_path)
    holdout = read_purchase_days(store, AS_OF, start=AS_OF, end=AS_OF + 7 * DAY)
    assert holdout.day.tolist() == [0, 3, 0]
    customers = np.array(["ann", "bo", "cy"])
    orders, spend = window_totals(holdout, customers, 0, 7)
    assert orders.tolist() == [2.0, 1.0, 0.0]
    assert spend.tolist() == [104.0, 2.0, 0.0]
    orders, _ = window_totals(holdout, customers, 1, 7)
    assert orders.tolist() == [1.0, 0.0, 0.0]


def test_no_purchases(sqlite_store: Store) -> None:
    days = read_purchase_days(sqlite_store, AS_OF, end=AS_OF)
    assert days.customers == 0
    assert window_totals(days, np.array(["x"]), 0, 5)[0].tolist() == [0.0]
