"""The durable scheduler: enrolments are the work queue, claimed by workers in the store.

Why the store and not a job-queue library: the queue must hold one row per person per
journey with its own state (the step, the moment it is due, what triggered it), be read by
reports, deleted by an erasure and work on SQLite as well as PostgreSQL. The enrolments
table is all of that already; a library would hold a second copy of the same facts.

Claiming (the shape of procrastinate's): on PostgreSQL one transaction selects due rows
``FOR UPDATE SKIP LOCKED`` and marks them ``claimed_by`` this worker until
``claimed_until``; two workers never get the same row, and neither waits for the other. On
SQLite the transaction is ``BEGIN IMMEDIATE`` (the database's single writer), which gives
the same guarantee. A worker that dies keeps its claims only until ``claimed_until``; then
another takes the rows over and redoes the step (a send is idempotent by its key).

A step's outcome is written with :func:`commit_state`, guarded by the claim: a worker whose
claim was taken over writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, and_, or_, select, update

from recmind.data.schema import enrolments, journeys
from recmind.data.store import Store
from recmind.data.write_lock import write_lock


@contextmanager
def write_transaction(store: Store) -> Iterator[Connection]:
    """A transaction that holds the write lock from its first statement on SQLite
    (``BEGIN IMMEDIATE``, and the process's write lock), an ordinary one on PostgreSQL.
    Commits on success."""
    with write_lock(store), store.engine.connect() as connection:
        if store.dialect == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.rollback()
            raise
        connection.commit()


@dataclass(frozen=True)
class Claimed:
    """An enrolment claimed by this worker, as it stood when claimed."""

    enrolment_id: str
    journey_id: str
    version: int
    user_id: str
    step_id: str | None
    due_at: float
    waiting_since: float | None
    entered_at: float
    context: dict[str, Any]

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Claimed:
        context = orjson.loads(row["context"]) if row["context"] else {}
        return cls(
            enrolment_id=str(row["enrolment_id"]),
            journey_id=str(row["journey_id"]),
            version=int(row["version"]),
            user_id=str(row["user_id"]),
            step_id=row["step_id"],
            due_at=float(row["due_at"]),
            waiting_since=None if row["waiting_since"] is None else float(row["waiting_since"]),
            entered_at=float(row["entered_at"]),
            context=context if isinstance(context, dict) else {},
        )


def _claimable(now: float) -> Any:
    """Active, due, not claimed by a live worker, of an active journey (the people in a
    paused or archived journey wait where they are until it is resumed)."""
    running = select(journeys.c.journey_id).where(journeys.c.status == "active")
    return and_(
        enrolments.c.state == "active",
        enrolments.c.due_at <= now,
        or_(enrolments.c.claimed_until.is_(None), enrolments.c.claimed_until < now),
        enrolments.c.journey_id.in_(running),
    )


def claim_due(
    store: Store, *, worker_id: str, now: float, limit: int, claim_seconds: float
) -> list[Claimed]:
    """Claim up to ``limit`` due enrolments (earliest first) for ``worker_id``."""
    columns = [
        enrolments.c.enrolment_id,
        enrolments.c.journey_id,
        enrolments.c.version,
        enrolments.c.user_id,
        enrolments.c.step_id,
        enrolments.c.due_at,
        enrolments.c.waiting_since,
        enrolments.c.entered_at,
        enrolments.c.context,
    ]
    query = select(*columns).where(_claimable(now)).order_by(enrolments.c.due_at).limit(limit)
    if store.dialect == "postgresql":
        query = query.with_for_update(skip_locked=True, of=enrolments)
    with write_transaction(store) as connection:
        rows = [dict(r._mapping) for r in connection.execute(query)]
        if rows:
            ids = [r["enrolment_id"] for r in rows]
            connection.execute(
                update(enrolments)
                .where(enrolments.c.enrolment_id.in_(ids))
                .values(claimed_by=worker_id, claimed_until=now + claim_seconds)
            )
    return [Claimed.from_row(r) for r in rows]


def commit_state(
    connection: Connection, claimed: Claimed, *, worker_id: str, values: Mapping[str, Any]
) -> bool:
    """Write an enrolment's next state (and release it) if ``worker_id`` still holds it at
    the step it claimed; False when the claim was lost (nothing written)."""
    result = connection.execute(
        update(enrolments)
        .where(
            enrolments.c.enrolment_id == claimed.enrolment_id,
            enrolments.c.claimed_by == worker_id,
            enrolments.c.state == "active",
            enrolments.c.step_id == claimed.step_id
            if claimed.step_id is not None
            else enrolments.c.step_id.is_(None),
        )
        .values(**values, claimed_by=None, claimed_until=None)
    )
    return bool(result.rowcount)


def release_claims(store: Store, *, worker_id: str) -> int:
    """Give back every enrolment ``worker_id`` holds (a clean shutdown): another worker may
    take them at once."""
    with write_transaction(store) as connection:
        result = connection.execute(
            update(enrolments)
            .where(enrolments.c.claimed_by == worker_id)
            .values(claimed_by=None, claimed_until=None)
        )
    return int(result.rowcount)
