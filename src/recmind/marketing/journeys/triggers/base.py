"""What every trigger scanner gets and returns, the stream cursors, and SQL helpers.

A scanner reads one journey's trigger and returns the candidates as one query (see
:mod:`recmind.marketing.journeys.entry`), optionally with a function that decides the rest
in memory. Stream triggers (events, segment entries and exits, catalogue changes) read the
window ``(cursor - overlap, now]`` every round: the overlap catches rows that arrive late
(events are dated by the shop's clock, not by their arrival), and the entry key of each
occurrence keeps anyone from entering twice for it. Triggers that look at everyone (date
attributes, inactivity, churn risk) run once per ``trigger_scan_seconds``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from recmind.config import Settings
from recmind.data.schema import marketing_cursors
from recmind.marketing.journeys.definition import JourneyDefinition
from recmind.marketing.journeys.entry import Keep

DAY = 86_400.0


@dataclass(frozen=True)
class ScanContext:
    """One journey's scan: its trigger, the window and the transaction it runs in."""

    connection: Connection
    dialect: str
    journey_id: str
    definition: JourneyDefinition
    settings: Settings
    now: float
    since: float
    """Lower bound (exclusive) of the window: the cursor less the overlap."""

    @property
    def trigger(self) -> Any:
        return self.definition.trigger


@dataclass(frozen=True)
class Scan:
    """A scanner's answer: the candidates' query and what to keep of each row."""

    query: Select[Any]
    keep: Keep | None = None


def lock_cursor(connection: Connection, name: str, *, start: float) -> tuple[float, bool] | None:
    """The cursor's position (created at ``start`` when new: ``(start, True)``), locked
    for the rest of the transaction; None on PostgreSQL when another worker holds it (it is
    scanning the same journey right now)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    created = connection.execute(
        dialect.insert(marketing_cursors)
        .values(name=name, position=start, updated_at=start)
        .on_conflict_do_nothing(index_elements=["name"])
    ).rowcount
    query = select(marketing_cursors.c.position).where(marketing_cursors.c.name == name)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    position = connection.execute(query).scalar()
    return None if position is None else (float(position), bool(created))


def move_cursor(connection: Connection, name: str, position: float, *, now: float) -> None:
    connection.execute(
        marketing_cursors.update()
        .where(marketing_cursors.c.name == name)
        .values(position=position, updated_at=now)
    )


def in_category(category: Any, wanted: str) -> ColumnElement[bool]:
    """Whether an item's category text names ``wanted``: one of its ``|``-separated members
    is ``wanted`` or below it in the hierarchy (``Tops`` matches ``Tops/Knits``)."""
    escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    member = ("|" + category + "|").like("%|" + escaped + "|%", escape="\\")
    below = ("|" + category).like("%|" + escaped + "/%", escape="\\")
    return or_(member, below)


def empty_row(**columns: Any) -> list[Any]:
    """Labelled literals (the fixed candidate columns a scanner does not compute)."""
    return [literal(value).label(name) for name, value in columns.items()]


def members(category: str | None) -> list[str]:
    """The categories a category text names (``Books|Gifts``: both)."""
    return [m.strip() for m in (category or "").split("|") if m.strip()]


def unique(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))
