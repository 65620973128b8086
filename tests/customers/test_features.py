"""Every feature column on the hand-made shop of ``log.py``, worked out by hand, on SQLite
and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select
from tests.customers.log import AS_OF, DAY, load, utc

from recmind.customers.build import build_features, write_features
from recmind.data.schema import customer_features
from recmind.data.store import Store

ZERO_WINDOWS = {
    f"{k}_{n}d": 0 for k in ("views", "carts", "purchases", "events") for n in (7, 30, 90)
}


def stored(store: Store) -> dict[str, dict[str, Any]]:
    with store.engine.connect() as connection:
        rows = connection.execute(select(customer_features)).mappings().all()
    found = {}
    for row in rows:
        values = dict(row)
        shares = values["category_shares"]
        values["category_shares"] = None if shares is None else orjson.loads(shares)
        if values["consent_email"] is not None:
            values["consent_email"] = bool(values["consent_email"])
        found[values.pop("user_id")] = values
    return found


@pytest.fixture
def features(store: Store, tmp_path: Path) -> dict[str, dict[str, Any]]:
    load(store, tmp_path)
    report = build_features(store, AS_OF)
    assert report.mode == "full"
    assert report.computed == report.customers == 5
    rows = stored(store)
    assert {row["as_of"] for row in rows.values()} == {AS_OF}
    assert {row["computed_at"] for row in rows.values()} == {report.computed_at}
    return rows


def test_customers_are_the_users_that_existed_at_as_of(features: dict[str, Any]) -> None:
    """dave's row and events come after as_of; carol has no events but a profile."""
    assert sorted(features) == ["alice", "bob", "carol", "erin", "frank"]


def test_recency_frequency_value_and_windows(features: dict[str, Any]) -> None:
    """alice: three purchases on two UTC days (one without a value: its price counts),
    an event exactly at as_of and two after it left out; New York local times across the
    daylight-saving change."""
    alice = features["alice"]
    first, last_purchase = utc("2025-01-15 14:30"), utc("2025-05-28 20:00")
    assert alice["first_event_at"] == first
    assert alice["last_event_at"] == utc("2025-05-30 01:00")
    assert alice["first_purchase_at"] == utc("2025-01-15 15:00")
    assert alice["last_purchase_at"] == last_purchase
    assert alice["last_view_at"] == utc("2025-05-10 13:10")
    assert alice["last_cart_at"] == utc("2025-05-28 13:20")
    assert alice["tenure_days"] == pytest.approx((AS_OF - first) / DAY)
    assert alice["recency_days"] == pytest.approx(3 + 4 / 24)
    assert alice["purchase_count"] == 3
    assert alice["order_count"] == 2
    assert alice["monetary_total"] == pytest.approx(34.5)
    assert alice["avg_order_value"] == pytest.approx(17.25)
    assert alice["interpurchase_days"] == pytest.approx(133.0)
    windows = {name: alice[name] for name in ZERO_WINDOWS}
    assert windows == {
        **ZERO_WINDOWS,
        "views_30d": 1,
        "views_90d": 1,
        "carts_7d": 1,
        "carts_30d": 1,
        "carts_90d": 1,
        "purchases_7d": 2,
        "purchases_30d": 2,
        "purchases_90d": 2,
        "events_7d": 4,
        "events_30d": 5,
        "events_90d": 5,
    }
    assert alice["top_category"] == "Toys"
    assert alice["category_shares"] == {
        "Toys": 0.5,
        "Books": 0.333333,
        "Gifts": 0.333333,
        "Books/Fiction": 0.166667,
    }
    assert list(alice["category_shares"]) == ["Toys", "Books", "Gifts", "Books/Fiction"]
    assert (alice["preferred_hour"], alice["preferred_weekday"]) == (9, 2)
    assert alice["consent_email"] is True


def test_a_browser_in_a_half_hour_zone(features: dict[str, Any]) -> None:
    """bob's UTC Monday evenings are Tuesday small hours in Kolkata (UTC+5:30)."""
    bob = features["bob"]
    assert bob["first_event_at"] == utc("2025-05-19 18:50")
    assert bob["last_event_at"] == utc("2025-05-27 03:00")
    assert bob["last_view_at"] == utc("2025-05-26 19:00")
    assert bob["first_purchase_at"] is None
    assert bob["last_purchase_at"] is None
    assert bob["last_cart_at"] is None
    assert bob["recency_days"] is None
    assert (bob["purchase_count"], bob["order_count"], bob["monetary_total"]) == (0, 0, 0.0)
    assert bob["avg_order_value"] is None
    assert bob["interpurchase_days"] is None
    windows = {name: bob[name] for name in ZERO_WINDOWS}
    assert windows == {
        **ZERO_WINDOWS,
        "views_7d": 1,
        "views_30d": 2,
        "views_90d": 2,
        "events_7d": 2,
        "events_30d": 3,
        "events_90d": 3,
    }
    assert bob["category_shares"] == {"Toys": 1.0}  # the click's item has no category
    assert (bob["preferred_hour"], bob["preferred_weekday"]) == (0, 1)
    assert bob["consent_email"] is False


def test_a_profile_without_events(features: dict[str, Any]) -> None:
    carol = features["carol"]
    assert {name: carol[name] for name in ZERO_WINDOWS} == ZERO_WINDOWS
    for name in (
        "first_event_at",
        "last_event_at",
        "first_purchase_at",
        "tenure_days",
        "recency_days",
        "avg_order_value",
        "top_category",
        "category_shares",
        "preferred_hour",
        "preferred_weekday",
    ):
        assert carol[name] is None, name
    assert (carol["purchase_count"], carol["order_count"], carol["monetary_total"]) == (0, 0, 0.0)
    assert carol["consent_email"] is True


def test_an_unknown_zone_is_utc_and_a_window_starts_inclusive(features: dict[str, Any]) -> None:
    """erin's one purchase lies 90 days minus ten hours before as_of; no category."""
    erin = features["erin"]
    moment = utc("2025-03-03 10:00")
    assert erin["first_purchase_at"] == erin["last_event_at"] == moment
    assert erin["recency_days"] == pytest.approx((AS_OF - moment) / DAY)
    assert (erin["purchase_count"], erin["order_count"]) == (1, 1)
    assert erin["avg_order_value"] == pytest.approx(7.0)
    assert erin["interpurchase_days"] is None
    assert (erin["purchases_90d"], erin["events_90d"], erin["events_30d"]) == (1, 1, 0)
    assert erin["top_category"] is None
    assert erin["category_shares"] is None
    assert (erin["preferred_hour"], erin["preferred_weekday"]) == (10, 0)
    assert erin["consent_email"] is None


def test_top_five_categories_and_ties(features: dict[str, Any]) -> None:
    """frank viewed six one-category items, A twice: F is sixth; one view a day through a
    week ties every weekday (Monday wins); Paris is UTC+2 in April."""
    frank = features["frank"]
    assert frank["category_shares"] == {
        "A": 0.285714,
        "B": 0.142857,
        "C": 0.142857,
        "D": 0.142857,
        "E": 0.142857,
    }
    assert frank["top_category"] == "A"
    assert (frank["preferred_hour"], frank["preferred_weekday"]) == (14, 0)
    assert (frank["views_90d"], frank["views_30d"]) == (7, 0)


def test_a_rebuild_replaces_rows_and_drops_non_customers(store: Store, tmp_path: Path) -> None:
    """Built at as_of, then again 80 days earlier: alice had only her January events then,
    bob and carol were not customers yet, and frank (no creation time known) had no
    events yet."""
    load(store, tmp_path)
    build_features(store, AS_OF)
    earlier = AS_OF - 80 * DAY  # 2025-03-13
    report = build_features(store, earlier)
    rows = stored(store)
    assert sorted(rows) == ["alice", "erin", "frank"]
    assert report.removed == 2
    assert (rows["frank"]["events_90d"], rows["frank"]["first_event_at"]) == (0, None)
    assert rows["alice"]["purchase_count"] == 1
    assert rows["alice"]["monetary_total"] == pytest.approx(10.0)
    assert rows["alice"]["as_of"] == earlier


def test_a_written_row_of_a_user_gone_meanwhile_is_not_kept(store: Store, tmp_path: Path) -> None:
    """An erasure between computing and writing: the user's row must not come back."""
    load(store, tmp_path)
    build_features(store, AS_OF)
    rows = stored(store)
    ghost = {**rows["carol"], "user_id": "ghost", "category_shares": None}
    kept = write_features(store, [ghost], computed_at=1.0)
    assert kept == 0
    assert "ghost" not in stored(store)
