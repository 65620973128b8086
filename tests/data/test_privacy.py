"""Export and erase a user's rows and quarantined input (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from sqlalchemy import text

from recmind.data import privacy
from recmind.data.privacy import (
    erase_rows,
    names_user,
    quarantined,
    record_tombstone,
    scrub_quarantine,
    user_rows,
)
from recmind.data.schema import PERSONAL_DERIVED, PERSONAL_TABLES, metadata
from recmind.data.store import Store
from recmind.data.tombstones import erased_at, load_erasures

SECRET = "privacy-test-secret"


def test_erase_rows_touches_only_that_user(store: Store) -> None:
    with store.engine.begin() as connection:
        for user in ("a", "b"):
            connection.execute(text("INSERT INTO users (user_id) VALUES (:u)"), {"u": user})
            connection.execute(
                text(
                    "INSERT INTO events (event_id, user_id, item_id, event_type, timestamp) "
                    "VALUES (:e, :u, 'i', 'view', 1.7e9)"
                ),
                {"e": f"e-{user}", "u": user},
            )
            connection.execute(
                text("INSERT INTO reviews (review_id, user_id, item_id) VALUES (:r, :u, 'i')"),
                {"r": f"r-{user}", "u": user},
            )
    assert len(user_rows(store, "a")["events"]) == 1
    erased = erase_rows(store, "a", SECRET)
    assert (erased.user_row, erased.events, erased.reviews) == (True, 1, 1)
    assert user_rows(store, "a") == {
        "user": None,
        "events": [],
        "reviews": [],
        "orders": [],
        "handoffs": [],
    }
    assert store.counts() == {"items": 0, "users": 1, "events": 1, "reviews": 1, "orders": 0}
    assert erased.erased_at is not None and erased_at(store, "a", SECRET) == erased.erased_at
    assert erased_at(store, "b", SECRET) is None


def _user_with_event(store: Store, user: str, timestamp: float) -> None:
    with store.engine.begin() as connection:
        connection.execute(text("INSERT INTO users (user_id) VALUES (:u)"), {"u": user})
        connection.execute(
            text(
                "INSERT INTO events (event_id, user_id, item_id, event_type, timestamp) "
                "VALUES (:e, :u, 'i', 'view', :t)"
            ),
            {"e": f"e-{user}-{timestamp}", "u": user, "t": timestamp},
        )


def test_the_tombstone_holds_no_id_and_covers_every_erased_row(store: Store) -> None:
    future = 4.0e9  # an event dated past the clock: still part of what was erased
    _user_with_event(store, "user-7f3a9c", future)
    erased = erase_rows(store, "user-7f3a9c", SECRET)
    assert erased.erased_at == future
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT subject, erased_at FROM tombstones")).all()
    assert len(rows) == 1 and "7f3a9c" not in str(rows)
    assert load_erasures(store, SECRET).erased_at("user-7f3a9c") == future
    # under another secret the tombstone stands for nobody
    assert load_erasures(store, "another-secret").erased_at("user-7f3a9c") is None


def test_erasing_nothing_writes_no_tombstone(store: Store) -> None:
    erased = erase_rows(store, "nobody", SECRET)
    assert not erased.found and erased.erased_at is None
    assert len(load_erasures(store, SECRET)) == 0
    assert record_tombstone(store, "nobody", SECRET) > 0
    assert erased_at(store, "nobody", SECRET) is not None


def test_a_second_erasure_moves_the_tombstone_forward(store: Store) -> None:
    _user_with_event(store, "u", 1.0e9)
    first = erase_rows(store, "u", SECRET).erased_at
    _user_with_event(store, "u", 4.1e9)  # the id came back as a new person
    second = erase_rows(store, "u", SECRET).erased_at
    assert first is not None and second == 4.1e9 > first
    assert len(load_erasures(store, SECRET)) == 1


def test_rows_and_tombstone_commit_together(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    _user_with_event(store, "u", 1.0e9)

    def broken(*_: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(privacy, "record_erasure", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        erase_rows(store, "u", SECRET)
    assert user_rows(store, "u")["user"] is not None  # the deletion rolled back too
    assert len(user_rows(store, "u")["events"]) == 1


def test_quarantine_scrub(tmp_path: Path) -> None:
    lines = [
        {
            "row": 1,
            "field": "timestamp",
            "value": "x",
            "reason": "wrong_type",
            "record": {"user_id": "a", "timestamp": "x"},
        },
        {"row": 2, "field": "user_id", "value": "a", "reason": "too_long", "record": {}},
        {
            "row": 3,
            "field": None,
            "value": None,
            "reason": "malformed_row",
            "record": "a,i1,view,2024",
        },
        {
            "row": 4,
            "field": "timestamp",
            "value": "x",
            "reason": "wrong_type",
            "record": {"user_id": "ab", "timestamp": "x"},
        },
    ]
    path = tmp_path / "run-events.jsonl"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines) + b'{"broken')
    assert [e["row"] for e in quarantined(tmp_path, "a")] == [1, 2, 3]
    assert scrub_quarantine(tmp_path, "a") == 3
    kept = path.read_bytes().splitlines()
    assert len(kept) == 2 and b'"ab"' in kept[0]
    only = tmp_path / "only-a.jsonl"
    only.write_bytes(orjson.dumps(lines[0]) + b"\n")
    scrub_quarantine(tmp_path, "a")
    assert not only.exists()


def test_names_user_on_numbers() -> None:
    assert names_user({"record": {"user_id": 42.0}}, "42")
    assert not names_user({"record": {"user_id": 421}}, "42")


def test_orders_are_exported_and_erased_with_the_person(store: Store) -> None:
    with store.engine.begin() as connection:
        for user in ("a", "b"):
            connection.execute(text("INSERT INTO users (user_id) VALUES (:u)"), {"u": user})
            connection.execute(
                text(
                    "INSERT INTO orders (order_id, user_id, created_at, status, lines) "
                    "VALUES (:o, :u, 4.2e9, 'paid', :l)"
                ),
                {"o": f"o-{user}", "u": user, "l": '[{"item_id":"i","quantity":1,"unit_price":5}]'},
            )
    exported = user_rows(store, "a")["orders"]
    assert [(o["order_id"], o["lines"][0]["unit_price"]) for o in exported] == [("o-a", 5)]
    erased = erase_rows(store, "a", SECRET)
    assert (erased.user_row, erased.orders) == (True, 1)
    assert erased.erased_at == 4.2e9  # the newest order dates the erasure
    assert user_rows(store, "a")["orders"] == []
    assert store.counts()["orders"] == 1  # b's order stays


def test_someone_known_only_by_an_order_is_found_and_erased(store: Store) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO orders (order_id, user_id, created_at, status, lines) "
                "VALUES ('o', 'only-orders', 1.7e9, 'placed', '[]')"
            )
        )
    erased = erase_rows(store, "only-orders", SECRET)
    assert erased.found and not erased.user_row and erased.orders == 1
    assert erased_at(store, "only-orders", SECRET) is not None


def test_every_table_keyed_by_a_person_is_erased(store: Store) -> None:
    """A table with a ``user_id`` column is either personal data or derived from it: listed,
    so an erasure reaches it (a new table that forgets this fails here)."""
    listed = {t.name for t in (*PERSONAL_TABLES, *PERSONAL_DERIVED)}
    keyed = {t.name for t in metadata.sorted_tables if "user_id" in t.c}
    assert keyed == listed
