"""POST /v1/events: the importer's validation row by row, idempotency, limits, durability
of what is acknowledged (the kill -9 test is in test_durability.py)."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from tests.api.conftest import LiveServer
from tests.data.conftest import EVENTS, ITEMS

from recmind.client import Client
from recmind.data.quarantine import read_quarantine


def _catalogue(client: Client) -> None:
    for row in ITEMS:
        if row.expect == "ok":
            values = {k: v for k, v in row.values.items() if k not in ("item_id", "color")}
            client.put_item(row.values["item_id"], **values)


def _stored_event_ids(live: LiveServer) -> set[str]:
    with live.store.engine.connect() as connection:
        return {r[0] for r in connection.execute(text("SELECT event_id FROM events"))}


def test_each_row_gets_the_importers_verdict(live: LiveServer, client: Client) -> None:
    _catalogue(client)
    result = client.send_events([row.values for row in EVENTS])
    assert result.received == len(EVENTS)
    rejected = {r.index: r for r in result.rejected}
    for index, row in enumerate(EVENTS):
        if row.expect == "ok":
            assert result.event_ids[index] is not None, index
            assert index not in rejected and index not in result.duplicate_indices
        elif row.expect == "dup":
            assert index in result.duplicate_indices, index
        else:
            field, reason = row.expect
            assert rejected[index].field == field, (index, rejected[index])
            assert rejected[index].reason == reason, (index, rejected[index])
            assert rejected[index].message
            assert result.event_ids[index] is None
    good = sum(row.expect == "ok" for row in EVENTS)
    assert result.accepted == good
    assert result.duplicates == sum(row.expect == "dup" for row in EVENTS)
    assert len(_stored_event_ids(live)) == good
    assert result.users_created == len({r.values["user_id"] for r in EVENTS if r.expect == "ok"})
    # The rejected rows are in the quarantine, with their position, field, value and reason.
    files = list(live.settings.quarantine_dir.glob("*-api-events.jsonl"))
    assert len(files) == 1
    entries = read_quarantine(files[0])
    assert {(e["row"], e["field"], e["reason"]) for e in entries} == {
        (r.index + 1, r.field, r.reason) for r in result.rejected
    }
    assert all("request" in e["source"] for e in entries)


def test_a_new_users_first_event_creates_them(client: Client) -> None:
    client.put_item("i1", title="Shirt")
    assert client.raw("GET", "/v1/users/newcomer").status_code == 404
    client.send_event(
        {
            "user_id": "newcomer",
            "item_id": "i1",
            "event_type": "view",
            "timestamp": "2024-03-01T10:00:00Z",
        }
    )
    user = client.get_user("newcomer")
    assert user.created_at == pytest.approx(1709287200.0)


def test_idempotent_by_event_id_and_by_content(live: LiveServer, client: Client) -> None:
    client.put_item("i1", title="Shirt")
    now = time.time() - 60
    batch = [
        {
            "event_id": "given-1",
            "user_id": "u1",
            "item_id": "i1",
            "event_type": "view",
            "timestamp": now,
        },
        {"user_id": "u1", "item_id": "i1", "event_type": "click", "timestamp": now + 1},
        {"user_id": "u2", "event_type": "search", "timestamp": now + 2, "query": "shirt"},
    ]
    first = client.send_events(batch)
    assert first.accepted == 3
    again = client.send_events(batch)
    assert again.accepted == 0
    assert again.duplicate_indices == [0, 1, 2]
    assert again.event_ids == first.event_ids
    assert first.event_ids[0] == "given-1"
    one = client.send_event(batch[1])
    assert one.duplicates == 1 and one.event_ids == [first.event_ids[1]]
    assert len(_stored_event_ids(live)) == 3


def test_concurrent_senders_store_each_event_once(live: LiveServer, client: Client) -> None:
    client.put_item("i1", title="Shirt")
    now = time.time() - 600
    batch = [
        {"user_id": f"u{n % 7}", "item_id": "i1", "event_type": "view", "timestamp": now + n}
        for n in range(200)
    ]
    results: list[Any] = []

    def send() -> None:
        with live.client("ingest") as c:
            results.append(c.send_events(batch))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.accepted for r in results) == 200
    assert sum(r.duplicates for r in results) == 600
    assert len(_stored_event_ids(live)) == 200


def test_values_the_store_cannot_hold_are_rejected_per_row(client: Client) -> None:
    client.put_item("i1", title="Shirt")
    base = {"item_id": "i1", "event_type": "view", "timestamp": "2024-01-01T00:00:00Z"}
    result = client.send_events(
        [
            {**base, "user_id": "nul\x00user"},
            {**base, "user_id": "x" * 300},
            {**base, "user_id": {"nested": True}},
            {**base, "user_id": "u1", "colour": "red"},
            {**base, "user_id": 12345678901234567890123},
            "not an object",
            {**base, "user_id": 10**25, "timestamp": "yesterday"},
        ]
    )
    reasons = [(r.index, r.field, r.reason) for r in result.rejected]
    assert reasons == [
        (0, "user_id", "invalid_text"),
        (1, "user_id", "too_long"),
        (2, "user_id", "wrong_type"),
        (3, "colour", "unknown_field"),
        (5, None, "not_an_object"),
        (6, "timestamp", "wrong_type"),
    ]
    assert result.accepted == 1
    assert client.get_user("12345678901234567890123").user_id == "12345678901234567890123"


def test_an_item_created_later_is_accepted_then(client: Client) -> None:
    event = {
        "user_id": "u1",
        "item_id": "late",
        "event_type": "view",
        "timestamp": "2024-01-01T00:00:00Z",
    }
    assert client.send_event(event).rejected[0].reason == "unknown_item"
    client.put_item("late", title="Arrived late")
    assert client.send_event(event).accepted == 1


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b"[]", 422, "event object"),
        (b'{"events": {}}', 422, "list"),
        (b'{"events": [], "extra": 1}', 422, "extra"),
        (b"", 422, "empty"),
    ],
)
def test_malformed_bodies(sqlite_live: LiveServer, body: bytes, status: int, fragment: str) -> None:
    with sqlite_live.client("ingest") as c:
        response = c.raw(
            "POST", "/v1/events", content=body, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == status
    assert fragment in response.json()["detail"]


def test_batch_and_body_limits(make_live: Any) -> None:
    live = make_live(max_batch_events=5, max_body_bytes=4096)
    event = {"user_id": "u", "item_id": "i", "event_type": "view", "timestamp": 1.7e9}
    with live.client("ingest") as c:
        assert c.raw("POST", "/v1/events", json={"events": [event] * 5}).status_code == 200
        too_many = c.raw("POST", "/v1/events", json={"events": [event] * 6})
        assert too_many.status_code == 413
        assert "at most 5" in too_many.json()["detail"]
        big = c.raw("POST", "/v1/events", json={"events": [{"query": "x" * 5000}]})
        assert big.status_code == 413

    # A body without Content-Length (chunked) is cut off at the limit too.
    def chunks() -> Any:
        for _ in range(10):
            yield b" " * 1000

    response = httpx.post(
        f"{live.url}/v1/events",
        content=chunks(),
        headers={"Authorization": f"Bearer {live.keys['ingest']}"},
    )
    assert response.status_code == 413


def test_acknowledged_events_are_in_the_store_at_once(live: LiveServer, client: Client) -> None:
    client.put_item("i1", title="Shirt")
    ids = [uuid.uuid4().hex for _ in range(50)]
    now = time.time() - 100
    result = client.send_events(
        [
            {
                "event_id": e,
                "user_id": "u",
                "item_id": "i1",
                "event_type": "view",
                "timestamp": now + n,
            }
            for n, e in enumerate(ids)
        ]
    )
    assert result.accepted == 50
    # A separate connection (another process would see the same) finds every one.
    assert set(ids) <= _stored_event_ids(live)


def test_the_quarantine_is_capped_and_drops_are_counted(make_live: Any) -> None:
    live = make_live(quarantine_max_bytes=4096)
    bad = [{"user_id": f"u{n}", "event_type": "view", "timestamp": "not a time"} for n in range(10)]
    with live.client("all") as client:
        for _ in range(10):
            assert len(client.send_events(bad).rejected) == 10
        metrics = client.metrics()
    files = list(live.settings.quarantine_dir.glob("*-api-events.jsonl"))
    assert sum(p.stat().st_size for p in files) <= 4096
    kept = sum(len(read_quarantine(p)) for p in files)
    dropped = next(
        float(line.split()[-1])
        for line in metrics.splitlines()
        if line.startswith("recmind_quarantine_rows_dropped_total")
    )
    assert dropped > 0 and kept + dropped == 100
