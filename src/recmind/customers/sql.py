"""SQL expressions the feature queries share, written once for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Connection, Table, and_, case, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from recmind.data.bundle import EVENT_TYPES
from recmind.data.schema import events

PURCHASE, VIEW, CART = "purchase", "view", "add_to_cart"
DAY = 86_400.0
WINDOWS = (7, 30, 90)
"""Window lengths in days: ``*_7d`` counts events in ``[as_of - 7 days, as_of)``."""


class floor_int(FunctionElement[int]):  # noqa: N801 (a SQL function's name)
    """``floor(x)`` as an integer. PostgreSQL has ``floor``; SQLite has it only when built
    with its math functions, so there it is written with ``CAST`` (which truncates)."""

    type = BigInteger()
    inherit_cache = True


@compiles(floor_int)
def _floor_default(element: floor_int, compiler: Any, **kw: Any) -> str:
    return f"CAST(floor({compiler.process(element.clauses, **kw)}) AS BIGINT)"


@compiles(floor_int, "sqlite")
def _floor_sqlite(element: floor_int, compiler: Any, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    return f"(CAST({value} AS INTEGER) - (({value}) < CAST({value} AS INTEGER)))"


def between(start: float, end: float) -> ColumnElement[bool]:
    """The event lies in ``[start, end)``, written so that an index leading with
    ``(event_type, timestamp)`` serves it (every type is named: the import admits no other),
    as the segment counts' proposed ``ix_events_event_type_timestamp_user_id`` does."""
    return and_(
        events.c.event_type.in_(EVENT_TYPES), events.c.timestamp >= start, events.c.timestamp < end
    )


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of the group meet ``condition`` (0, never NULL)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def of_type(kind: str) -> ColumnElement[bool]:
    return events.c.event_type == kind


def since(as_of: float, days: int) -> ColumnElement[bool]:
    """The event lies in the ``days``-day window before ``as_of`` (the caller bounds it
    above by ``as_of``)."""
    return events.c.timestamp >= as_of - days * DAY


def analyze(connection: Connection, table: Table) -> None:
    """Gather the statistics of a temporary table just filled. Without them both stores
    misjudge its size: SQLite then scans every event and probes the batch table (instead of
    seeking each batch customer's events), PostgreSQL may drive a join from the table
    through the whole events table (seen: 94 s instead of 1 s a batch at 10M events);
    autovacuum never visits temporary tables."""
    connection.exec_driver_sql(f'ANALYZE "{table.name}"')


SESSION_SETTINGS = {"jit": "off", "enable_seqscan": "off", "work_mem": "'32MB'"}
"""PostgreSQL settings of a feature-reading session. Every batch query reads a few thousand
customers' events through the (user_id, timestamp) index, but the planner, misjudging how
many events a customer has (n_distinct of a skewed column is underestimated from a sample),
would rather scan all 10M events per batch (3 s each time); JIT compilation costs more than
it saves on queries run once (up to 0.8 s each); 4 MB of sort memory spills to disk."""


def tune_session(connection: Connection, *, reading: bool) -> None:
    """PostgreSQL: apply ``SESSION_SETTINGS`` while the batch queries run; ``reading=False``
    restores the server's settings before the connection returns to the pool."""
    if connection.dialect.name != "postgresql":
        return
    for name, value in SESSION_SETTINGS.items():
        connection.exec_driver_sql(f"SET {name} = {value}" if reading else f"RESET {name}")
