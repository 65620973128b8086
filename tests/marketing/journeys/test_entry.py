"""Entering journeys from events (SQLite and PostgreSQL): the event trigger's cursor and
overlap, and the entry rules (once, once per N days, every time, entry segment), with the
people who never enter (suppressed from everything, erased) and journeys that take nobody
(paused, archived)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert
from tests.marketing.journeys.runtime_helpers import (
    DAY,
    T0,
    enrolled,
    event,
    item,
    journey,
    member,
    suppress,
    user,
)

from recmind.config import Settings
from recmind.data.schema import tombstones
from recmind.data.store import Store
from recmind.data.tombstones import subject_of
from recmind.marketing.journeys.repository import set_status
from recmind.marketing.journeys.triggers import scan_triggers

SEND = [{"id": "hello", "type": "send", "channel": "email", "template": "cart_abandonment"}]


def _cart(store: Store, entry: dict[str, Any] | None = None, **trigger: Any) -> None:
    journey(
        store,
        {
            "id": "cart",
            "trigger": {"type": "event", "event": "add_to_cart", **trigger},
            "entry": entry or {"mode": "once"},
            "steps": SEND,
        },
    )


def test_event_enters_once_with_its_item_and_moment(store: Store, settings: Settings) -> None:
    _cart(store)
    item(store, "i1")
    user(store, "u1")
    first = event(store, "u1", "add_to_cart", T0 + 10)
    event(store, "u1", "view", T0 + 11)
    assert scan_triggers(store, settings, now=T0 + 20) == 1
    assert scan_triggers(store, settings, now=T0 + 30) == 0  # the same event read again
    event(store, "u1", "add_to_cart", T0 + 40)
    assert scan_triggers(store, settings, now=T0 + 50) == 0  # once ever
    (row,) = enrolled(store)
    assert (row["user_id"], row["entry_key"], row["step_id"]) == ("u1", first, "hello")
    assert row["entered_at"] == row["due_at"] == T0 + 10 and row["version"] == 1
    assert row["context"]["trigger_item"] == "i1" and row["context"]["event_id"] == first


def test_history_before_the_journey_does_not_trigger(store: Store, settings: Settings) -> None:
    _cart(store)
    user(store, "u1")
    event(store, "u1", "add_to_cart", T0 - 2 * DAY)
    assert scan_triggers(store, settings, now=T0 + 5) == 0


def test_late_event_within_the_overlap_still_enters(store: Store, settings: Settings) -> None:
    _cart(store, {"mode": "every_time"})
    user(store, "u1")
    assert scan_triggers(store, settings, now=T0 + 1000) == 0
    event(store, "u1", "add_to_cart", T0 + 900)  # dated before the cursor, arrives now
    assert scan_triggers(store, settings, now=T0 + 1010) == 1


def test_every_time_enters_per_event_and_once_per_waits(store: Store, settings: Settings) -> None:
    journey(
        store,
        {
            "id": "every",
            "trigger": {"type": "event", "event": "add_to_cart"},
            "entry": {"mode": "every_time"},
            "steps": SEND,
        },
    )
    journey(
        store,
        {
            "id": "weekly",
            "trigger": {"type": "event", "event": "add_to_cart"},
            "entry": {"mode": "once_per", "days": 7},
            "steps": [{"id": "pause", "type": "wait", "duration": "1h"}],
        },
    )
    user(store, "u1")
    event(store, "u1", "add_to_cart", T0 + 10)
    event(store, "u1", "add_to_cart", T0 + 12)
    assert scan_triggers(store, settings, now=T0 + 20) == 3  # two of every, one of weekly
    assert len(enrolled(store, "weekly")) == 1
    event(store, "u1", "add_to_cart", T0 + 3 * DAY)
    scan_triggers(store, settings, now=T0 + 3 * DAY + 1)
    assert len(enrolled(store, "weekly")) == 1
    # 8 days later (and no longer in the journey: its one step ended long ago)
    with store.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE enrolments SET state = 'completed'")
    event(store, "u1", "add_to_cart", T0 + 8 * DAY)
    scan_triggers(store, settings, now=T0 + 8 * DAY + 1)
    assert len(enrolled(store, "weekly")) == 2
    assert len(enrolled(store, "every")) == 4


def test_category_filter(store: Store, settings: Settings) -> None:
    _cart(store, {"mode": "every_time"}, category="Shoes")
    item(store, "boot", category="Shoes/Boots|Sale")
    item(store, "hat", category="Hats")
    user(store, "u1")
    event(store, "u1", "add_to_cart", T0 + 1, item_id="boot")
    event(store, "u1", "add_to_cart", T0 + 2, item_id="hat")
    assert scan_triggers(store, settings, now=T0 + 5) == 1
    assert enrolled(store)[0]["context"]["trigger_item"] == "boot"


def test_suppressed_and_erased_people_never_enter(store: Store, settings: Settings) -> None:
    _cart(store)
    for name in ("ok", "gone", "erased", "email_only"):
        user(store, name)
        event(store, name, "add_to_cart", T0 + 10)
    suppress(store, "gone", "*")
    suppress(store, "email_only", "email")  # the send rules decide for one channel
    with store.engine.begin() as connection:
        subject = subject_of("erased", settings.api.secret)
        connection.execute(insert(tombstones).values(subject=subject, erased_at=T0))
    assert scan_triggers(store, settings, now=T0 + 20) == 2
    assert sorted(r["user_id"] for r in enrolled(store)) == ["email_only", "ok"]


def test_entry_segment_takes_only_its_members(store: Store, settings: Settings) -> None:
    _cart(store, {"mode": "once", "segment": "vip"})
    for name in ("in", "out", "left"):
        user(store, name)
        event(store, name, "add_to_cart", T0 + 10)
    member(store, "vip", "in", T0 - DAY)
    member(store, "vip", "left", T0 - DAY)
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE segment_members SET exited_at = 1 WHERE user_id = 'left'"
        )
    assert scan_triggers(store, settings, now=T0 + 20) == 1
    assert enrolled(store)[0]["user_id"] == "in"


@pytest.mark.parametrize("status", ["paused", "archived"])
def test_a_stopped_journey_takes_nobody(store: Store, settings: Settings, status: str) -> None:
    _cart(store)
    set_status(store, "cart", status)
    user(store, "u1")
    event(store, "u1", "add_to_cart", T0 + 10)
    assert scan_triggers(store, settings, now=T0 + 20) == 0
    set_status(store, "cart", "active")
    assert scan_triggers(store, settings, now=T0 + 30) == 1
