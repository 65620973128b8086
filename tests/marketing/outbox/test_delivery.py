"""Delivery passes against a real SMTP server on loopback: once per message, the send-time
rules asked at delivery, retries with back-off, bounces, dead letters, recovery."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime
from pathlib import Path

from tests.marketing.outbox.helpers import NOW, add_people, message, open_settings, row, statuses
from tests.marketing.smtp_server import SmtpServer

from recmind.data.store import Store
from recmind.marketing.outbox.delivery import deliver_due
from recmind.marketing.outbox.store import enqueue
from recmind.marketing.policy.suppression import add_suppression


def test_each_message_arrives_once_with_its_headers(
    store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    settings = open_settings(tmp_path, smtp=smtp_server.settings())
    people = [f"u{n}" for n in range(10)]
    add_people(store, people)
    messages = [message(u) for u in people]
    enqueue(store, messages, now=NOW)
    assert deliver_due(store, settings, worker_id="w1", now=NOW, limit=100) == 10
    assert deliver_due(store, settings, worker_id="w1", now=NOW + 1, limit=100) == 0
    assert set(statuses(store).values()) == {"sent"}
    counts = smtp_server.count_by_key()
    assert counts == {m.idempotency_key: 1 for m in messages}
    got = {m.idempotency_key: m for m in smtp_server.messages}
    first = got[messages[0].idempotency_key].message
    assert first["Message-ID"] == f"<{messages[0].message_id}@example.com>"
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert str(first["List-Unsubscribe"]).startswith("<https://shop.example/u/")
    text = first.get_body(("plain",))
    html = first.get_body(("html",))
    assert text is not None and html is not None
    assert "\n.\n.A line after a dot.\n" in text.get_content().replace("\r\n", "\n")
    assert "<p>Hello u0</p>" in html.get_content()
    sent = row(store, messages[0].message_id)
    assert sent["sent_at"] is not None and sent["claimed_by"] is None and sent["attempts"] == 1


def _counts(store: Store, table: str, where: str) -> int:
    with store.engine.connect() as connection:
        found = connection.exec_driver_sql(f"SELECT COUNT(*) FROM {table} WHERE {where}")
        return int(found.scalar_one())


def test_the_rules_are_asked_at_delivery_time(
    store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    """Written while everyone consented; by delivery one person has unsubscribed and
    another has no consent: nothing reaches them, each skip has its reason."""
    settings = open_settings(tmp_path, smtp=smtp_server.settings())
    add_people(store, ["yes", "unsubscribed"])
    add_people(store, ["never"], consent=False)
    messages = [message(u) for u in ("yes", "unsubscribed", "never")]
    enqueue(store, messages, now=NOW)
    add_suppression(store, "unsubscribed", "*", "unsubscribed", now=NOW + 1)
    assert deliver_due(store, settings, worker_id="w", now=NOW + 2, limit=10) == 3
    assert smtp_server.count_by_key() == {messages[0].idempotency_key: 1}
    reasons = {m.user_id: row(store, m.message_id)["skip_reason"] for m in messages}
    assert reasons == {
        "yes": None,
        "unsubscribed": "suppressed:unsubscribed",
        "never": "no_consent",
    }


def test_quiet_hours_defer_without_spending_an_attempt(
    store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    settings = open_settings(
        tmp_path, smtp=smtp_server.settings(), quiet_start_hour=21, quiet_end_hour=8
    )
    add_people(store, ["u1"])
    night = datetime(2026, 3, 2, 23, 30, tzinfo=UTC).timestamp()
    morning = datetime(2026, 3, 3, 8, 0, tzinfo=UTC).timestamp()
    (one,) = [message("u1")]
    enqueue(store, [one], now=night)
    assert deliver_due(store, settings, worker_id="w", now=night, limit=10) == 1
    held = row(store, one.message_id)
    assert held["status"] == "pending" and held["next_attempt_at"] == morning
    assert held["attempts"] == 0 and held["last_error"] == "deferred: quiet_hours"
    assert deliver_due(store, settings, worker_id="w", now=morning - 60, limit=10) == 0
    assert smtp_server.count_by_key() == {}
    assert deliver_due(store, settings, worker_id="w", now=morning, limit=10) == 1
    assert smtp_server.count_by_key() == {one.idempotency_key: 1}
    assert row(store, one.message_id)["attempts"] == 1


def test_a_temporary_refusal_is_retried_with_backoff_then_delivered_once(
    store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    settings = open_settings(tmp_path, smtp=smtp_server.settings(), retry_base_seconds=10)
    add_people(store, ["u1"])
    one = message("u1")
    smtp_server.handler.data_replies["u1@example.org"] = ["451 4.3.0 try again later"] * 2
    enqueue(store, [one], now=NOW)
    moment = NOW
    for attempt in (1, 2):
        assert deliver_due(store, settings, worker_id="w", now=moment, limit=10) == 1
        waiting = row(store, one.message_id)
        assert waiting["status"] == "pending" and waiting["attempts"] == attempt
        assert waiting["last_error"] == "451 4.3.0 try again later"
        wait = waiting["next_attempt_at"] - moment
        assert 10 * 2 ** (attempt - 1) * 0.5 <= wait < 10 * 2 ** (attempt - 1) * 1.5
        assert deliver_due(store, settings, worker_id="w", now=moment + wait - 1, limit=10) == 0
        moment += wait
    assert deliver_due(store, settings, worker_id="w", now=moment, limit=10) == 1
    assert row(store, one.message_id)["status"] == "sent"
    assert smtp_server.count_by_key() == {one.idempotency_key: 1}


def test_a_refused_address_bounces_dead_and_suppressed(
    store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    settings = open_settings(tmp_path, smtp=smtp_server.settings())
    add_people(store, ["gone", "here"])
    smtp_server.handler.refuse_rcpt["gone@example.org"] = "550 5.1.1 no such mailbox"
    first = [message("gone"), message("here")]
    enqueue(store, first, now=NOW)
    assert deliver_due(store, settings, worker_id="w", now=NOW, limit=10) == 2
    bounced = row(store, first[0].message_id)
    assert bounced["status"] == "dead"
    assert bounced["last_error"] == "bounced: 550 5.1.1 no such mailbox"
    assert smtp_server.count_by_key() == {first[1].idempotency_key: 1}
    assert _counts(store, "suppressions", "user_id = 'gone' AND reason = 'bounced'") == 1
    assert _counts(store, "message_events", "user_id = 'gone' AND kind = 'bounce'") == 1
    later = message("gone", campaign="c2")
    enqueue(store, [later], now=NOW + 10)
    deliver_due(store, settings, worker_id="w", now=NOW + 10, limit=10)
    assert row(store, later.message_id)["skip_reason"] == "suppressed:bounced"


def test_a_refusal_after_the_data_is_dead_without_suppression(
    store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    settings = open_settings(tmp_path, smtp=smtp_server.settings())
    add_people(store, ["u1"])
    smtp_server.handler.data_replies["u1@example.org"] = ["554 5.7.1 message refused"]
    one = message("u1")
    enqueue(store, [one], now=NOW)
    deliver_due(store, settings, worker_id="w", now=NOW, limit=10)
    dead = row(store, one.message_id)
    assert dead["status"] == "dead" and dead["last_error"] == "554 5.7.1 message refused"
    assert dead["sent_at"] is None
    assert _counts(store, "suppressions", "user_id = 'u1'") == 0


def test_an_unreachable_server_is_retried_then_dead_lettered(store: Store, tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = open_settings(
        tmp_path, smtp={"port": port, "timeout_seconds": 2}, max_attempts=3, retry_base_seconds=1
    )
    add_people(store, ["u1"])
    one = message("u1")
    enqueue(store, [one], now=NOW)
    moment = NOW
    for _ in range(3):
        assert deliver_due(store, settings, worker_id="w", now=moment, limit=10) == 1
        moment += 60
    dead = row(store, one.message_id)
    assert dead["status"] == "dead" and dead["attempts"] == 3
    assert "cannot connect to the SMTP server" in dead["last_error"]
    assert "(attempt 3 of 3)" in dead["last_error"]


def test_an_undeliverable_address_is_dead_at_once(
    store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    settings = open_settings(tmp_path, smtp=smtp_server.settings())
    add_people(store, ["u1", "u2"])
    bad = [
        message("u1", recipient="u1@example.org>\r\nRCPT TO:<x@evil.example"),
        message("u2", recipient=""),
    ]
    enqueue(store, bad, now=NOW)
    deliver_due(store, settings, worker_id="w", now=NOW, limit=10)
    assert "not a deliverable email address" in row(store, bad[0].message_id)["last_error"]
    assert row(store, bad[1].message_id)["last_error"] == "no email address"
    assert smtp_server.count_by_key() == {}


def test_two_workers_at_once_never_deliver_a_message_twice(
    store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    settings = open_settings(tmp_path, smtp=smtp_server.settings(), claim_seconds=600)
    people = [f"u{n}" for n in range(300)]
    add_people(store, people)
    enqueue(store, [message(u) for u in people], now=NOW)
    settled: dict[str, int] = {}

    def work(name: str) -> None:
        total = 0
        while done := deliver_due(store, settings, worker_id=name, now=NOW, limit=7):
            total += done
        settled[name] = total

    workers = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert sum(settled.values()) == 300 and all(settled.values()), settled
    counts = smtp_server.count_by_key()
    assert len(counts) == 300 and set(counts.values()) == {1}
    assert set(statuses(store).values()) == {"sent"}


def test_a_channel_that_cannot_open_retries_its_messages(
    store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    settings = open_settings(tmp_path, smtp=smtp_server.settings() | {"dkim_domain": "x.example"})
    add_people(store, ["u1"])
    one = message("u1")
    enqueue(store, [one], now=NOW)
    deliver_due(store, settings, worker_id="w", now=NOW, limit=10)
    waiting = row(store, one.message_id)
    assert waiting["status"] == "pending"
    assert "channel email cannot open: DKIM needs" in waiting["last_error"]
