"""The outbox's rows: idempotent writes, claims, transitions and back-off, on both stores."""

from __future__ import annotations

import random
import time

import pytest
from tests.marketing.outbox.helpers import NOW, message, row, statuses

from recmind.data.store import Store
from recmind.marketing.outbox.handoff import mark_handoff
from recmind.marketing.outbox.store import (
    MAX_BACKOFF_SECONDS,
    OutboxError,
    Settlement,
    backoff_seconds,
    claim_due,
    enqueue,
    settle,
)


def test_enqueue_is_idempotent_per_key(store: Store) -> None:
    first = [message(f"u{n}") for n in range(50)]
    assert enqueue(store, first, now=NOW) == 50
    again = [message(f"u{n}", subject="changed") for n in range(40, 60)]
    assert enqueue(store, again, now=NOW + 5) == 10
    assert enqueue(store, [message("u1"), message("u1")], now=NOW) == 0
    stored = row(store, first[45].message_id)
    assert stored["subject"] == "Your picks" and stored["status"] == "pending"
    assert stored["next_attempt_at"] == NOW and stored["attempts"] == 0
    assert len(statuses(store)) == 60


def test_enqueue_duplicates_inside_one_batch_write_one_row(store: Store) -> None:
    assert enqueue(store, [message("u1"), message("u1"), message("u2")], now=NOW) == 2


def test_enqueue_refuses_an_unknown_channel(store: Store) -> None:
    bad = message("u1", channel="sms")  # type: ignore[arg-type]
    with pytest.raises(OutboxError, match="unknown channel 'sms'"):
        enqueue(store, [bad], now=NOW)
    assert statuses(store) == {}


def test_enqueue_of_100k_rows_is_fast(store: Store) -> None:
    messages = [message(f"u{n}") for n in range(100_000)]
    started = time.perf_counter()
    assert enqueue(store, messages, now=NOW) == 100_000
    took = time.perf_counter() - started
    assert took < 30, f"100k rows took {took:.1f} s"
    assert enqueue(store, messages[:1000], now=NOW) == 0


def test_claims_take_due_rows_once_oldest_first(store: Store) -> None:
    enqueue(store, [message("late", not_before=NOW + 100)], now=NOW)
    enqueue(store, [message(f"u{n}") for n in range(5)], now=NOW - 10)
    got = claim_due(store, worker_id="w1", now=NOW, limit=3, claim_seconds=600)
    assert len(got) == 3 and all(r["status"] == "sending" and r["attempts"] == 0 for r in got)
    assert all(r["claimed_by"] == "w1" and r["claimed_until"] == NOW + 600 for r in got)
    rest = claim_due(store, worker_id="w2", now=NOW, limit=10, claim_seconds=600)
    assert len(rest) == 2
    assert {r["message_id"] for r in got}.isdisjoint(r["message_id"] for r in rest)
    assert claim_due(store, worker_id="w3", now=NOW + 50, limit=10, claim_seconds=60) == []
    late = claim_due(store, worker_id="w3", now=NOW + 100, limit=10, claim_seconds=60)
    assert [r["user_id"] for r in late] == ["late"]


def test_an_expired_sending_claim_is_claimed_again(store: Store) -> None:
    enqueue(store, [message("u1")], now=NOW)
    (first,) = claim_due(store, worker_id="dead", now=NOW, limit=10, claim_seconds=30)
    assert claim_due(store, worker_id="w2", now=NOW + 29, limit=10, claim_seconds=30) == []
    (again,) = claim_due(store, worker_id="w2", now=NOW + 31, limit=10, claim_seconds=30)
    assert again["message_id"] == first["message_id"]
    assert again["claimed_by"] == "w2" and again["attempts"] == 0  # a claim is no attempt


def test_handoff_only_for_the_worker_holding_the_claim(store: Store) -> None:
    enqueue(store, [message("u1"), message("u2")], now=NOW)
    rows = claim_due(store, worker_id="slow", now=NOW, limit=10, claim_seconds=30)
    ids = [r["message_id"] for r in rows]
    # The slow worker's claim expires; another worker takes the rows over.
    claim_due(store, worker_id="other", now=NOW + 40, limit=1, claim_seconds=30)
    owned = mark_handoff(store, ids, worker_id="slow", now=NOW + 41, claim_seconds=30)
    taken = {i for i in ids if row(store, i)["claimed_by"] == "other"}
    assert len(taken) == 1 and owned == set(ids) - taken
    (mine,) = owned
    stored = row(store, mine)
    assert stored["status"] == "handoff" and stored["sent_at"] == NOW + 41
    assert stored["claimed_until"] == NOW + 71
    assert mark_handoff(store, ids, worker_id="slow", now=NOW + 42, claim_seconds=30) == set()


def test_settlements(store: Store) -> None:
    enqueue(store, [message(f"u{n}") for n in range(6)], now=NOW)
    rows = claim_due(store, worker_id="w", now=NOW, limit=10, claim_seconds=60)
    ids = [r["message_id"] for r in rows]
    mark_handoff(store, ids[:1], worker_id="w", now=NOW + 1, claim_seconds=60)
    changed = settle(
        store,
        [
            Settlement(ids[0], "sent"),
            Settlement(ids[1], "retry", "451 try later"),
            Settlement(ids[2], "dead", "550 no such user"),
            Settlement(ids[3], "skipped", "no_consent"),
            Settlement(ids[4], "deferred", "quiet_hours", until=NOW + 3600, attempts=0),
            Settlement(ids[5], "retry", "timed out", attempts=8),
        ],
        worker_id="w",
        now=NOW + 2,
        max_attempts=8,
        retry_base_seconds=30,
    )
    assert changed == 6
    sent, retry, dead, skipped, deferred, gave_up = (row(store, i) for i in ids)
    assert sent["status"] == "sent" and sent["sent_at"] == NOW + 1
    assert retry["status"] == "pending" and retry["last_error"] == "451 try later"
    assert NOW + 2 + 15 <= retry["next_attempt_at"] < NOW + 2 + 45 and retry["sent_at"] is None
    assert dead["status"] == "dead" and dead["last_error"] == "550 no such user"
    assert skipped["status"] == "skipped" and skipped["skip_reason"] == "no_consent"
    assert deferred["status"] == "pending" and deferred["next_attempt_at"] == NOW + 3600
    assert deferred["attempts"] == 0 and deferred["last_error"] == "deferred: quiet_hours"
    assert gave_up["status"] == "dead" and gave_up["last_error"] == "timed out (attempt 8 of 8)"
    assert all(r["claimed_by"] is None for r in (sent, retry, dead, skipped, deferred))


def test_a_worker_that_lost_its_claim_settles_nothing(store: Store) -> None:
    enqueue(store, [message("u1")], now=NOW)
    (mine,) = claim_due(store, worker_id="slow", now=NOW, limit=1, claim_seconds=10)
    claim_due(store, worker_id="fast", now=NOW + 20, limit=1, claim_seconds=10)
    settled = settle(
        store,
        [Settlement(mine["message_id"], "sent")],
        worker_id="slow",
        now=NOW + 21,
        max_attempts=8,
        retry_base_seconds=30,
    )
    assert settled == 0 and row(store, mine["message_id"])["status"] == "sending"


def test_backoff_doubles_with_jitter_and_a_ceiling() -> None:
    rng = random.Random(7)
    for attempt in range(1, 8):
        waits = [backoff_seconds(attempt, 30.0, rng) for _ in range(200)]
        centre = 30.0 * 2 ** (attempt - 1)
        assert min(waits) >= 0.5 * centre and max(waits) < 1.5 * centre
        assert max(waits) - min(waits) > 0.5 * centre  # jitter spreads them
    assert backoff_seconds(40, 30.0, rng) == MAX_BACKOFF_SECONDS
