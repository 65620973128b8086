"""The webhook channel against a real HTTP receiver on loopback (``http.server`` in a
thread): signed JSON, the idempotency key, and what each status means."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert
from tests.marketing.outbox.helpers import NOW, add_people, message, open_settings, row

from recmind.data.schema import consents
from recmind.data.store import Store
from recmind.marketing.channels.webhook import signature
from recmind.marketing.outbox.delivery import deliver_due
from recmind.marketing.outbox.store import enqueue

SECRET = "webhook-signing-secret"


@dataclass
class Receiver:
    """Records every request; answers each idempotency key from its script (then 200)."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    script: dict[str, list[int]] = field(default_factory=dict)
    delay_seconds: float = 0.0


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            key = self.headers.get("Idempotency-Key", "")
            found.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            if found.delay_seconds:
                time.sleep(found.delay_seconds)
            queue = found.script.get(key)
            status = queue.pop(0) if queue else 200
            reply = b'{"ok": true}' if status < 300 else b'{"error": "no"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    found.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/recmind"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield found
    server.shutdown()
    server.server_close()


def _people(store: Store, people: list[str]) -> None:
    add_people(store, people)
    with store.engine.begin() as connection:
        connection.execute(
            insert(consents),
            [
                {"user_id": u, "channel": "webhook", "granted": True, "updated_at": NOW}
                for u in people
            ],
        )


def test_a_signed_post_with_the_idempotency_key(
    store: Store, receiver: Receiver, tmp_path: Path
) -> None:
    settings = open_settings(tmp_path, webhook={"url": receiver.url, "secret": SECRET})
    _people(store, ["u1"])
    one = message("u1", channel="webhook", recipient="device-token-1")
    enqueue(store, [one], now=NOW)
    assert deliver_due(store, settings, worker_id="w", now=NOW + 5, limit=10) == 1
    (request,) = receiver.requests
    headers = request["headers"]
    assert request["path"] == "/hooks/recmind"
    assert headers["Idempotency-Key"] == one.idempotency_key
    assert headers["X-Recmind-Timestamp"] == str(int(NOW + 5))
    expected = signature(SECRET, headers["X-Recmind-Timestamp"], request["body"])
    assert headers["X-Recmind-Signature"] == expected
    assert expected.startswith("sha256=") and len(expected) == 7 + 64
    body = json.loads(request["body"])
    assert body["message_id"] == one.message_id and body["recipient"] == "device-token-1"
    assert body["source"] == {"kind": "campaign", "id": "c1"} and body["items"] == ["i1"]
    assert body["payload"]["items"][0]["title"] == "Blue teapot"
    assert row(store, one.message_id)["status"] == "sent"


def test_statuses_retry_or_dead(store: Store, receiver: Receiver, tmp_path: Path) -> None:
    settings = open_settings(tmp_path, webhook={"url": receiver.url}, retry_base_seconds=1)
    people = ["busy", "broken", "refused", "gone"]
    _people(store, people)
    messages = {u: message(u, channel="webhook", recipient=u) for u in people}
    receiver.script = {
        messages["busy"].idempotency_key: [429],
        messages["broken"].idempotency_key: [503],
        messages["refused"].idempotency_key: [400],
        messages["gone"].idempotency_key: [410],
    }
    enqueue(store, list(messages.values()), now=NOW)
    deliver_due(store, settings, worker_id="w", now=NOW, limit=10)
    states = {u: row(store, m.message_id) for u, m in messages.items()}
    assert {u: s["status"] for u, s in states.items()} == {
        "busy": "pending",
        "broken": "pending",
        "refused": "dead",
        "gone": "dead",
    }
    assert states["refused"]["last_error"].startswith("HTTP 400")
    deliver_due(store, settings, worker_id="w", now=NOW + 60, limit=10)
    assert row(store, messages["busy"].message_id)["status"] == "sent"
    assert row(store, messages["broken"].message_id)["status"] == "sent"
    keys = [r["headers"]["Idempotency-Key"] for r in receiver.requests]
    assert keys.count(messages["busy"].idempotency_key) == 2  # the same key on the retry


def test_a_timeout_retries_and_an_unset_url_waits(
    sqlite_store: Store, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.delay_seconds = 1.0
    slow = open_settings(tmp_path, webhook={"url": receiver.url, "timeout_seconds": 0.2})
    _people(sqlite_store, ["u1", "u2"])
    first = message("u1", channel="webhook", recipient="u1")
    enqueue(sqlite_store, [first], now=NOW)
    deliver_due(sqlite_store, slow, worker_id="w", now=NOW, limit=10)
    timed_out = row(sqlite_store, first.message_id)
    assert timed_out["status"] == "pending" and "Timeout" in timed_out["last_error"]
    second = message("u2", channel="webhook", recipient="u2")
    enqueue(sqlite_store, [second], now=NOW)
    deliver_due(sqlite_store, open_settings(tmp_path), worker_id="w", now=NOW, limit=10)
    assert "no URL" in row(sqlite_store, second.message_id)["last_error"]
