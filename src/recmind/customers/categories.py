"""Category shares: which categories a customer's events are about, counted in the store.

A catalogue category text may name several categories (``Books|Gifts``); each member counts
the event once. At the start of a build the catalogue is split here into a temporary table
of (item, member) pairs (members numbered in name order) plus one of per-item facts (has a
category, price; the main per-user query joins it). The store counts each customer's events
per member, ranks them with a window function and returns only each customer's top five. A
category's share is the fraction of the customer's events about an item with a category
that are about it, so the shares of multi-category items can add up to more than 1. Ties go
to the earlier name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Double,
    MetaData,
    Select,
    String,
    Table,
    and_,
    case,
    func,
    select,
)

from recmind.customers.batch import batch_events
from recmind.customers.sql import PURCHASE, analyze
from recmind.data.schema import events, items

TOP_SHARES = 5
"""``category_shares`` keeps each customer's five largest categories."""
_INSERT_ROWS = 20_000

_temp = MetaData()
item_members = Table(
    "recmind_item_members",
    _temp,
    Column("item_id", String(255), primary_key=True),
    Column("member", BigInteger, primary_key=True),
    prefixes=["TEMPORARY"],
    sqlite_with_rowid=False,
)
"""One row per (item, category member): this session's copy of the split catalogue."""
item_facts = Table(
    "recmind_item_facts",
    _temp,
    Column("item_id", String(255), primary_key=True),
    Column("categorised", Boolean, nullable=False),
    Column("price", Double),
    prefixes=["TEMPORARY"],
    sqlite_with_rowid=False,
)
"""Per item: whether it has a category, and its price (the spend of a valueless purchase)."""


@lru_cache(maxsize=65_536)
def split_categories(text: str | None) -> tuple[str, ...]:
    """The distinct members of a ``|``-separated category text, trimmed, empty ones out."""
    if not text:
        return ()
    return tuple(dict.fromkeys(p.strip() for p in text.split("|") if p.strip()))


def create_item_tables(connection: Connection) -> list[str]:
    """Create and fill this session's item tables; returns the member names (a member's
    number is its position)."""
    for table in (item_members, item_facts):
        table.create(connection, checkfirst=True)
        connection.execute(table.delete())
    catalogue = connection.execute(select(items.c.item_id, items.c.category, items.c.price)).all()
    split = {item: split_categories(text) for item, text, _ in catalogue}
    names = sorted({member for members in split.values() for member in members})
    number = {name: k for k, name in enumerate(names)}
    facts = [
        {"item_id": item, "categorised": bool(split[item]), "price": price}
        for item, _, price in catalogue
    ]
    pairs = [{"item_id": i, "member": number[m]} for i, members in split.items() for m in members]
    for table, rows in ((item_facts, facts), (item_members, pairs)):
        for start in range(0, len(rows), _INSERT_ROWS):
            connection.execute(table.insert(), rows[start : start + _INSERT_ROWS])
        analyze(connection, table)
    return names


def drop_item_tables(connection: Connection) -> None:
    for table in (item_members, item_facts):
        table.drop(connection, checkfirst=True)


@dataclass
class CategoryFeatures:
    """Per user: the top category and the top shares as JSON text."""

    top: dict[str, str] = field(default_factory=dict)
    shares: dict[str, str] = field(default_factory=dict)


def catalogue_columns() -> list[Any]:
    """Aggregates over events joined (outer) with ``item_facts``, for the main per-user
    query: events about an item with a category (the shares' denominator) and the
    catalogue price of purchases stored without a value (the spend fallback)."""
    valueless = and_(events.c.event_type == PURCHASE, events.c.value.is_(None))
    return [
        func.coalesce(func.sum(case((item_facts.c.categorised, 1), else_=0)), 0).label(
            "categorised_events"
        ),
        func.coalesce(
            func.sum(case((valueless, func.coalesce(item_facts.c.price, 0.0)), else_=0.0)), 0.0
        ).label("price_spend"),
    ]


def _top(as_of: float) -> Select[Any]:
    """Per user, the ``TOP_SHARES`` members with the most events (ties: earlier name)."""
    counts = (
        select(
            events.c.user_id.label("user_id"),
            item_members.c.member.label("member"),
            func.count().label("n"),
        )
        .select_from(batch_events().join(item_members, item_members.c.item_id == events.c.item_id))
        .where(events.c.timestamp < as_of)
        .group_by(events.c.user_id, item_members.c.member)
        .subquery("member_counts")
    )
    rank = func.row_number().over(
        partition_by=counts.c.user_id, order_by=(counts.c.n.desc(), counts.c.member)
    )
    ranked = select(counts, rank.label("rank")).subquery("ranked_members")
    return (
        select(ranked.c.user_id, ranked.c.member, ranked.c.n)
        .where(ranked.c.rank <= TOP_SHARES)
        .order_by(ranked.c.user_id, ranked.c.rank)
    )


def category_features(
    connection: Connection,
    as_of: float,
    names: Sequence[str],
    categorised: Mapping[str, int],
) -> CategoryFeatures:
    """Category shares of the batch's events before ``as_of`` (``names``: what
    :func:`create_item_tables` returned on this connection; ``categorised``: each user's
    events about an item with a category)."""
    result = CategoryFeatures()
    shares: dict[str, dict[str, float]] = {}
    for user, member, n in connection.execute(_top(as_of)):
        shares.setdefault(user, {})[names[member]] = round(int(n) / categorised[user], 6)
    for user, found in shares.items():
        result.top[user] = next(iter(found))
        result.shares[user] = orjson.dumps(found).decode()
    return result
