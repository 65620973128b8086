"""One delivery pass of a worker: recover, claim, decide, hand to the channels, record.

:func:`deliver_due` is what ``recmind worker`` and ``recmind outbox deliver`` call in a
loop. A pass:

1. settles what dead workers left (:func:`recmind.marketing.outbox.recovery.recover_expired`);
2. claims up to ``limit`` due rows for ``worker_id``
   (:func:`recmind.marketing.outbox.store.claim_due`);
3. asks the send-time rules about every row **now**, not when it was written
   (:func:`recmind.marketing.policy.decide.decide_many`: consent, suppression, holdout,
   caps, quiet hours): a skip is recorded with its reason, a deferral goes back to pending
   until the rule allows it, without spending an attempt;
4. hands the rest to their channel (:mod:`recmind.marketing.channels`), which hands each
   message off just before its irrevocable step, and records the outcomes in batches:
   sent, retry with back-off, dead, and for an address the mail server refused for good
   (``bounced``) a ``bounced`` suppression and a ``bounce`` message event.

Exactly once: see ``docs/outbox.md`` and :mod:`recmind.marketing.channels.email_smtp`.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from recmind.config import Settings
from recmind.data.store import Store
from recmind.data.write_lock import write_lock
from recmind.marketing.channels import Outcome, open_channel
from recmind.marketing.outbox.handoff import Handoffs
from recmind.marketing.outbox.recovery import recover_expired
from recmind.marketing.outbox.store import RECLAIMED, Settlement, claim_due, settle
from recmind.marketing.policy.decide import Defer, Skip, decide_many
from recmind.marketing.policy.suppression import add_suppression_in
from recmind.marketing.tracking.events import MessageEvent, record_events_in

logger = logging.getLogger(__name__)

FLUSH_EVERY = 200
"""Outcomes recorded per transaction (sent marks are batched; a handed-over message is
already safe from being sent twice before its outcome is recorded)."""
ATTEMPT_CHUNK = 32
"""Messages handed to the channel at a time; the ones among them taken over from a dead
worker are charged an attempt before the channel starts (one statement, usually none)."""


class _Recorder:
    """Collects settlements and writes them in batches, bounces first."""

    def __init__(
        self, store: Store, settings: Settings, worker_id: str, clock: Callable[[], float]
    ) -> None:
        self.store, self.settings, self.worker_id, self.clock = store, settings, worker_id, clock
        self.settlements: list[Settlement] = []
        self.bounces: list[tuple[Mapping[str, Any], str]] = []
        self.counts: defaultdict[str, int] = defaultdict(int)

    def add(self, settlement: Settlement) -> None:
        self.settlements.append(settlement)
        self.counts[settlement.kind] += 1
        if len(self.settlements) >= FLUSH_EVERY:
            self.flush()

    def bounce(self, row: Mapping[str, Any], detail: str) -> None:
        self.bounces.append((row, detail))
        self.add(Settlement(str(row["message_id"]), "dead", f"bounced: {detail}", **_tries(row)))

    def flush(self) -> None:
        now = self.clock()
        if self.bounces:
            # Before the dead marks: if the worker dies in between, the message is retried
            # and the rules skip it (the person is suppressed), never sent.
            with write_lock(self.store), self.store.engine.begin() as connection:
                for row, detail in self.bounces:
                    add_suppression_in(
                        connection,
                        str(row["user_id"]),
                        str(row["channel"]),
                        "bounced",
                        now=now,
                        source=f"smtp: {detail}"[:500],
                    )
                events = [
                    MessageEvent(str(r["message_id"]), str(r["user_id"]), "bounce", now)
                    for r, _ in self.bounces
                ]
                record_events_in(connection, events)
            self.bounces = []
        marketing = self.settings.marketing
        settle(
            self.store,
            self.settlements,
            worker_id=self.worker_id,
            now=now,
            max_attempts=marketing.max_attempts,
            retry_base_seconds=marketing.retry_base_seconds,
        )
        self.settlements = []


def _tries(row: Mapping[str, Any]) -> dict[str, int]:
    return {"attempts": int(row.get("attempts") or 0)}


def _settlement(row: Mapping[str, Any], outcome: Outcome) -> Settlement:
    kind = outcome.kind
    if kind == "sent":
        return Settlement(outcome.message_id, "sent", outcome.detail, **_tries(row))
    if kind == "dead":
        return Settlement(outcome.message_id, "dead", outcome.detail, **_tries(row))
    return Settlement(outcome.message_id, "retry", outcome.detail, **_tries(row))


def _deliver_channel(
    channel: str, rows: Sequence[Mapping[str, Any]], recorder: _Recorder, *, now: float
) -> None:
    store, settings = recorder.store, recorder.settings
    by_id = {str(r["message_id"]): dict(r) for r in rows}
    try:
        session = open_channel(channel, settings)
    except Exception as exc:  # a misconfigured channel: every message waits and retries
        logger.warning("channel %s cannot open: %s", channel, exc)
        for row in rows:  # counts as an attempt: a channel that never opens is given up
            tries = int(row.get("attempts") or 0) + 1
            reason = f"channel {channel} cannot open: {exc}"
            recorder.add(Settlement(str(row["message_id"]), "retry", reason, attempts=tries))
        return

    handoff = Handoffs(
        store,
        worker_id=recorder.worker_id,
        claim_seconds=settings.marketing.claim_seconds,
        clock=recorder.clock,
    )
    try:
        for start in range(0, len(rows), ATTEMPT_CHUNK):
            chunk = [by_id[str(r["message_id"])] for r in rows[start : start + ATTEMPT_CHUNK]]
            handoff.attempting([str(r["message_id"]) for r in chunk if r.get(RECLAIMED)])
            for row in chunk:
                row["attempts"] = int(row.get("attempts") or 0) + 1
            for outcome in session.deliver(chunk, handoff, now=now):
                row = by_id[outcome.message_id]
                if outcome.kind == "abandoned":
                    logger.warning("message %s was taken over by another worker", row["message_id"])
                elif outcome.kind == "bounced":
                    recorder.bounce(row, outcome.detail or "refused")
                else:
                    recorder.add(_settlement(row, outcome))
    finally:
        handoff.close()
        session.close()


def deliver_due(store: Store, settings: Settings, *, worker_id: str, now: float, limit: int) -> int:
    """One pass (see the module docstring): returns how many messages it claimed and
    settled (sent, skipped, deferred, retried or dead); 0 when nothing was due."""
    started = time.monotonic()

    def clock() -> float:
        """``now`` moved on by the time this pass has taken (claims and hand-offs of a long
        pass expire when they should)."""
        return now + (time.monotonic() - started)

    marketing = settings.marketing
    recovered = recover_expired(store, now=now, max_attempts=marketing.max_attempts)
    if recovered.handed_over or recovered.exhausted:
        logger.info(
            "recovered %d handed-over and %d exhausted messages",
            recovered.handed_over,
            recovered.exhausted,
        )
    rows = claim_due(
        store, worker_id=worker_id, now=now, limit=limit, claim_seconds=marketing.claim_seconds
    )
    if not rows:
        return 0
    # The rules count a person's earlier messages of the batch against their caps.
    rows.sort(key=lambda r: (float(r["created_at"]), str(r["message_id"])))
    decisions = decide_many(store, settings, rows, now=now)
    recorder = _Recorder(store, settings, worker_id, clock)
    by_channel: defaultdict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row, decision in zip(rows, decisions, strict=True):
        message_id = str(row["message_id"])
        if isinstance(decision, Skip):
            recorder.add(Settlement(message_id, "skipped", decision.reason, **_tries(row)))
        elif isinstance(decision, Defer):
            recorder.add(
                Settlement(
                    message_id, "deferred", decision.reason, until=decision.until, **_tries(row)
                )
            )
        else:
            by_channel[str(row["channel"])].append(row)
    try:
        for channel, group in by_channel.items():
            _deliver_channel(channel, group, recorder, now=now)
    finally:
        recorder.flush()
    logger.debug("worker %s settled %s", worker_id, dict(recorder.counts))
    return len(rows)
