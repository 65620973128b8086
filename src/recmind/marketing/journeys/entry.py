"""Entering a journey: who among the people a trigger found may enter, and their enrolments.

A trigger hands over one query (:data:`CANDIDATE_COLUMNS`: the person, the occurrence's
``entry_key``, when it happened, the trigger item, and any facts of the occurrence such as
the old and new price); the entry rules are added to it as SQL, so the store filters the
whole population at once:

- nobody suppressed on every channel (``*``: unsubscribed from everything) enters;
- ``entry.segment``: only the segment's current members (its stored membership);
- ``once``: nobody who ever entered this journey; ``once_per``: nobody who entered it in
  the last ``days`` days or is still in it; ``every_time``: anyone, once per occurrence.

Then, in memory, erased people (tombstoned ids: their keyed hash is not computable in SQL)
are left out and, for ``once`` and ``once_per``, one occurrence per person is kept (the
earliest). The enrolments are inserted with ``ON CONFLICT DO NOTHING`` on (journey, person,
entry key), so an occurrence read twice (cursors overlap) never enters twice.

An enrolment starts at the journey's first step, due at the occurrence's moment, and keeps
the journey version it entered with.
"""

from __future__ import annotations

import os
import typing
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from sqlalchemy import Connection, Select, and_, exists, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from recmind.data.schema import enrolments, segment_members, suppressions
from recmind.data.tombstones import Erasures
from recmind.marketing.journeys.definition import JourneyDefinition

CANDIDATE_COLUMNS = ("user_id", "entry_key", "occurred_at", "item_id")
"""What a trigger's query selects first (further columns go into the context)."""
DAY = 86_400.0

Keep = Callable[[dict[str, Any]], dict[str, Any] | None]
"""Turns a candidate row into the one to enrol (or None): triggers that decide in memory."""


def _rules(
    query: Select[Any], journey_id: str, definition: JourneyDefinition, *, now: float
) -> Select[Any]:
    """``query`` (a trigger's candidates) with the entry rules applied in SQL."""
    candidates = query.subquery("candidates")
    user = candidates.c.user_id
    mine = and_(enrolments.c.journey_id == journey_id, enrolments.c.user_id == user)
    tests = [~exists().where(suppressions.c.user_id == user, suppressions.c.channel == "*")]
    entry = definition.entry
    if entry.mode == "once":
        tests.append(~exists().where(mine))
    elif entry.mode == "once_per":
        recent = now - (entry.days or 0.0) * DAY
        tests.append(
            ~exists().where(
                mine, or_(enrolments.c.entered_at > recent, enrolments.c.state == "active")
            )
        )
    if entry.segment:
        tests.append(
            exists().where(
                segment_members.c.segment_id == entry.segment,
                segment_members.c.user_id == user,
                segment_members.c.exited_at.is_(None),
            )
        )
    return select(candidates).where(*tests)


def _json(value: Any) -> Any:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _enrolment(
    row: Mapping[str, Any], *, journey_id: str, version: int, first: str, trigger: str, now: float
) -> dict[str, Any]:
    occurred = min(float(row["occurred_at"]), now)
    facts = {
        str(k): _json(v) for k, v in row.items() if k not in CANDIDATE_COLUMNS and v is not None
    }
    context = {"trigger": trigger, "trigger_item": row["item_id"], **facts}
    return {
        "enrolment_id": os.urandom(16).hex(),
        "journey_id": journey_id,
        "version": version,
        "user_id": str(row["user_id"]),
        "entry_key": str(row["entry_key"]),
        "state": "active",
        "step_id": first,
        "due_at": occurred,
        "waiting_since": occurred,
        "context": orjson.dumps(context, option=orjson.OPT_SORT_KEYS).decode(),
        "entered_at": occurred,
    }


def enrol(
    connection: Connection,
    journey_id: str,
    version: int,
    definition: JourneyDefinition,
    query: Select[Any],
    *,
    now: float,
    erasures: Erasures,
    keep: Keep | None = None,
) -> int:
    """Enrol the people ``query`` found whom the entry rules admit; the number of new
    enrolments (in the caller's transaction)."""
    rows = [
        dict(r._mapping) for r in connection.execute(_rules(query, journey_id, definition, now=now))
    ]
    if keep is not None:
        rows = [kept for row in rows if (kept := keep(row)) is not None]
    rows = [r for r in rows if erasures.erased_at(str(r["user_id"])) is None]
    if not rows:
        return 0
    if definition.entry.mode != "every_time":
        earliest: dict[str, dict[str, Any]] = {}
        for row in sorted(rows, key=lambda r: float(r["occurred_at"])):
            earliest.setdefault(str(row["user_id"]), row)
        rows = list(earliest.values())
    first = definition.steps[0].id
    trigger = definition.trigger.type
    values = [
        _enrolment(r, journey_id=journey_id, version=version, first=first, trigger=trigger, now=now)
        for r in rows
    ]
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(enrolments).on_conflict_do_nothing(
        index_elements=["journey_id", "user_id", "entry_key"]
    )
    inserted = connection.execute(statement.returning(enrolments.c.enrolment_id), values)
    return len(inserted.all())


def no_candidates() -> Select[Any]:
    """A query that finds nobody (a trigger with nothing to look at)."""
    query = select(
        literal("").label("user_id"),
        literal("").label("entry_key"),
        literal(0.0).label("occurred_at"),
        literal(None).label("item_id"),
    ).where(literal(False))
    return typing.cast("Select[Any]", query)
