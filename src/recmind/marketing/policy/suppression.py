"""The suppression list: people who get no message on a channel, whatever else says yes.

A row is ``(user_id, channel, reason)``; channel ``*`` covers every channel. Reasons:
``unsubscribed`` (the person asked: one-click link or page), ``bounced`` (the address does not
take mail), ``complained`` (marked as spam), ``manual`` (added by staff). A suppression
outranks consent: a person who unsubscribed stays out even if a later import says
``consent_email`` is true, until staff remove the row.

Adding is idempotent: a second add for the same person and channel keeps the first row (its
reason and moment: the first word is the one that explains why).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, func, select

from recmind.data.online_checks import text_problem
from recmind.data.schema import suppressions
from recmind.data.store import Store
from recmind.data.write_lock import write_lock
from recmind.marketing.messages import CHANNELS
from recmind.marketing.policy.sql import chunks, dialect_insert

REASONS = ("unsubscribed", "bounced", "complained", "manual")
ANY_CHANNEL = "*"
SUPPRESSION_CHANNELS = (*CHANNELS, ANY_CHANNEL)


class SuppressionError(ValueError):
    """An unknown channel or reason."""


@dataclass(frozen=True)
class Suppression:
    user_id: str
    channel: str
    reason: str
    created_at: float
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "channel": self.channel,
            "reason": self.reason,
            "created_at": self.created_at,
            "source": self.source,
        }


def _check_id(user_id: str) -> None:
    if not user_id or text_problem(user_id):
        raise SuppressionError(f"not a storable user id: {user_id!r}")


def _check(channel: str, reason: str | None = None) -> None:
    if channel not in SUPPRESSION_CHANNELS:
        known = ", ".join(SUPPRESSION_CHANNELS)
        raise SuppressionError(f"unknown channel {channel!r}; known: {known}")
    if reason is not None and reason not in REASONS:
        raise SuppressionError(f"unknown reason {reason!r}; known: {', '.join(REASONS)}")


def add_suppression_in(
    connection: Connection,
    user_id: str,
    channel: str,
    reason: str,
    *,
    now: float,
    source: str | None = None,
) -> bool:
    """Add the row inside the caller's transaction; True when it is new."""
    _check_id(user_id)
    _check(channel, reason)
    statement = dialect_insert(connection, suppressions).values(
        user_id=user_id, channel=channel, reason=reason, created_at=now, source=source
    )
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT through
    # SQLAlchemy, SQLite and PostgreSQL both return the row only when it was written.
    written = statement.on_conflict_do_nothing().returning(suppressions.c.user_id)
    return connection.execute(written).first() is not None


def add_suppression(
    store: Store,
    user_id: str,
    channel: str,
    reason: str,
    *,
    now: float,
    source: str | None = None,
) -> bool:
    """Suppress ``user_id`` on ``channel`` (``*``: all); True when the row is new, False
    when the person was already suppressed there (the first row is kept)."""
    _check(channel, reason)
    with write_lock(store), store.engine.begin() as connection:
        return add_suppression_in(connection, user_id, channel, reason, now=now, source=source)


def remove_suppression(store: Store, user_id: str, channel: str) -> bool:
    """Lift the suppression of ``user_id`` on ``channel``; True when there was one."""
    _check(channel)
    with write_lock(store), store.engine.begin() as connection:
        result = connection.execute(
            delete(suppressions).where(
                and_(suppressions.c.user_id == user_id, suppressions.c.channel == channel)
            )
        )
    return bool(result.rowcount)


def _row(row: Any) -> Suppression:
    return Suppression(row.user_id, row.channel, row.reason, float(row.created_at), row.source)


def list_suppressions(
    store: Store,
    *,
    user_id: str | None = None,
    channel: str | None = None,
    reason: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[int, list[Suppression]]:
    """``(total, page)`` of the list, newest first, filtered by any of the arguments."""
    if channel is not None:
        _check(channel)
    if reason is not None and reason not in REASONS:
        raise SuppressionError(f"unknown reason {reason!r}; known: {', '.join(REASONS)}")
    conditions = []
    if user_id is not None:
        conditions.append(suppressions.c.user_id == user_id)
    if channel is not None:
        conditions.append(suppressions.c.channel == channel)
    if reason is not None:
        conditions.append(suppressions.c.reason == reason)
    where = and_(*conditions) if conditions else None
    count = select(func.count()).select_from(suppressions)
    page = select(suppressions).order_by(
        suppressions.c.created_at.desc(), suppressions.c.user_id, suppressions.c.channel
    )
    if where is not None:
        count, page = count.where(where), page.where(where)
    with store.engine.connect() as connection:
        total = int(connection.execute(count).scalar_one())
        rows = connection.execute(page.offset(offset).limit(limit)).all()
    return total, [_row(r) for r in rows]


def is_suppressed(store: Store, user_id: str, channel: str) -> Suppression | None:
    """The row keeping ``user_id`` from ``channel`` (its own or ``*``), or None."""
    _check(channel)
    with store.engine.connect() as connection:
        found = suppressed_many(connection, [user_id])
    return found.get((user_id, channel)) or found.get((user_id, ANY_CHANNEL))


def suppressed_many(
    connection: Connection, user_ids: Sequence[str]
) -> dict[tuple[str, str], Suppression]:
    """``(user_id, channel) -> row`` of every suppression of ``user_ids``."""
    out: dict[tuple[str, str], Suppression] = {}
    for part in chunks(user_ids):
        for row in connection.execute(select(suppressions).where(suppressions.c.user_id.in_(part))):
            out[(row.user_id, row.channel)] = _row(row)
    return out
