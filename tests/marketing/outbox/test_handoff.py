"""The hand-off: only the worker's own claims, durable at ``commit()``, undone by
``abort()``, on both stores."""

from __future__ import annotations

from tests.marketing.outbox.helpers import NOW, message, row

from recmind.data.store import Store
from recmind.marketing.outbox.handoff import Handoffs
from recmind.marketing.outbox.store import claim_due, enqueue


def test_commit_and_abort(store: Store) -> None:
    enqueue(store, [message(f"u{n}") for n in range(4)], now=NOW)
    ids = [
        r["message_id"] for r in claim_due(store, worker_id="w", now=NOW, limit=4, claim_seconds=60)
    ]
    handoffs = Handoffs(store, worker_id="w", claim_seconds=60, clock=lambda: NOW + 5)
    try:
        kept = handoffs(ids[:2])
        assert kept.owned == set(ids[:2])
        kept.commit()
        undone = handoffs(ids[2:])
        assert undone.owned == set(ids[2:])
        undone.abort()
        assert handoffs([]).owned == set()
    finally:
        handoffs.close()
    for message_id in ids[:2]:
        handed = row(store, message_id)
        assert handed["status"] == "handoff" and handed["sent_at"] == NOW + 5
        assert handed["claimed_until"] == NOW + 65
    for message_id in ids[2:]:
        back = row(store, message_id)
        assert back["status"] == "sending" and back["sent_at"] is None
    # the connection went back to the pool usable for ordinary transactions
    enqueue(store, [message("later")], now=NOW)
    assert row(store, message("later").message_id)["status"] == "pending"
