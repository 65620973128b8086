"""Preferred hour and weekday of activity, in each customer's own time zone, in SQL.

Event moments become local time through a temporary table of UTC-offset intervals per zone
name (:mod:`recmind.customers.zones`, daylight saving included) joined on each batch
customer's ``users.timezone`` (:mod:`recmind.customers.batch`); the store then counts each
customer's events per local hour of the week and returns, per customer, the hour of the day
and the weekday with the most events (ties: the earliest hour, the earliest weekday;
weekday 0 is Monday).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Double,
    Index,
    MetaData,
    String,
    Subquery,
    Table,
    and_,
    func,
    literal,
    select,
    union_all,
)

from recmind.customers.batch import batch_events, batch_users
from recmind.customers.sql import analyze, floor_int
from recmind.customers.zones import offset_intervals
from recmind.data.schema import events

_temp = MetaData()
zone_offsets = Table(
    "recmind_zone_offsets",
    _temp,
    Column("zone", String(64), nullable=False),
    Column("start_at", Double, nullable=False),
    Column("end_at", Double, nullable=False),
    Column("offset_s", Double, nullable=False),
    Index("recmind_zone_offsets_zone_start", "zone", "start_at"),
    prefixes=["TEMPORARY"],
)
"""Per zone name ('' for none), the intervals of its UTC offset (one session's table)."""

HOURS_PER_WEEK = 168
THURSDAY = 3
"""1970-01-01 (local day 0) was a Thursday: local hour h is weekday (h // 24 + 3) % 7."""


def create_zone_table(connection: Connection) -> None:
    zone_offsets.create(connection, checkfirst=True)


def drop_zone_table(connection: Connection) -> None:
    zone_offsets.drop(connection, checkfirst=True)


def fill_zone_table(
    connection: Connection, zone_names: Sequence[str | None], start: float, end: float
) -> None:
    """Replace the table's rows with the intervals of ``zone_names`` resolved over
    ``[start, end)``."""
    connection.execute(zone_offsets.delete())
    rows = [
        {"zone": name or "", "start_at": begin, "end_at": finish, "offset_s": offset}
        for name in sorted({n or "" for n in zone_names})
        for begin, finish, offset in offset_intervals(name or None, start, end)
    ]
    if rows:
        connection.execute(zone_offsets.insert(), rows)
    analyze(connection, zone_offsets)


def _best(
    user: ColumnElement[str], key: ColumnElement[int], count: ColumnElement[int], name: str
) -> Subquery:
    """Per user, the ``key`` with the largest summed ``count`` (the smallest key on ties)."""
    totals = (
        select(user.label("user_id"), key.label("k"), func.sum(count).label("n"))
        .group_by(user, key)
        .subquery(f"{name}_totals")
    )
    rank = func.row_number().over(
        partition_by=totals.c.user_id, order_by=(totals.c.n.desc(), totals.c.k)
    )
    ranked = select(totals.c.user_id, totals.c.k, rank.label("rank")).subquery(f"{name}_ranked")
    return select(ranked.c.user_id, ranked.c.k).where(ranked.c.rank == 1).subquery(f"{name}_best")


def preferred_times(connection: Connection, as_of: float) -> dict[str, tuple[int, int]]:
    """``{user_id: (preferred_hour, preferred_weekday)}`` for the batch's users with events
    before ``as_of`` (the zone table must hold their zones)."""
    local = events.c.timestamp + zone_offsets.c.offset_s
    hour_of_week = (floor_int(local / 3600.0) + THURSDAY * 24) % HOURS_PER_WEEK
    joined = batch_events().join(
        zone_offsets,
        and_(
            zone_offsets.c.zone == batch_users.c.zone,
            zone_offsets.c.start_at <= events.c.timestamp,
            zone_offsets.c.end_at > events.c.timestamp,
        ),
    )
    histogram = (
        select(
            events.c.user_id.label("user_id"),
            hour_of_week.label("how"),
            func.count().label("n"),
        )
        .select_from(joined)
        .where(events.c.timestamp < as_of)
        .group_by(events.c.user_id, hour_of_week)
        .cte("histogram")
        .prefix_with("MATERIALIZED")
    )

    hours = _best(histogram.c.user_id, histogram.c.how % 24, histogram.c.n, "hour")
    days = _best(histogram.c.user_id, histogram.c.how // 24, histogram.c.n, "day")
    query = union_all(
        select(hours.c.user_id, literal(0).label("part"), hours.c.k),
        select(days.c.user_id, literal(1).label("part"), days.c.k),
    )
    found: dict[str, list[int]] = {}
    for user, part, value in connection.execute(query):
        found.setdefault(str(user), [0, 0])[int(part)] = int(value)
    return {user: (hour, day) for user, (hour, day) in found.items()}
