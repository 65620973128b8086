"""Each customer's purchase days, read from the store with one SQL aggregate.

Buy-till-you-die models count *orders*: days with at least one purchase. Days here are the
24-hour periods that end at the moment of interest (``as_of``), so that a cut some whole
number of days earlier falls on a day boundary and nothing after a cut can leak into a
day before it; when ``as_of`` is midnight UTC they are the calendar days (UTC). A
purchase's value is its ``value``, else its item's catalogue price, else 0 (as the
customer features count it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select

from recmind.customers.sql import DAY, PURCHASE, floor_int
from recmind.data.schema import events, items
from recmind.data.store import Store

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class PurchaseDays:
    """One row per (customer, order day), sorted by customer then day.

    ``day`` is the day's offset from the reference moment: ``-1`` is the day that ends at
    it, ``0`` the day that starts there. ``customer`` indexes ``user_ids`` (sorted).
    """

    user_ids: npt.NDArray[np.str_]
    customer: IntArray
    day: IntArray
    value: FloatArray

    @property
    def customers(self) -> int:
        return len(self.user_ids)

    def before(self, day: int) -> PurchaseDays:
        """The rows of days before ``day`` (same customers; some may have no row left)."""
        keep = self.day < day
        return PurchaseDays(self.user_ids, self.customer[keep], self.day[keep], self.value[keep])


def read_purchase_days(
    store: Store, reference: float, *, start: float | None = None, end: float | None = None
) -> PurchaseDays:
    """Purchases with ``start <= timestamp < end`` (either bound optional) as order days
    counted from ``reference`` (epoch seconds), aggregated in the store."""
    day_of = floor_int((events.c.timestamp - reference) / DAY).label("day")
    # the price is looked up only for purchases without a value (COALESCE stops at the
    # first non-NULL argument on both databases): no join over every event
    price = select(items.c.price).where(items.c.item_id == events.c.item_id).scalar_subquery()
    value_of = func.coalesce(events.c.value, price, 0.0)
    query = (
        select(events.c.user_id, day_of, func.sum(value_of).label("value"))
        .where(events.c.event_type == PURCHASE)
        .group_by(events.c.user_id, day_of)
        .order_by(events.c.user_id, day_of)
    )
    if start is not None:
        query = query.where(events.c.timestamp >= start)
    if end is not None:
        query = query.where(events.c.timestamp < end)
    index: dict[str, int] = {}
    customers: list[IntArray] = []
    days: list[IntArray] = []
    values: list[FloatArray] = []
    with store.engine.connect() as connection:
        result = connection.execution_options(yield_per=CHUNK_ROWS).execute(query)
        for chunk in result.partitions():
            customers.append(
                np.array([index.setdefault(row[0], len(index)) for row in chunk], np.int64)
            )
            days.append(np.array([row[1] for row in chunk], dtype=np.int64))
            values.append(np.array([float(row[2] or 0.0) for row in chunk], dtype=np.float64))
    names = np.array(list(index), dtype=np.str_)
    order = np.argsort(names, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    customer = rank[np.concatenate(customers)] if customers else np.zeros(0, np.int64)
    day = np.concatenate(days) if days else np.zeros(0, np.int64)
    value = np.concatenate(values) if values else np.zeros(0, np.float64)
    rows = np.lexsort((day, customer))
    return PurchaseDays(names[order], customer[rows], day[rows], value[rows])


def window_totals(
    days: PurchaseDays, user_ids: npt.NDArray[np.str_], start: int, end: int
) -> tuple[FloatArray, FloatArray]:
    """Orders (distinct days) and spend of each of ``user_ids`` (sorted) in the days
    ``[start, end)`` of ``days`` (0 for customers without an order there)."""
    orders = np.zeros(len(user_ids), dtype=np.float64)
    spend = np.zeros(len(user_ids), dtype=np.float64)
    if len(user_ids) == 0 or days.customers == 0:
        return orders, spend
    position = np.searchsorted(user_ids, days.user_ids)
    found = user_ids[np.minimum(position, len(user_ids) - 1)] == days.user_ids
    rows = (days.day >= start) & (days.day < end) & found[days.customer]
    target = position[days.customer[rows]]
    np.add.at(orders, target, 1.0)
    np.add.at(spend, target, days.value[rows])
    return orders, spend
