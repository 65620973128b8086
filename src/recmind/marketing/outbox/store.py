"""Outbox rows: writing them, claiming due ones for a worker, and every state transition.

States (``outbox.status``)::

    pending --claim--> sending --handoff--> handoff --reply--> sent
       ^                  |                    |
       |   retry/defer    |                    +--> dead (refused after the data) / pending
       +------------------+--> dead | skipped

- ``pending``: due at ``next_attempt_at``;
- ``sending``: claimed by ``claimed_by`` until ``claimed_until`` (a claim that expired belongs
  to a worker that died: the row is claimed again, see :func:`claim_due`);
- ``handoff``: the channel holds everything but the final commit (email: all of DATA but the
  closing dot; :mod:`recmind.marketing.outbox.handoff`). A ``handoff`` row whose claim
  expired counts as delivered and is never sent again
  (:mod:`recmind.marketing.outbox.recovery`);
- ``sent``, ``dead`` (``last_error`` says why), ``skipped`` (``skip_reason``: a send-time rule
  said no).

Claims: PostgreSQL takes rows with ``FOR UPDATE SKIP LOCKED`` (several workers at once never
take the same row); SQLite has one writer at a time, so a claim is one ``BEGIN IMMEDIATE``
transaction. Every later transition is guarded by ``claimed_by``: a worker whose claim was
taken over (it stalled past ``claimed_until`` and another worker claimed the row) changes
nothing and, for email, abandons the message before its final dot.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from recmind.data.bulk import BulkWriter
from recmind.data.store import Store
from recmind.data.write_lock import write_lock
from recmind.marketing.messages import CHANNELS, OutboxMessage

PENDING = "pending"
SENDING = "sending"
HANDOFF = "handoff"
SENT = "sent"
DEAD = "dead"
SKIPPED = "skipped"
STATUSES = (PENDING, SENDING, HANDOFF, SENT, DEAD, SKIPPED)
SOURCE_KINDS = ("journey", "campaign", "test")
RECLAIMED = "reclaimed"
"""Key of a claimed row (not a column): True when it was taken over from a dead worker."""
MAX_BACKOFF_SECONDS = 6 * 3600.0
"""The longest wait between two attempts, whatever the attempt count."""

ROW_COLUMNS = (
    "message_id",
    "idempotency_key",
    "user_id",
    "channel",
    "source_kind",
    "source_id",
    "enrolment_id",
    "step_id",
    "recipient",
    "subject",
    "body_text",
    "body_html",
    "payload",
    "items",
    "status",
    "skip_reason",
    "attempts",
    "next_attempt_at",
    "last_error",
    "created_at",
    "sent_at",
    "read_at",
    "claimed_by",
    "claimed_until",
)
_INSERTED = (*ROW_COLUMNS[:18], "created_at")
_SELECTED = ", ".join(ROW_COLUMNS)


class OutboxError(ValueError):
    """A message that cannot be written (unknown channel or source kind)."""


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _row(message: OutboxMessage, now: float) -> tuple[Any, ...]:
    if message.channel not in CHANNELS:
        raise OutboxError(f"{message.idempotency_key}: unknown channel {message.channel!r}")
    if message.source_kind not in SOURCE_KINDS:
        raise OutboxError(f"{message.idempotency_key}: unknown source kind {message.source_kind!r}")
    rendered = message.rendered
    due = now if message.not_before is None else max(now, float(message.not_before))
    return (
        message.message_id,
        message.idempotency_key,
        message.user_id,
        message.channel,
        message.source_kind,
        message.source_id,
        message.enrolment_id,
        message.step_id,
        message.recipient,
        rendered.subject,
        rendered.body_text,
        rendered.body_html,
        _json(dict(rendered.payload)),
        _json(list(rendered.items)),
        PENDING,
        None,
        0,
        due,
        now,
    )


def enqueue(store: Store, messages: Sequence[OutboxMessage], *, now: float) -> int:
    """Write ``messages`` as pending rows (due at ``now``, or at their ``not_before``) in one
    transaction; returns how many rows are new. A message whose idempotency key is already
    in the outbox (whatever its state) is left alone: ``INSERT ... ON CONFLICT DO NOTHING``
    on both dialects, through ``COPY`` on PostgreSQL, so 100,000 rows take seconds."""
    rows = [_row(m, now) for m in messages]
    if not rows:
        return 0
    with write_lock(store), store.raw_connection() as connection:
        return BulkWriter(connection, store.dialect).insert_ignore("outbox", _INSERTED, rows)


# --- the raw-connection helpers every transition shares --------------------------------


def dialect_sql(store: Store, statement: str) -> str:
    """``?`` placeholders in the connection's own style (psycopg: ``%s``)."""
    return statement.replace("?", "%s") if store.dialect == "postgresql" else statement


@contextmanager
def writing(store: Store) -> Iterator[Any]:
    """A cursor in one write transaction (SQLite: ``BEGIN IMMEDIATE`` under the process's
    write lock, so a claim's read and write are one step)."""
    with write_lock(store), store.raw_connection() as connection:
        cursor = connection.cursor()
        try:
            if store.dialect == "sqlite" and not connection.in_transaction:
                cursor.execute("BEGIN IMMEDIATE")
            yield cursor
        finally:
            cursor.close()


def _dicts(cursor: Any) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- claiming -----------------------------------------------------------------------------


def claim_due(
    store: Store, *, worker_id: str, now: float, limit: int, claim_seconds: float
) -> list[dict[str, Any]]:
    """Claim up to ``limit`` rows for ``worker_id`` until ``now + claim_seconds``: first
    ``sending`` rows whose claim expired (their worker died before the hand-off, so the
    channel never took them), then ``pending`` rows due at ``now``, oldest due first.
    Returns the claimed rows (every column, and :data:`RECLAIMED`), oldest due first.

    A claim spends no attempt: an attempt is counted with the message's outcome, so the rows
    a dead worker had claimed but not reached are not charged for its death. A row taken
    over from a dead worker (``RECLAIMED``) is charged just before the channel starts on it
    again (:meth:`recmind.marketing.outbox.handoff.Handoffs.attempting`), so a message that
    kills every worker that tries it runs out of attempts."""
    until = now + claim_seconds
    postgres = store.dialect == "postgresql"
    lock = " FOR UPDATE SKIP LOCKED" if postgres else ""
    selects = (
        f"SELECT message_id FROM outbox WHERE status = '{SENDING}' AND claimed_until < ? "
        f"ORDER BY claimed_until LIMIT ?{lock}",
        f"SELECT message_id FROM outbox WHERE status = '{PENDING}' AND next_attempt_at <= ? "
        f"ORDER BY next_attempt_at LIMIT ?{lock}",
    )
    claimed: list[dict[str, Any]] = []
    with writing(store) as cursor:
        for reclaimed, select in zip((True, False), selects, strict=True):
            wanted = limit - len(claimed)
            if wanted <= 0:
                break
            statement = (
                f"UPDATE outbox SET status = '{SENDING}', claimed_by = ?, claimed_until = ? "
                f"WHERE message_id IN ({select}) RETURNING {_SELECTED}"
            )
            cursor.execute(dialect_sql(store, statement), (worker_id, until, now, wanted))
            claimed.extend(r | {RECLAIMED: reclaimed} for r in _dicts(cursor))
    claimed.sort(key=lambda r: (float(r["next_attempt_at"] or 0.0), str(r["message_id"])))
    return claimed


# --- settling what a worker claimed --------------------------------------------------------

SettlementKind = Literal["sent", "retry", "dead", "skipped", "deferred", "release"]


@dataclass(frozen=True)
class Settlement:
    """What became of one claimed message.

    ``sent`` (``reason``: a remark kept in ``last_error``, e.g. an unconfirmed reply),
    ``retry`` (``reason``: the error; back-off from ``attempts``, dead after the last one),
    ``dead`` (``reason``), ``skipped`` (``reason``: the rule), ``deferred`` (``until`` and
    ``reason``: back to pending), ``release`` (back to pending, due now). ``attempts`` is
    the message's count of attempts, this one included if it was tried."""

    message_id: str
    kind: SettlementKind
    reason: str | None = None
    until: float | None = None
    attempts: int = 1


def backoff_seconds(attempt: int, base: float, rng: random.Random | None = None) -> float:
    """The wait after failed attempt number ``attempt`` (1-based): ``base * 2**(attempt-1)``
    times a random factor in [0.5, 1.5) (jitter: workers that failed together do not retry
    together), at most :data:`MAX_BACKOFF_SECONDS`."""
    draw = (rng or random).random()
    return min(MAX_BACKOFF_SECONDS, base * 2.0 ** max(0, attempt - 1) * (0.5 + draw))


def _values(
    settlement: Settlement, *, now: float, max_attempts: int, retry_base: float
) -> tuple[Any, ...]:
    """``(status, next_attempt_at, last_error, skip_reason, sent_at, attempts)``; ``sent_at``
    None clears it (a message handed over, then refused, was not sent)."""
    kind, reason, attempts = settlement.kind, settlement.reason, settlement.attempts
    if kind == "sent":
        return (SENT, None, reason, None, now, attempts)
    if kind == "retry":
        if attempts >= max_attempts:
            gave_up = f"{reason} (attempt {attempts} of {max_attempts})"
            return (DEAD, None, gave_up, None, None, attempts)
        wait = backoff_seconds(attempts, retry_base)
        return (PENDING, now + wait, reason, None, None, attempts)
    if kind == "dead":
        return (DEAD, None, reason, None, None, attempts)
    if kind == "skipped":
        return (SKIPPED, None, None, reason, None, attempts)
    if kind == "deferred":
        until = now if settlement.until is None else settlement.until
        return (PENDING, until, f"deferred: {reason}", None, None, attempts)
    return (PENDING, now, None, None, None, attempts)


SETTLE_CHUNK = 500
"""Ids per ``UPDATE`` of a group of identical settlements (within SQLite's parameter limit)."""


def settle(
    store: Store,
    settlements: Sequence[Settlement],
    *,
    worker_id: str,
    now: float,
    max_attempts: int,
    retry_base_seconds: float,
) -> int:
    """Record ``settlements`` in one transaction; only rows still claimed by ``worker_id``
    (``sending`` or ``handoff``) change, and their claim is cleared. A ``sent`` row keeps
    the ``sent_at`` of its hand-off. Settlements that write the same values (most: sent at
    their first attempt) share one ``UPDATE``. Returns the rows changed."""
    if not settlements:
        return 0
    groups: dict[tuple[Any, ...], list[str]] = {}
    for s in settlements:
        values = _values(s, now=now, max_attempts=max_attempts, retry_base=retry_base_seconds)
        groups.setdefault(values, []).append(s.message_id)
    postgres = store.dialect == "postgresql"
    changed = 0
    with writing(store) as cursor:
        for (status, due, error, skip, sent_at, attempts), ids in groups.items():
            for start in range(0, len(ids), SETTLE_CHUNK):
                part = ids[start : start + SETTLE_CHUNK]
                where = "= ANY(?)" if postgres else f"IN ({', '.join('?' * len(part))})"
                statement = dialect_sql(
                    store,
                    "UPDATE outbox SET status = ?, next_attempt_at = ?, last_error = ?, "
                    "skip_reason = ?, sent_at = CASE WHEN CAST(? AS DOUBLE PRECISION) IS NULL "
                    "THEN NULL ELSE COALESCE(sent_at, ?) END, attempts = ?, "
                    f"claimed_by = NULL, claimed_until = NULL WHERE message_id {where} "
                    f"AND claimed_by = ? AND status IN ('{SENDING}', '{HANDOFF}')",
                )
                ids_params = (list(part),) if postgres else tuple(part)
                cursor.execute(
                    statement,
                    (status, due, error, skip, sent_at, sent_at, attempts, *ids_params, worker_id),
                )
                changed += max(0, int(cursor.rowcount))
    return changed


def row_mapping(row: Mapping[str, Any]) -> dict[str, Any]:
    """An outbox row with ``payload`` and ``items`` parsed from their JSON."""
    out = dict(row)
    out["payload"] = orjson.loads(row["payload"]) if row.get("payload") else {}
    out["items"] = orjson.loads(row["items"]) if row.get("items") else []
    return out
