"""Delivery passes against a real SMTP server on loopback: once per message, the send-time
rules asked at delivery, retries with back-off, bounces, dead letters, recovery."""

from __future__ import annotations

from pathlib import Path

from tests.marketing.outbox.helpers import NOW, add_people, message, open_settings, row, statuses
from tests.marketing.smtp_server import SmtpServer

from recmind.data.store import Store
from recmind.marketing.outbox.delivery import deliver_due
from recmind.marketing.outbox.store import enqueue


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
