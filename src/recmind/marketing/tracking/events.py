"""Message events: what happened to a message after it was written (``message_events``).

Kinds: ``open`` (a pixel was fetched: unreliable, since privacy proxies and scanners fetch
images without a person), ``click`` (a tracked link was followed), ``unsubscribe``,
``deferred`` (quiet hours held the message back), ``bounce`` and ``complaint`` (reported by
the mail system). Events of the kinds in :data:`ONCE_KINDS` are recorded once per message
(their id is derived from the message id), so a repeated one-click POST or a message deferred
twice leaves one row; opens and clicks are recorded each time (reports count distinct
messages and people).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from recmind.data.schema import message_events
from recmind.data.store import Store
from recmind.data.write_lock import write_lock
from recmind.marketing.policy.sql import dialect_insert

KINDS = ("open", "click", "unsubscribe", "deferred", "bounce", "complaint")
ONCE_KINDS = frozenset({"unsubscribe", "deferred", "bounce", "complaint"})
UNRELIABLE_KINDS = frozenset({"open"})
"""Kinds a report shows with a warning: machines produce them as well as people."""

_NAMESPACE = uuid.UUID("0b8f5a52-2c55-4f6b-a1b7-3f7c9e1d2a64")


@dataclass(frozen=True)
class MessageEvent:
    message_id: str
    user_id: str
    kind: str
    at: float
    url: str | None = None

    def row(self) -> dict[str, Any]:
        if self.kind not in KINDS:
            raise ValueError(f"unknown message event kind {self.kind!r}; known: {KINDS}")
        event_id = (
            uuid.uuid5(_NAMESPACE, f"{self.message_id}:{self.kind}").hex
            if self.kind in ONCE_KINDS
            else uuid.uuid4().hex
        )
        return {
            "message_event_id": event_id,
            "message_id": self.message_id,
            "user_id": self.user_id,
            "kind": self.kind,
            "at": self.at,
            "url": self.url,
        }


def record_events_in(connection: Connection, events: list[MessageEvent]) -> int:
    """Write ``events`` inside the caller's transaction; returns the rows written (for
    several events: how many were given, conflicts included)."""
    if not events:
        return 0
    statement = dialect_insert(connection, message_events).on_conflict_do_nothing()
    if len(events) == 1:
        # RETURNING, not rowcount (psycopg reports -1 for INSERT ... ON CONFLICT).
        written = statement.values(events[0].row()).returning(message_events.c.message_event_id)
        return int(connection.execute(written).first() is not None)
    # executemany: one round trip per batch; drivers do not all report the rows it wrote.
    connection.execute(statement, [event.row() for event in events])
    return len(events)


def record_event(store: Store, event: MessageEvent) -> bool:
    """Write one event in its own transaction; False when a once-per-message kind was
    already there."""
    with write_lock(store), store.engine.begin() as connection:
        return record_events_in(connection, [event]) > 0
