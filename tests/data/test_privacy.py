"""Export and erase a user's rows and quarantined input (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import orjson
from sqlalchemy import text

from recmind.data.privacy import (
    erase_rows,
    names_user,
    quarantined,
    scrub_quarantine,
    user_rows,
)
from recmind.data.store import Store


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
    erased = erase_rows(store, "a")
    assert (erased.user_row, erased.events, erased.reviews) == (True, 1, 1)
    assert user_rows(store, "a") == {"user": None, "events": [], "reviews": []}
    assert store.counts() == {"items": 0, "users": 1, "events": 1, "reviews": 1}


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
