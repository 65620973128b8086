"""Seeded synthetic orders: valid as imported, marked synthetic, consistent with the demo
shop's shipping policy, the same for the same seed (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from recmind.config import Settings
from recmind.data.demo_orders import (
    CUSTOMER_PREFIX,
    FREE_SHIPPING_FROM,
    ORDER_PREFIX,
    STANDARD_SHIPPING,
    synthetic_orders,
)
from recmind.data.importer import import_frame
from recmind.data.orders import orders_for_user
from recmind.data.store import Store

NOW = 1_780_000_000.0
CATALOGUE = pd.DataFrame(
    {"item_id": [f"i{n}" for n in range(20)] + ["free"], "price": [*range(10, 110, 5), None]}
)


def test_the_same_seed_gives_the_same_orders() -> None:
    first = synthetic_orders(CATALOGUE, count=50, seed=7, now=NOW)
    assert first.equals(synthetic_orders(CATALOGUE, count=50, seed=7, now=NOW))
    assert not first.equals(synthetic_orders(CATALOGUE, count=50, seed=8, now=NOW))


def test_orders_are_synthetic_and_follow_the_demo_policy() -> None:
    orders = synthetic_orders(CATALOGUE, count=400, customers=30, days=60, now=NOW)
    assert orders["order_id"].str.startswith(ORDER_PREFIX).all()
    assert orders["user_id"].str.startswith(CUSTOMER_PREFIX).all()
    assert orders["user_id"].nunique() <= 30
    assert orders["created_at"].between(NOW - 60 * 86_400, NOW).all()
    statuses = set(orders["status"])
    assert {"placed", "shipped", "delivered"} <= statuses
    for order in orders.to_dict("records"):
        assert all(line["item_id"] != "free" for line in order["lines"])  # priced items only
        subtotal = sum(line["quantity"] * line["unit_price"] for line in order["lines"])
        extra = round(order["total"] - subtotal, 2)
        if order["carrier"] == "Parcelink":
            assert extra == (0.0 if subtotal >= FREE_SHIPPING_FROM else STANDARD_SHIPPING)
        shipped = order["status"] in ("shipped", "delivered", "returned")
        assert pd.notna(order["tracking_number"]) == shipped
        assert order["status"] != "cancelled" or pd.isna(order["expected_delivery"])


def test_they_import_cleanly(store: Store, settings: Settings, tmp_path: Path) -> None:
    import_frame(
        store,
        "items",
        CATALOGUE.assign(title="Thing"),
        label="demo/items",
        quarantine_dir=tmp_path / "q",
    )
    orders = synthetic_orders(store.load_items(), count=120, customers=10, now=NOW - 86_400)
    summary = import_frame(
        store, "orders", orders, label="synthetic/orders", quarantine_dir=tmp_path / "q"
    )
    assert (summary.imported, summary.total_quarantined) == (120, 0)
    assert summary.users_created == orders["user_id"].nunique()
    again = import_frame(
        store, "orders", orders, label="synthetic/orders", quarantine_dir=tmp_path / "q"
    )
    assert (again.imported, again.duplicates) == (0, 120)
    person = str(orders["user_id"].iat[0])
    mine, total = orders_for_user(store, person)
    assert total == int((orders["user_id"] == person).sum()) and mine


def test_nothing_to_order_is_refused() -> None:
    with pytest.raises(ValueError, match="no priced item"):
        synthetic_orders(CATALOGUE.assign(price=None), now=NOW)
    with pytest.raises(ValueError, match="at least 1"):
        synthetic_orders(CATALOGUE, count=0, now=NOW)
    with pytest.raises(ValueError, match="unknown entity"):
        import_frame(
            Store.from_url("sqlite://"), "carts", CATALOGUE, label="x", quarantine_dir=Path()
        )
