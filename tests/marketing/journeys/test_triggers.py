"""Each kind of trigger on a real store (SQLite and PostgreSQL): segment entries and exits,
dates in the person's time zone, back in stock and price drops from catalogue writes, new
arrivals in the person's categories, inactivity and churn risk."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from tests.marketing.journeys.runtime_helpers import (
    DAY,
    HOUR,
    T0,
    enrolled,
    event,
    journey,
    member,
    user,
)

from recmind.config import Settings
from recmind.data.record_writes import patch_record, put_record
from recmind.data.schema import customer_features, customer_predictions
from recmind.data.store import Store
from recmind.marketing.journeys.triggers import scan_triggers

WAIT = [{"id": "pause", "type": "wait", "duration": "1h"}]


def _journey(
    store: Store, trigger: dict[str, Any], mode: str = "every_time", at: float = T0
) -> None:
    data = {"id": "j", "trigger": trigger, "entry": {"mode": mode}, "steps": WAIT}
    journey(store, data, now=at)


def _clock() -> float:
    """Catalogue changes are dated by the clock: journeys on them start now."""
    return time.time() - 1


def test_segment_entered_and_exited(store: Store, settings: Settings) -> None:
    _journey(store, {"type": "segment_entered", "segment": "vip"})
    journey(
        store,
        {
            "id": "gone",
            "trigger": {"type": "segment_exited", "segment": "vip"},
            "entry": {"mode": "every_time"},
            "steps": WAIT,
        },
    )
    user(store, "u1")
    member(store, "vip", "u1", T0 + 10)
    member(store, "other", "u1", T0 + 10)
    assert scan_triggers(store, settings, now=T0 + 20) == 1
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            f"UPDATE segment_members SET exited_at = {T0 + 30} WHERE segment_id = 'vip'"
        )
    assert scan_triggers(store, settings, now=T0 + 40) == 1
    assert scan_triggers(store, settings, now=T0 + 50) == 0
    rows = enrolled(store)
    assert [(r["journey_id"], r["entered_at"]) for r in rows] == [("j", T0 + 10), ("gone", T0 + 30)]


def test_birthday_fires_at_local_time_once_a_year(store: Store, settings: Settings) -> None:
    settings.marketing.trigger_scan_seconds = 1.0
    _journey(store, {"type": "date_attribute", "attribute": "birthday", "at": "09:00"})
    tokyo, paris = ZoneInfo("Asia/Tokyo"), ZoneInfo("Europe/Paris")
    # T0 is 2027-01-15 08:00 UTC: 17:00 in Tokyo, 09:00 in Paris.
    user(store, "tokyo", timezone="Asia/Tokyo", attributes={"birthday": "1990-01-16"})
    user(store, "paris", timezone="Europe/Paris", attributes={"birthday": "01-15"})
    user(store, "later", timezone="Europe/Paris", attributes={"birthday": "1990-03-01"})
    user(store, "broken", attributes={"birthday": "someday"})
    assert scan_triggers(store, settings, now=T0 - HOUR) == 0  # 08:00 in Paris
    assert scan_triggers(store, settings, now=T0 + 60) == 1
    (paris_row,) = enrolled(store)
    assert paris_row["user_id"] == "paris" and paris_row["entry_key"] == "birthday:2027"
    assert paris_row["entered_at"] == dt.datetime(2027, 1, 15, 9, tzinfo=paris).timestamp()
    tokyo_nine = dt.datetime(2027, 1, 16, 9, tzinfo=tokyo).timestamp()
    assert scan_triggers(store, settings, now=tokyo_nine - 60) == 0
    assert scan_triggers(store, settings, now=tokyo_nine + 60) == 1
    assert scan_triggers(store, settings, now=tokyo_nine + 3 * HOUR) == 0  # once a year
    assert {r["user_id"] for r in enrolled(store)} == {"paris", "tokyo"}


def test_back_in_stock_reaches_people_who_engaged(store: Store, settings: Settings) -> None:
    _journey(store, {"type": "back_in_stock", "engaged_within_days": 7}, at=_clock())
    t0 = _clock()
    put_record(store, "items", "i1", {"title": "Boot", "price": 50, "stock": 0}, settings)
    for name in ("viewer", "carter", "old", "buyer_only"):
        user(store, name)
    event(store, "viewer", "view", t0 - DAY, "i1")
    event(store, "carter", "add_to_cart", t0 - HOUR, "i1")
    event(store, "old", "view", t0 - 30 * DAY, "i1")
    event(store, "buyer_only", "purchase", t0 - HOUR, "i1")
    patch_record(store, "items", "i1", {"stock": 0}, settings)  # no change
    assert scan_triggers(store, settings, now=t0) == 0
    # the catalogue changes are dated by the clock: scan a moment after the write
    patch_record(store, "items", "i1", {"stock": 4}, settings)
    patch_record(store, "items", "i1", {"stock": 6}, settings)  # still in stock: not again
    now = _after_changes(store)
    assert scan_triggers(store, settings, now=now) == 2
    rows = enrolled(store)
    assert sorted(r["user_id"] for r in rows) == ["carter", "viewer"]
    assert rows[0]["context"]["trigger_item"] == "i1"
    assert rows[0]["context"]["old_stock"] == 0.0 and rows[0]["context"]["new_stock"] == 4.0
    assert scan_triggers(store, settings, now=now + 1) == 0


def _after_changes(store: Store) -> float:
    with store.engine.connect() as connection:
        latest = connection.exec_driver_sql("SELECT MAX(changed_at) FROM catalog_changes")
        return float(latest.scalar_one()) + 1


def _event_near(store: Store, name: str, item_id: str, at: float) -> None:
    user(store, name)
    event(store, name, "view", at, item_id)


def test_price_drop_of_at_least_the_percentage(store: Store, settings: Settings) -> None:
    _journey(store, {"type": "price_drop", "min_drop_percent": 20}, at=_clock())
    put_record(store, "items", "i1", {"title": "Boot", "price": 100, "stock": 2}, settings)
    put_record(store, "items", "i2", {"title": "Hat", "price": 100, "stock": 2}, settings)
    now = _after_changes(store)
    _event_near(store, "u1", "i1", now - HOUR)
    _event_near(store, "u2", "i2", now - HOUR)
    patch_record(store, "items", "i1", {"price": 75}, settings)  # -25%
    patch_record(store, "items", "i2", {"price": 90}, settings)  # -10%: too little
    now = _after_changes(store)
    assert scan_triggers(store, settings, now=now) == 1
    (row,) = enrolled(store)
    assert row["user_id"] == "u1" and row["context"]["trigger_item"] == "i1"
    assert (row["context"]["old_price"], row["context"]["new_price"]) == (100.0, 75.0)


def test_new_arrivals_in_the_persons_categories(store: Store, settings: Settings) -> None:
    put_record(store, "items", "old_boot", {"title": "Boot", "category": "Shoes"}, settings)
    put_record(store, "items", "old_hat", {"title": "Hat", "category": "Hats"}, settings)
    start = _after_changes(store)
    _journey(store, {"type": "new_arrivals", "min_share": 0.5, "every_days": 7}, at=start)
    for name, items in (("shoes", ["old_boot"] * 3 + ["old_hat"]), ("hats", ["old_hat"] * 2)):
        user(store, name)
        for n, item_id in enumerate(items):
            event(store, name, "view", start - DAY + n, item_id)
    assert scan_triggers(store, settings, now=start) == 0  # items older than the journey
    time.sleep(1.1)
    put_record(store, "items", "new_boot", {"title": "B2", "category": "Shoes|Sale"}, settings)
    now = _after_changes(store)
    assert scan_triggers(store, settings, now=now) == 1
    (row,) = enrolled(store)
    assert row["user_id"] == "shoes" and row["context"]["trigger_item"] == "new_boot"
    put_record(store, "items", "new_boot2", {"title": "B3", "category": "Shoes"}, settings)
    assert scan_triggers(store, settings, now=_after_changes(store)) == 0  # once a week
    # From the customer features when they exist.
    with store.engine.begin() as connection:
        connection.execute(
            insert(customer_features).values(
                user_id="hats",
                computed_at=now,
                as_of=now,
                category_shares='{"Hats": 1.0}',
            )
        )
    put_record(store, "items", "new_hat", {"title": "H2", "category": "Hats"}, settings)
    assert scan_triggers(store, settings, now=_after_changes(store)) == 1
    assert enrolled(store)[-1]["user_id"] == "hats"


def test_inactivity_enters_once_per_lapse(store: Store, settings: Settings) -> None:
    settings.marketing.trigger_scan_seconds = 1.0
    _journey(store, {"type": "inactivity", "days": 30})
    for name in ("lapsed", "active"):
        user(store, name)
    event(store, "lapsed", "purchase", T0 - 40 * DAY)
    event(store, "active", "purchase", T0 - 5 * DAY)
    assert scan_triggers(store, settings, now=T0) == 1
    assert scan_triggers(store, settings, now=T0 + 60) == 0  # the same lapse
    event(store, "lapsed", "view", T0 + DAY)  # comes back ...
    assert scan_triggers(store, settings, now=T0 + 2 * DAY) == 0
    assert scan_triggers(store, settings, now=T0 + 32 * DAY) == 2  # ... and lapses again
    keys = sorted((r["user_id"], r["entry_key"]) for r in enrolled(store))
    assert keys[0][0] == "active" and keys[1] == ("lapsed", f"lapse:{T0 - 40 * DAY!r}")
    assert keys[2] == ("lapsed", f"lapse:{T0 + DAY!r}")


def test_inactivity_from_churn_risk(store: Store, settings: Settings) -> None:
    _journey(store, {"type": "inactivity", "churn_risk_above": 0.7})
    for name, risk in (("risky", 0.9), ("safe", 0.2), ("back", 0.95)):
        user(store, name)
        with store.engine.begin() as connection:
            connection.execute(
                insert(customer_predictions).values(
                    user_id=name,
                    computed_at=T0,
                    as_of=T0 - DAY,
                    horizon_days=90,
                    model="bgnbd",
                    churn_risk=risk,
                )
            )
    event(store, "back", "view", T0 - HOUR)  # active since the prediction
    assert scan_triggers(store, settings, now=T0) == 1
    assert enrolled(store)[0]["user_id"] == "risky"
