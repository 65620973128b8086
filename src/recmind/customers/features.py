"""Customer features as of a moment: every column of ``customer_features`` for a batch of
users, computed in the store with SQL aggregates (only events with ``timestamp < as_of``).

Definitions (moments are epoch seconds, durations days):

- ``first_event_at`` / ``last_event_at``: the customer's first and latest event of any type;
  ``first_purchase_at`` / ``last_purchase_at``, ``last_view_at``, ``last_cart_at``: of
  purchases, views and add-to-carts.
- ``tenure_days``: days from the first event to ``as_of``; ``recency_days``: days from the
  latest purchase to ``as_of`` (None without a purchase).
- ``purchase_count``: purchase events; ``order_count``: distinct UTC days with a purchase (the
  "orders" that buy-till-you-die models count); ``monetary_total``: the purchases' values (a
  purchase stored without a value counts at its item's catalogue price, else 0);
  ``avg_order_value`` = monetary_total / order_count; ``interpurchase_days``: the mean gap
  between consecutive order days, (last order day - first order day) / (orders - 1), None
  with fewer than two orders.
- ``views_/carts_/purchases_/events_ 7d|30d|90d``: ``view``, ``add_to_cart``, ``purchase``
  and all events in ``[as_of - N days, as_of)``.
- ``top_category`` and ``category_shares``: :mod:`recmind.customers.categories`;
  ``preferred_hour`` / ``preferred_weekday``: :mod:`recmind.customers.activity`.
- ``consent_email``: the user's row.

Customers are the rows of ``users`` (every event writer creates the row of a user it first
sees) that existed at ``as_of``: with an event before it, or created before it, or with no
known creation time. Users without events get zero counts and no dates, so segments over
profiles see everyone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, case, func, select

from recmind.customers.activity import (
    create_zone_table,
    drop_zone_table,
    fill_zone_table,
    preferred_times,
)
from recmind.customers.batch import (
    batch_events,
    create_batch_table,
    drop_batch_table,
    fill_batch,
)
from recmind.customers.categories import (
    catalogue_columns,
    category_features,
    create_item_tables,
    drop_item_tables,
    item_facts,
)
from recmind.customers.sql import (
    CART,
    DAY,
    PURCHASE,
    VIEW,
    WINDOWS,
    count_if,
    floor_int,
    of_type,
    tune_session,
)
from recmind.data.schema import customer_features, events

FEATURE_COLUMNS = tuple(c.name for c in customer_features.columns)
"""Every column of ``customer_features``, in table order."""
PERSON_COLUMNS = ("user_id", "created_at", "timezone", "consent_email")
"""What a batch needs of each user's row."""
_KINDS = {"views": VIEW, "carts": CART, "purchases": PURCHASE}


def _aggregates(as_of: float) -> list[Any]:
    ts = events.c.timestamp
    purchase = of_type(PURCHASE)
    columns: list[Any] = [
        func.min(ts).label("first_event_at"),
        func.max(ts).label("last_event_at"),
        func.min(case((purchase, ts))).label("first_purchase_at"),
        func.max(case((purchase, ts))).label("last_purchase_at"),
        func.max(case((of_type(VIEW), ts))).label("last_view_at"),
        func.max(case((of_type(CART), ts))).label("last_cart_at"),
        count_if(purchase).label("purchase_count"),
        func.count(func.distinct(case((purchase, floor_int(ts / DAY))))).label("order_count"),
        func.coalesce(func.sum(case((purchase, events.c.value))), 0.0).label("value_total"),
    ]
    for days in WINDOWS:
        recent = ts >= as_of - days * DAY
        for name, kind in _KINDS.items():
            columns.append(count_if(recent & of_type(kind)).label(f"{name}_{days}d"))
        columns.append(count_if(recent).label(f"events_{days}d"))
    return columns


def event_aggregates(connection: Connection, as_of: float) -> dict[str, dict[str, Any]]:
    """``{user_id: aggregates}`` for the batch's users with events before ``as_of``."""
    joined = batch_events().outerjoin(item_facts, item_facts.c.item_id == events.c.item_id)
    query = (
        select(events.c.user_id, *_aggregates(as_of), *catalogue_columns())
        .select_from(joined)
        .where(events.c.timestamp < as_of)
        .group_by(events.c.user_id)
    )
    return {str(row["user_id"]): dict(row) for row in connection.execute(query).mappings()}


def _days(later: float, earlier: float | None) -> float | None:
    return None if earlier is None else (later - earlier) / DAY


def _row(
    person: Mapping[str, Any], stats: dict[str, Any] | None, as_of: float, extra: dict[str, Any]
) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(FEATURE_COLUMNS)
    consent = person["consent_email"]
    row.update(
        user_id=str(person["user_id"]),
        as_of=as_of,
        consent_email=None if consent is None else bool(consent),
    )
    for days in WINDOWS:
        for name in (*_KINDS, "events"):
            row[f"{name}_{days}d"] = 0
    row.update(purchase_count=0, order_count=0, monetary_total=0.0)
    if stats is None:
        return row
    for name, default in row.items():
        if name in stats and name != "user_id":
            value = stats[name]
            row[name] = int(value) if isinstance(default, int) else value
    orders = int(stats["order_count"])
    row["monetary_total"] = float(stats["value_total"]) + extra["price_spend"]
    row["tenure_days"] = _days(as_of, row["first_event_at"])
    row["recency_days"] = _days(as_of, row["last_purchase_at"])
    if orders:
        row["avg_order_value"] = row["monetary_total"] / orders
    if orders > 1:
        first_day = math.floor(row["first_purchase_at"] / DAY)
        last_day = math.floor(row["last_purchase_at"] / DAY)
        row["interpurchase_days"] = (last_day - first_day) / (orders - 1)
    row.update(top_category=extra["top"], category_shares=extra["shares"])
    row.update(preferred_hour=extra["hour"], preferred_weekday=extra["weekday"])
    return row


def prepare_session(connection: Connection) -> list[str]:
    """Create the temporary tables the feature queries join (time-zone offsets, the split
    catalogue) on ``connection``; returns the category names."""
    tune_session(connection, reading=True)
    create_batch_table(connection)
    create_zone_table(connection)
    return create_item_tables(connection)


def end_session(connection: Connection) -> None:
    drop_batch_table(connection)
    drop_zone_table(connection)
    drop_item_tables(connection)
    tune_session(connection, reading=False)


def existed(person: Mapping[str, Any], as_of: float) -> bool:
    """Whether a user without events before ``as_of`` counts as a customer then."""
    created = person["created_at"]
    return created is None or float(created) < as_of


def compute_features(
    connection: Connection,
    people: Sequence[Mapping[str, Any]],
    as_of: float,
    category_names: Sequence[str],
) -> list[dict[str, Any]]:
    """Feature rows (``FEATURE_COLUMNS`` but ``computed_at``) of ``people`` (their users
    rows' ``PERSON_COLUMNS``; a batch of a few thousand) who were customers at ``as_of``.
    ``connection`` holds the session tables of :func:`prepare_session`, which returned
    ``category_names``."""
    if not people:
        return []
    fill_batch(connection, people)
    stats = event_aggregates(connection, as_of)
    categorised = {user: int(found["categorised_events"]) for user, found in stats.items()}
    categories = category_features(connection, as_of, category_names, categorised)
    times: dict[str, tuple[int, int]] = {}
    if stats:
        zones = [p["timezone"] for p in people if str(p["user_id"]) in stats]
        start = min(float(s["first_event_at"]) for s in stats.values())
        fill_zone_table(connection, zones, start, as_of)
        times = preferred_times(connection, as_of)
    rows = []
    for person in people:
        user = str(person["user_id"])
        found = stats.get(user)
        if found is None and not existed(person, as_of):
            continue
        hour, weekday = times.get(user, (None, None))
        extra = {
            "price_spend": float(found["price_spend"]) if found else 0.0,
            "top": categories.top.get(user),
            "shares": categories.shares.get(user),
            "hour": hour,
            "weekday": weekday,
        }
        rows.append(_row(person, found, as_of, extra))
    return rows
