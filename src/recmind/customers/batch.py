"""The batch of customers being computed, as a temporary table the feature queries join.

Joining a small table (a few thousand ids, with statistics) instead of sending a list of ids
keeps the queries short and lets each store plan them well: one index range over the events
per customer (PostgreSQL misjudged long ``IN`` lists at 10M events and scanned the whole
table). It also carries each customer's time-zone name, so the local-time query needs no
join with ``users``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Column, Connection, FromClause, MetaData, String, Table

from recmind.customers.sql import analyze
from recmind.data.schema import events

_temp = MetaData()
batch_users = Table(
    "recmind_batch_users",
    _temp,
    Column("user_id", String(255), primary_key=True),
    Column("zone", String(64), nullable=False),
    prefixes=["TEMPORARY"],
    sqlite_with_rowid=False,
)
"""This session's current batch: user id and time-zone name ('' when none)."""


def create_batch_table(connection: Connection) -> None:
    batch_users.create(connection, checkfirst=True)


def drop_batch_table(connection: Connection) -> None:
    batch_users.drop(connection, checkfirst=True)


def fill_batch(connection: Connection, people: Sequence[Mapping[str, Any]]) -> None:
    """Make ``people`` (their ``user_id`` and ``timezone``) the current batch."""
    connection.execute(batch_users.delete())
    rows = [{"user_id": str(p["user_id"]), "zone": p["timezone"] or ""} for p in people]
    if rows:
        connection.execute(batch_users.insert(), rows)
    analyze(connection, batch_users)


def batch_events() -> FromClause:
    """``events`` of the batch's customers (joined with the batch table)."""
    return batch_users.join(events, events.c.user_id == batch_users.c.user_id)
