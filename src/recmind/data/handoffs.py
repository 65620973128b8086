"""The handoff queue: conversations the assistant hands to a human.

A handoff is a row of ``handoffs``: the conversation, the bound person (None when
anonymous), the reason (:data:`REASONS`), a summary, and its status: ``open`` when enqueued,
``taken`` by a member of staff, then ``closed``. Taking is one conditional update (only an
open handoff can be taken, so two people taking the same one cannot both succeed); closing
works on an open or taken one. Rows name a person, so they are exported with them
(:func:`handoffs_for_user`) and erased with them (``PERSONAL_DERIVED``).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

from sqlalchemy import select, update

from recmind.data.schema import handoffs
from recmind.data.store import Store

Reason = Literal["low_confidence", "asked_for_human", "complaint", "failed_check", "other"]
REASONS: tuple[Reason, ...] = get_args(Reason)
"""Why a conversation is handed over."""
Status = Literal["open", "taken", "closed"]
STATUSES: tuple[Status, ...] = get_args(Status)
MAX_SUMMARY = 4000
"""A summary longer than this is cut (a summary, not a transcript)."""


class HandoffError(ValueError):
    """A handoff cannot be enqueued or moved as asked (unknown id, wrong status)."""


@dataclass(frozen=True)
class Handoff:
    """One row of the queue."""

    handoff_id: str
    conversation_id: str
    user_id: str | None
    reason: str
    summary: str
    created_at: float
    status: str
    taken_by: str | None
    taken_at: float | None
    closed_at: float | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _handoff(row: Any) -> Handoff:
    return Handoff(**dict(row._mapping))


def enqueue(
    store: Store,
    *,
    conversation_id: str,
    user_id: str | None,
    reason: str,
    summary: str,
    now: float | None = None,
) -> Handoff:
    """Add an open handoff and return it."""
    if reason not in REASONS:
        raise HandoffError(f"unknown reason {reason!r}; choose from {', '.join(REASONS)}")
    if not conversation_id.strip():
        raise HandoffError("a handoff needs a conversation id")
    handoff = Handoff(
        handoff_id=uuid.uuid4().hex,
        conversation_id=conversation_id,
        user_id=user_id,
        reason=reason,
        summary=summary.strip()[:MAX_SUMMARY],
        created_at=time.time() if now is None else now,
        status="open",
        taken_by=None,
        taken_at=None,
        closed_at=None,
    )
    with store.engine.begin() as connection:
        connection.execute(handoffs.insert().values(**handoff.to_json()))
    return handoff


def get_handoff(store: Store, handoff_id: str) -> Handoff | None:
    with store.engine.connect() as connection:
        row = connection.execute(
            select(handoffs).where(handoffs.c.handoff_id == handoff_id)
        ).first()
    return None if row is None else _handoff(row)


def list_handoffs(
    store: Store, *, status: str | None = "open", limit: int = 100, offset: int = 0
) -> list[Handoff]:
    """Handoffs with ``status`` (None: all), oldest first: the queue's order."""
    query = select(handoffs)
    if status is not None:
        if status not in STATUSES:
            raise HandoffError(f"unknown status {status!r}; choose from {', '.join(STATUSES)}")
        query = query.where(handoffs.c.status == status)
    query = query.order_by(handoffs.c.created_at, handoffs.c.handoff_id)
    with store.engine.connect() as connection:
        rows = connection.execute(query.limit(limit).offset(offset)).all()
    return [_handoff(r) for r in rows]


def list_open(store: Store, *, limit: int = 100, offset: int = 0) -> list[Handoff]:
    """The open handoffs, oldest first."""
    return list_handoffs(store, status="open", limit=limit, offset=offset)


def _move(
    store: Store, handoff_id: str, allowed: tuple[str, ...], values: dict[str, Any], verb: str
) -> Handoff:
    with store.engine.begin() as connection:
        done = connection.execute(
            update(handoffs)
            .where(handoffs.c.handoff_id == handoff_id, handoffs.c.status.in_(allowed))
            .values(**values)
        )
    found = get_handoff(store, handoff_id)
    if found is None:
        raise HandoffError(f"no handoff {handoff_id!r}")
    if not done.rowcount:
        raise HandoffError(f"handoff {handoff_id!r} is {found.status}: it cannot be {verb}")
    return found


def take(store: Store, handoff_id: str, taken_by: str, *, now: float | None = None) -> Handoff:
    """Mark an open handoff taken by ``taken_by``.

    Raises:
        HandoffError: No such handoff, or it is not open (someone took or closed it).
    """
    if not taken_by.strip():
        raise HandoffError("say who takes the handoff")
    moment = time.time() if now is None else now
    values = {"status": "taken", "taken_by": taken_by.strip(), "taken_at": moment}
    return _move(store, handoff_id, ("open",), values, "taken")


def close(store: Store, handoff_id: str, *, now: float | None = None) -> Handoff:
    """Close an open or taken handoff.

    Raises:
        HandoffError: No such handoff, or it is closed already.
    """
    moment = time.time() if now is None else now
    values = {"status": "closed", "closed_at": moment}
    return _move(store, handoff_id, ("open", "taken"), values, "closed")


def handoffs_for_user(store: Store, user_id: str) -> list[dict[str, Any]]:
    """Every handoff of the person, oldest first (their export)."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(handoffs)
            .where(handoffs.c.user_id == user_id)
            .order_by(handoffs.c.created_at, handoffs.c.handoff_id)
        ).all()
    return [_handoff(r).to_json() for r in rows]
