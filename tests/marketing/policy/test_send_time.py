"""Every rule, end to end: messages written to the outbox, delivered by the real delivery
pass to a real SMTP server on loopback. What a rule refuses never reaches the server; what
quiet hours hold back arrives once they end."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import update
from tests.marketing.outbox.helpers import NOW, add_people, message, open_settings, row
from tests.marketing.smtp_server import SmtpServer

from recmind.config import Settings
from recmind.data.schema import users
from recmind.data.store import Store
from recmind.marketing.outbox.delivery import deliver_due
from recmind.marketing.outbox.store import enqueue
from recmind.marketing.policy.holdout import in_holdout
from recmind.marketing.tracking.actions import unsubscribe
from recmind.marketing.tracking.links import unsubscribe_url

# NOW is 2025-06-15 15:06:40 UTC: 00:06 the next day in Tokyo.


def _deliver(store: Store, settings: Settings, now: float = NOW) -> None:
    while deliver_due(store, settings, worker_id="w", now=now, limit=500):
        pass


def _arrived(server: SmtpServer) -> set[str]:
    counts = server.count_by_key()
    assert all(n == 1 for n in counts.values()), counts
    return set(counts)


def test_consent(store: Store, smtp_server: SmtpServer, tmp_path: Path) -> None:
    settings = open_settings(tmp_path, smtp=smtp_server.settings())
    add_people(store, ["yes"])
    add_people(store, ["no"], consent=False)
    sent, refused = message("yes"), message("no")
    enqueue(store, [sent, refused], now=NOW)
    _deliver(store, settings)
    assert _arrived(smtp_server) == {sent.idempotency_key}
    assert row(store, refused.message_id)["skip_reason"] == "no_consent"


def test_one_click_unsubscribe_stops_a_queued_message(
    store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    settings = open_settings(tmp_path, smtp=smtp_server.settings())
    add_people(store, ["ann", "bob"])
    first = message("ann", campaign="c1")
    enqueue(store, [first], now=NOW)
    _deliver(store, settings)
    queued = [message("ann", campaign="c2"), message("bob", campaign="c2")]
    enqueue(store, queued, now=NOW + 10)
    token = urlsplit(unsubscribe_url(settings, first.message_id)).path.rsplit("/", 1)[1]
    unsubscribe(store, settings, token, now=NOW + 20, via="one-click")
    _deliver(store, settings, NOW + 30)
    assert _arrived(smtp_server) == {first.idempotency_key, queued[1].idempotency_key}
    assert row(store, queued[0].message_id)["skip_reason"] == "suppressed:unsubscribed"


def test_cap(store: Store, smtp_server: SmtpServer, tmp_path: Path) -> None:
    settings = open_settings(tmp_path, smtp=smtp_server.settings(), caps=["email:2/1d"])
    add_people(store, ["ann"])
    messages = [message("ann", campaign=f"c{n}") for n in range(4)]
    enqueue(store, messages[:1], now=NOW)
    _deliver(store, settings)
    enqueue(store, messages[1:], now=NOW + 60)  # three more in one batch
    _deliver(store, settings, NOW + 60)
    assert len(_arrived(smtp_server)) == 2
    reasons = [row(store, m.message_id)["skip_reason"] for m in messages]
    assert reasons.count("cap:email:2/1d") == 2


def test_quiet_hours_hold_the_message_until_they_end(
    store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    settings = open_settings(
        tmp_path, smtp=smtp_server.settings(), quiet_start_hour=21, quiet_end_hour=8
    )
    add_people(store, ["tokyo", "london"])
    with store.engine.begin() as connection:
        connection.execute(
            update(users).where(users.c.user_id == "tokyo").values(timezone="Asia/Tokyo")
        )
        connection.execute(
            update(users).where(users.c.user_id == "london").values(timezone="Europe/London")
        )
    night, day = message("tokyo"), message("london")  # 00:06 in Tokyo, 16:06 in London
    enqueue(store, [night, day], now=NOW)
    _deliver(store, settings)
    assert _arrived(smtp_server) == {day.idempotency_key}
    held = row(store, night.message_id)
    assert held["status"] == "pending"
    morning = NOW + (8 * 3600 - 6 * 60 - 40)  # 08:00 in Tokyo
    assert held["next_attempt_at"] == morning
    _deliver(store, settings, morning - 1)
    assert _arrived(smtp_server) == {day.idempotency_key}
    _deliver(store, settings, morning)
    assert _arrived(smtp_server) == {day.idempotency_key, night.idempotency_key}


def test_holdout(store: Store, smtp_server: SmtpServer, tmp_path: Path) -> None:
    settings = open_settings(tmp_path, smtp=smtp_server.settings(), holdout_percent=10.0)
    people = [f"p{n}" for n in range(200)]
    add_people(store, people)
    messages = [message(p) for p in people]
    enqueue(store, messages, now=NOW)
    _deliver(store, settings)
    held = {p for p in people if in_holdout(p, settings)}
    assert 5 < len(held) < 40
    expected = {m.idempotency_key for m in messages if m.user_id not in held}
    assert _arrived(smtp_server) == expected
    for m in messages:
        if m.user_id in held:
            assert row(store, m.message_id)["skip_reason"] == "holdout"
