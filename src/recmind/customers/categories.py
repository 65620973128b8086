"""Category shares: which categories a customer's events are about.

The store counts each customer's events per distinct ``items.category`` text (one join, one
group-by); the texts are then split on ``|`` here, where each member counts the event once
(an event on a ``Books|Gifts`` item counts for Books and for Gifts). A category's share is
the fraction of the customer's events about an item with a known category that are about it,
so shares of multi-category items can add up to more than 1. The same pass sums the
catalogue price of purchases recorded without a value (the spend fallback).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import orjson
from sqlalchemy import Connection, and_, case, func, select

from recmind.customers.sql import PURCHASE
from recmind.data.schema import events, items

TOP_SHARES = 5
"""``category_shares`` keeps each customer's five largest categories."""


@dataclass
class CategoryFeatures:
    """Per user: the top category, the top shares as JSON text, and the catalogue value of
    purchases stored without one."""

    top: dict[str, str] = field(default_factory=dict)
    shares: dict[str, str] = field(default_factory=dict)
    price_spend: dict[str, float] = field(default_factory=dict)


@lru_cache(maxsize=65_536)
def split_categories(text: str | None) -> tuple[str, ...]:
    """The distinct members of a ``|``-separated category text, trimmed, empty ones out."""
    if not text:
        return ()
    return tuple(dict.fromkeys(p.strip() for p in text.split("|") if p.strip()))


def top_shares(counts: dict[str, int], total: int) -> list[tuple[str, float]]:
    """The ``TOP_SHARES`` largest categories with their shares, largest first (ties by
    name)."""
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:TOP_SHARES]
    return [(name, round(n / total, 6)) for name, n in ranked]


def category_features(
    connection: Connection, user_ids: Sequence[str], as_of: float
) -> CategoryFeatures:
    """Category shares and the price fallback for ``user_ids``' events before ``as_of``."""
    fallback = case(
        (
            and_(events.c.event_type == PURCHASE, events.c.value.is_(None)),
            func.coalesce(items.c.price, 0.0),
        ),
        else_=0.0,
    )
    query = (
        select(events.c.user_id, items.c.category, func.count(), func.sum(fallback))
        .select_from(events.outerjoin(items, items.c.item_id == events.c.item_id))
        .where(
            events.c.user_id.in_(user_ids),
            events.c.timestamp < as_of,
            events.c.item_id.is_not(None),
        )
        .group_by(events.c.user_id, items.c.category)
    )
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)
    result = CategoryFeatures()
    for user, text, n, spend in connection.execute(query):
        if spend:
            result.price_spend[user] = result.price_spend.get(user, 0.0) + float(spend)
        members = split_categories(text)
        if not members:
            continue
        totals[user] += int(n)
        for member in members:
            counts[user][member] += int(n)
    for user, by_category in counts.items():
        shares = top_shares(by_category, totals[user])
        result.top[user] = shares[0][0]
        result.shares[user] = orjson.dumps(dict(shares)).decode()
    return result
