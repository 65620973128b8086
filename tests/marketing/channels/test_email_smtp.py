"""The SMTP channel against a real server on loopback: connections kept and shared by
rounds, PIPELINING, STARTTLS, implicit TLS, login, a claim lost before the hand-off, and a
reply that never comes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from tests.marketing.channels.keys import tls_certificate
from tests.marketing.outbox.helpers import NOW, add_people, message, open_settings, row
from tests.marketing.smtp_server import SmtpServer

from recmind.config import Settings
from recmind.data.store import Store
from recmind.marketing.channels import Outcome
from recmind.marketing.channels.email_smtp import NO_REPLY, EmailSession
from recmind.marketing.outbox.delivery import deliver_due
from recmind.marketing.outbox.handoff import Handoffs, Handover
from recmind.marketing.outbox.store import claim_due, enqueue


def _claim(store: Store, people: Sequence[str]) -> list[dict[str, Any]]:
    add_people(store, people)
    enqueue(store, [message(u) for u in people], now=NOW)
    return claim_due(store, worker_id="w", now=NOW, limit=1000, claim_seconds=600)


def _deliver(store: Store, settings: Settings, rows: list[dict[str, Any]]) -> list[Outcome]:
    handoffs = Handoffs(store, worker_id="w", claim_seconds=600, clock=lambda: NOW)
    session = EmailSession(settings)
    try:
        return list(session.deliver(rows, handoffs, now=NOW))
    finally:
        handoffs.close()
        session.close()


@pytest.fixture
def tls(tmp_path: Path) -> tuple[Path, Path]:
    return tls_certificate(tmp_path)


@pytest.fixture
def starttls_server(tls: tuple[Path, Path]) -> Iterator[SmtpServer]:
    server = SmtpServer(tls=tls, logins={"shop": "s3cret"}).start()
    yield server
    server.stop()


def test_connections_stay_open_across_messages(
    sqlite_store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    settings = open_settings(tmp_path, smtp=smtp_server.settings() | {"connections": 3})
    outcomes = _deliver(sqlite_store, settings, _claim(sqlite_store, [f"u{n}" for n in range(30)]))
    assert [o.kind for o in outcomes] == ["sent"] * 30
    peers = {m.peer for m in smtp_server.messages}
    assert len(peers) == 3  # 30 messages over the same 3 connections


def test_pipelining_with_a_refused_recipient_in_the_middle(
    sqlite_store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    smtp_server.handler.pipelining = True
    smtp_server.handler.refuse_rcpt["u2@example.org"] = "550 5.1.1 no such user"
    settings = open_settings(tmp_path, smtp=smtp_server.settings() | {"connections": 2})
    rows = _claim(sqlite_store, [f"u{n}" for n in range(7)])
    session = EmailSession(settings)
    handoffs = Handoffs(sqlite_store, worker_id="w", claim_seconds=600, clock=lambda: NOW)
    outcomes = {o.message_id: o for o in session.deliver(rows, handoffs, now=NOW)}
    assert all(c.pipelining for c in session.connections)
    handoffs.close()
    session.close()
    kinds = {r["user_id"]: outcomes[r["message_id"]].kind for r in rows}
    assert kinds.pop("u2") == "bounced" and set(kinds.values()) == {"sent"}
    assert sorted(smtp_server.count_by_key().values()) == [1] * 6


def test_starttls_and_login(
    store: Store, starttls_server: SmtpServer, tls: tuple[Path, Path], tmp_path: Path
) -> None:
    smtp = starttls_server.settings() | {
        "starttls": True,
        "tls_ca_file": str(tls[0]),
        "username": "shop",
        "password": "s3cret",
    }
    settings = open_settings(tmp_path, smtp=smtp)
    add_people(store, ["u1"])
    one = message("u1")
    enqueue(store, [one], now=NOW)
    assert deliver_due(store, settings, worker_id="w", now=NOW, limit=10) == 1
    assert starttls_server.count_by_key() == {one.idempotency_key: 1}


def test_a_wrong_password_or_an_untrusted_certificate_retries(
    sqlite_store: Store, starttls_server: SmtpServer, tls: tuple[Path, Path], tmp_path: Path
) -> None:
    base = starttls_server.settings() | {"starttls": True, "username": "shop"}
    wrong = base | {"tls_ca_file": str(tls[0]), "password": "guess"}
    untrusted = base | {"password": "s3cret"}
    rows = _claim(sqlite_store, ["u1"])
    for smtp, expected in ((wrong, "Authentication"), (untrusted, "CERTIFICATE_VERIFY_FAILED")):
        (outcome,) = _deliver(sqlite_store, open_settings(tmp_path, smtp=smtp), rows)
        assert outcome.kind == "retry" and expected in (outcome.detail or "")
    assert starttls_server.count_by_key() == {}


def test_implicit_tls(sqlite_store: Store, tls: tuple[Path, Path], tmp_path: Path) -> None:
    server = SmtpServer(tls=tls, implicit_tls=True).start()
    try:
        smtp = server.settings() | {"ssl": True, "tls_ca_file": str(tls[0])}
        outcomes = _deliver(
            sqlite_store, open_settings(tmp_path, smtp=smtp), _claim(sqlite_store, ["u1", "u2"])
        )
        assert [o.kind for o in outcomes] == ["sent", "sent"]
        assert sorted(server.count_by_key().values()) == [1, 1]
    finally:
        server.stop()


def test_a_claim_taken_over_before_the_handoff_is_abandoned_unsent(
    store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    settings = open_settings(tmp_path, smtp=smtp_server.settings())
    rows = _claim(store, ["u1", "u2"])
    handoffs = Handoffs(store, worker_id="w", claim_seconds=600, clock=lambda: NOW)

    def taken_over(ids: Sequence[str]) -> Handover:
        handover = handoffs([ids[0]])  # the other row now belongs to another worker
        return handover

    session = EmailSession(settings)
    outcomes = {o.message_id: o.kind for o in session.deliver(rows, taken_over, now=NOW)}
    handoffs.close()
    session.close()
    assert sorted(outcomes.values()) == ["abandoned", "sent"]
    assert len(smtp_server.count_by_key()) == 1  # the abandoned one never got its dot


def test_no_reply_after_the_dot_counts_as_delivered_and_is_not_resent(
    store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    smtp_server.handler.delay_seconds = 2.0
    settings = open_settings(tmp_path, smtp=smtp_server.settings() | {"timeout_seconds": 0.5})
    add_people(store, ["u1"])
    one = message("u1")
    enqueue(store, [one], now=NOW)
    deliver_due(store, settings, worker_id="w", now=NOW, limit=10)
    sent = row(store, one.message_id)
    assert sent["status"] == "sent" and sent["last_error"] == NO_REPLY
    smtp_server.wait_for(1, timeout=10)
    assert deliver_due(store, settings, worker_id="w", now=NOW + 10_000, limit=10) == 0
    assert smtp_server.count_by_key() == {one.idempotency_key: 1}
