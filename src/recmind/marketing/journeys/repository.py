"""Stored journeys: apply a definition (a new version only when it changed), read one (any
version), list them, pause, resume and archive, and count what happened in each.

A journey's id is the ``id`` of its file, so applying the same file again is a no-op and
applying an edited one is the next version; the status (active, paused, archived) is the
operator's and survives a new version. Enrolments keep the version they entered with, so an
edit never changes the path of someone already in the journey.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import orjson
from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from recmind.data.schema import enrolments, journey_versions, journeys
from recmind.data.store import Store
from recmind.marketing.journeys.definition import JourneyDefinition

Status = Literal["active", "paused", "archived"]
STATUSES: tuple[str, ...] = get_args(Status)
Outcome = Literal["created", "updated", "unchanged"]


class JourneyNotFoundError(KeyError):
    """No journey has this id (or it has no such version)."""

    def __init__(self, journey_id: str, version: int | None = None) -> None:
        super().__init__(journey_id)
        self.journey_id = journey_id
        self.version = version

    def __str__(self) -> str:
        if self.version is not None:
            return f"journey {self.journey_id!r} has no version {self.version}"
        return f"no journey {self.journey_id!r}"


@dataclass(frozen=True)
class Journey:
    """A stored journey at one version (the current one unless asked otherwise)."""

    journey_id: str
    name: str
    definition: JourneyDefinition
    version: int
    status: Status
    created_at: float
    updated_at: float
    latest_version: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "journey_id": self.journey_id,
            "name": self.name,
            "version": self.version,
            "latest_version": self.latest_version,
            "status": self.status,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "definition": dump(self.definition),
        }


@dataclass(frozen=True)
class JourneyStats:
    """What happened in a journey (all versions): people who entered, are in it now, went
    through to the end, or left early (by reason), and how many wait at each step now."""

    entered: int = 0
    active: int = 0
    completed: int = 0
    exited: int = 0
    exited_by_reason: dict[str, int] = field(default_factory=dict)
    at_step: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "entered": self.entered,
            "active": self.active,
            "completed": self.completed,
            "exited": self.exited,
            "exited_by_reason": dict(self.exited_by_reason),
            "at_step": dict(self.at_step),
        }


def dump(definition: JourneyDefinition) -> dict[str, Any]:
    """The definition's JSON form (every field, defaults included: a stored version says
    exactly what ran, whatever later defaults become)."""
    dumped: dict[str, Any] = definition.model_dump(mode="json")
    return dumped


def _text(definition: JourneyDefinition) -> str:
    return orjson.dumps(dump(definition), option=orjson.OPT_SORT_KEYS).decode()


def _parse(text: str) -> JourneyDefinition:
    return JourneyDefinition.model_validate_json(text)


def _journey(row: Any, definition_text: str | None = None, version: int | None = None) -> Journey:
    return Journey(
        journey_id=row.journey_id,
        name=row.name,
        definition=_parse(definition_text or row.definition),
        version=int(row.version if version is None else version),
        status=row.status,
        created_at=float(row.created_at),
        updated_at=float(row.updated_at),
        latest_version=int(row.version),
    )


def _row(connection: Connection, journey_id: str, *, lock: bool = False) -> Any:
    query = select(journeys).where(journeys.c.journey_id == journey_id)
    return connection.execute(query.with_for_update() if lock else query).first()


def apply_with_outcome(
    store: Store, definition: JourneyDefinition, *, now: float | None = None
) -> tuple[Journey, Outcome]:
    """Store ``definition``: version 1 (active) for a new id, the next version when it
    differs from the current one, nothing otherwise; with what happened."""
    moment = time.time() if now is None else now
    text = _text(definition)
    for attempt in range(2):
        try:
            with store.engine.begin() as connection:
                return _apply(connection, definition, text, moment)
        except IntegrityError:
            # another writer created the same journey (or version) at the same moment:
            # read again and decide again, once
            if attempt:
                raise
    raise AssertionError("unreachable")


def _apply(
    connection: Connection, definition: JourneyDefinition, text: str, moment: float
) -> tuple[Journey, Outcome]:
    journey_id = definition.id
    outcome: Outcome
    row = _row(connection, journey_id, lock=True)
    if row is None:
        version, outcome = 1, "created"
        connection.execute(
            insert(journeys).values(
                journey_id=journey_id,
                name=definition.name,
                definition=text,
                version=1,
                status="active",
                created_at=moment,
                updated_at=moment,
            )
        )
    elif _parse(row.definition) == definition:
        return _journey(row), "unchanged"
    else:
        version, outcome = int(row.version) + 1, "updated"
        connection.execute(
            update(journeys)
            .where(journeys.c.journey_id == journey_id)
            .values(name=definition.name, definition=text, version=version, updated_at=moment)
        )
    connection.execute(
        insert(journey_versions).values(
            journey_id=journey_id, version=version, definition=text, created_at=moment
        )
    )
    return _journey(_row(connection, journey_id)), outcome


def apply_journey(
    store: Store, definition: JourneyDefinition, *, now: float | None = None
) -> Journey:
    """Store ``definition`` (see :func:`apply_with_outcome`); the journey as it now is."""
    return apply_with_outcome(store, definition, now=now)[0]


def get_journey(store: Store, journey_id: str, version: int | None = None) -> Journey:
    """The journey at its current version (or at ``version``), or
    :class:`JourneyNotFoundError`."""
    with store.engine.connect() as connection:
        row = _row(connection, journey_id)
        if row is None:
            raise JourneyNotFoundError(journey_id)
        if version is None or version == int(row.version):
            return _journey(row)
        text = connection.execute(
            select(journey_versions.c.definition).where(
                journey_versions.c.journey_id == journey_id,
                journey_versions.c.version == version,
            )
        ).scalar()
    if text is None:
        raise JourneyNotFoundError(journey_id, version)
    return _journey(row, text, version)


def list_journeys(store: Store, status: Status | None = None) -> list[Journey]:
    """Every stored journey (or those with ``status``), by id, at its current version."""
    query = select(journeys).order_by(journeys.c.journey_id)
    if status is not None:
        query = query.where(journeys.c.status == status)
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    return [_journey(row) for row in rows]


def active_journeys(store: Store) -> list[Journey]:
    """The journeys people may enter now (status active), at their current versions."""
    return list_journeys(store, "active")


def versions(store: Store, journey_id: str) -> list[dict[str, Any]]:
    """The journey's versions, oldest first: ``{"version", "created_at", "definition"}``."""
    with store.engine.connect() as connection:
        if _row(connection, journey_id) is None:
            raise JourneyNotFoundError(journey_id)
        rows = connection.execute(
            select(journey_versions)
            .where(journey_versions.c.journey_id == journey_id)
            .order_by(journey_versions.c.version)
        ).all()
    return [
        {
            "version": int(r.version),
            "created_at": float(r.created_at),
            "definition": orjson.loads(r.definition),
        }
        for r in rows
    ]


def set_status(store: Store, journey_id: str, status: str, *, now: float | None = None) -> Journey:
    """Make the journey ``active``, ``paused`` (no one enters and no step is taken; people
    in it wait where they are) or ``archived`` (closed for good unless resumed)."""
    if status not in STATUSES:
        raise ValueError(f"a journey's status is one of {', '.join(STATUSES)} (got {status!r})")
    moment = time.time() if now is None else now
    with store.engine.begin() as connection:
        done = connection.execute(
            update(journeys)
            .where(journeys.c.journey_id == journey_id)
            .values(status=status, updated_at=moment)
        )
        if done.rowcount == 0:
            raise JourneyNotFoundError(journey_id)
        return _journey(_row(connection, journey_id))


def journey_stats(store: Store, journey_id: str) -> JourneyStats:
    """Counts of the journey's enrolments (every version): by state, by exit reason, and
    the active ones by the step they are at."""
    where = enrolments.c.journey_id == journey_id
    count = func.count()
    with store.engine.connect() as connection:
        by_state = connection.execute(
            select(enrolments.c.state, count).where(where).group_by(enrolments.c.state)
        ).all()
        reasons = connection.execute(
            select(enrolments.c.exit_reason, count)
            .where(where, enrolments.c.state == "exited")
            .group_by(enrolments.c.exit_reason)
        ).all()
        steps = connection.execute(
            select(enrolments.c.step_id, count)
            .where(where, enrolments.c.state == "active")
            .group_by(enrolments.c.step_id)
        ).all()
    states: Counter[str] = Counter({str(state): int(n) for state, n in by_state})
    by_reason: Counter[str] = Counter()
    for reason, n in reasons:
        # "error: <the exception>" differs per failure; counted together as "error"
        by_reason[str(reason or "unknown").split(":", 1)[0]] += int(n)
    return JourneyStats(
        entered=sum(states.values()),
        active=states["active"],
        completed=states["completed"],
        exited=states["exited"],
        exited_by_reason=dict(by_reason),
        at_step={str(step or "-"): int(n) for step, n in steps},
    )
