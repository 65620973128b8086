"""Recommendation sources of messages that the store answers on its own: what a person just
bought, what is bought together with an item, new arrivals in a person's categories, items
due for replenishment, what sells now, and which items exist and are in stock.

Every query takes a batch of people (``IN`` lists of at most :data:`CHUNK`), so a campaign
to 100,000 people makes a few hundred queries, not hundreds of thousands. Results that do
not depend on the person (co-purchases of an item, popular items, the new arrivals) are
cached for :data:`CACHE_SECONDS`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Iterator, Sequence

import numpy as np
from sqlalchemy import and_, func, or_, select

from recmind.config import Settings
from recmind.data.schema import catalog_changes, events, items
from recmind.data.store import Store
from recmind.rec.interactions import parse_categories
from recmind.rec.replenish import due_items
from recmind.serving.history import LiveEvents

CHUNK = 500
CACHE_SECONDS = 60.0
CACHED_ITEMS = 10_000
DAY = 86400.0
POPULAR_DAYS = 30.0
POPULAR_DEPTH = 200
ENGAGED = ("view", "click", "add_to_cart", "purchase", "rating")
CO_PURCHASE_BUYERS = 2000
"""Co-purchases of an item are counted among its latest this many buyers."""


def chunks(values: Sequence[str]) -> Iterator[list[str]]:
    unique = list(dict.fromkeys(values))
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


def _reusable(made: tuple[float, float] | None, now: float) -> bool:
    """Whether a cached answer made at ``made`` (monotonic, the asked moment) serves a
    question about ``now``: the same moment, or made recently about a close moment."""
    if made is None:
        return False
    if made[1] == now:
        return True
    return time.monotonic() - made[0] < CACHE_SECONDS and abs(now - made[1]) < CACHE_SECONDS


def latest_events_many(store: Store, user_ids: Sequence[str], limit: int) -> dict[str, LiveEvents]:
    """:func:`~recmind.serving.history.latest_events` of many people at once (one query per
    :data:`CHUNK`): the same events in the same order, so a history built from them has the
    key the request path computes."""
    ranked = select(
        events.c.user_id,
        events.c.item_id,
        events.c.event_type,
        events.c.timestamp,
        events.c.value,
        func.row_number()
        .over(
            partition_by=events.c.user_id,
            order_by=(
                events.c.timestamp.desc(),
                events.c.item_id.desc(),
                events.c.event_type.desc(),
            ),
        )
        .label("n"),
    ).where(events.c.item_id.is_not(None))
    rows: dict[str, list[tuple[float, str, str, object]]] = defaultdict(list)
    with store.engine.connect() as connection:
        for chunk in chunks(user_ids):
            inner = ranked.where(events.c.user_id.in_(chunk)).subquery()
            query = select(
                inner.c.user_id,
                inner.c.item_id,
                inner.c.event_type,
                inner.c.timestamp,
                inner.c.value,
            ).where(inner.c.n <= limit)
            for user_id, item_id, kind, at, value in connection.execute(query):
                rows[str(user_id)].append((float(at), str(item_id), str(kind), value))
    out: dict[str, LiveEvents] = {}
    for user_id in user_ids:
        found = sorted(rows.get(str(user_id), ()))
        if not found:
            out[str(user_id)] = LiveEvents.empty()
            continue
        times, item_ids, kinds, values = zip(*found, strict=True)
        out[str(user_id)] = LiveEvents(
            item_ids=item_ids,
            event_types=kinds,
            timestamps=np.asarray(times, dtype=np.float64),
            values=np.asarray([np.nan if v is None else float(v) for v in values]),
        )
    return out


class StoreSources:
    """Batch queries for message recommendations (thread-safe; caches per instance)."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._lock = threading.Lock()
        self._co: OrderedDict[str, tuple[float, list[str]]] = OrderedDict()
        self._popular: tuple[float, float, list[str]] | None = None
        self._arrivals: tuple[float, float, list[tuple[str, frozenset[str], float]]] | None = None

    # -- facts of items ------------------------------------------------------------------

    def available(self, item_ids: Sequence[str], *, in_stock_only: bool) -> set[str]:
        """The ids among ``item_ids`` that exist (and, with ``in_stock_only``, whose stock
        is unknown or positive)."""
        found: set[str] = set()
        with self.store.engine.connect() as connection:
            for chunk in chunks([str(i) for i in item_ids]):
                query = select(items.c.item_id).where(items.c.item_id.in_(chunk))
                if in_stock_only:
                    query = query.where(or_(items.c.stock.is_(None), items.c.stock > 0))
                found.update(str(r[0]) for r in connection.execute(query))
        return found

    # -- the people's own events ---------------------------------------------------------

    def bought_since(self, user_ids: Sequence[str], since: float) -> dict[str, set[str]]:
        """Per person, the items they purchased at or after ``since``."""
        out: dict[str, set[str]] = defaultdict(set)
        with self.store.engine.connect() as connection:
            for chunk in chunks(user_ids):
                rows = connection.execute(
                    select(events.c.user_id, events.c.item_id).where(
                        events.c.user_id.in_(chunk),
                        events.c.event_type == "purchase",
                        events.c.timestamp >= since,
                        events.c.item_id.is_not(None),
                    )
                )
                for user_id, item_id in rows:
                    out[str(user_id)].add(str(item_id))
        return out

    def last_items(
        self, user_ids: Sequence[str], *, purchases_only: bool, now: float
    ) -> dict[str, str]:
        """Per person, the item of their latest event (``purchases_only``: latest purchase)
        at or before ``now``."""
        kinds = ("purchase",) if purchases_only else ENGAGED
        latest: dict[str, tuple[float, str]] = {}
        with self.store.engine.connect() as connection:
            for chunk in chunks(user_ids):
                last = (
                    select(events.c.user_id, func.max(events.c.timestamp).label("at"))
                    .where(
                        events.c.user_id.in_(chunk),
                        events.c.event_type.in_(kinds),
                        events.c.item_id.is_not(None),
                        events.c.timestamp <= now,
                    )
                    .group_by(events.c.user_id)
                    .subquery()
                )
                rows = connection.execute(
                    select(events.c.user_id, events.c.item_id, events.c.timestamp)
                    .join(
                        last,
                        and_(events.c.user_id == last.c.user_id, events.c.timestamp == last.c.at),
                    )
                    .where(events.c.event_type.in_(kinds), events.c.item_id.is_not(None))
                )
                for user_id, item_id, at in rows:
                    key = (float(at), str(item_id))
                    if str(user_id) not in latest or key > latest[str(user_id)]:
                        latest[str(user_id)] = key
        return {user: item for user, (_, item) in latest.items()}

    def replenish_due(self, user_ids: Sequence[str], now: float) -> dict[str, list[str]]:
        """Per person, items they bought repeatedly whose typical interval has passed since
        the last order, best due first (:func:`recmind.rec.replenish.due_items`)."""
        purchases: list[tuple[str, str, float]] = []
        with self.store.engine.connect() as connection:
            for chunk in chunks(user_ids):
                rows = connection.execute(
                    select(events.c.user_id, events.c.item_id, events.c.timestamp).where(
                        events.c.user_id.in_(chunk),
                        events.c.event_type == "purchase",
                        events.c.item_id.is_not(None),
                        events.c.timestamp <= now,
                    )
                )
                purchases += [(str(u), str(i), float(at)) for u, i, at in rows]
        return due_items(purchases, now)

    def categories_of(self, user_ids: Sequence[str]) -> dict[str, dict[str, float]]:
        """Per person, how often they engaged with each category (their events' items)."""
        weights: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        with self.store.engine.connect() as connection:
            for chunk in chunks(user_ids):
                rows = connection.execute(
                    select(events.c.user_id, items.c.category, func.count())
                    .join(items, items.c.item_id == events.c.item_id)
                    .where(events.c.user_id.in_(chunk), events.c.event_type.in_(ENGAGED))
                    .group_by(events.c.user_id, items.c.category)
                )
                for user_id, category, count in rows:
                    for name in parse_categories(category):
                        weights[str(user_id)][name] += float(count)
        return weights

    # -- the same for everyone (cached) ------------------------------------------------------

    def co_purchased(self, item_id: str, now: float) -> list[str]:
        """Items bought by the people who bought ``item_id`` (its latest
        :data:`CO_PURCHASE_BUYERS` buyers), most buyers first."""
        with self._lock:
            cached = self._co.get(item_id)
            if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
                self._co.move_to_end(item_id)
                return cached[1]
        buyers = (
            select(events.c.user_id)
            .where(events.c.item_id == item_id, events.c.event_type == "purchase")
            .order_by(events.c.timestamp.desc())
            .limit(CO_PURCHASE_BUYERS)
            .scalar_subquery()
        )
        count = func.count(events.c.user_id.distinct())
        query = (
            select(events.c.item_id, count)
            .where(
                events.c.user_id.in_(buyers),
                events.c.event_type == "purchase",
                events.c.item_id.is_not(None),
                events.c.item_id != item_id,
                events.c.timestamp <= now,
            )
            .group_by(events.c.item_id)
            .order_by(count.desc(), events.c.item_id)
            .limit(POPULAR_DEPTH)
        )
        with self.store.engine.connect() as connection:
            found = [str(r[0]) for r in connection.execute(query)]
        with self._lock:
            self._co[item_id] = (time.monotonic(), found)
            while len(self._co) > CACHED_ITEMS:
                self._co.popitem(last=False)
        return found

    def popular(self, now: float) -> list[str]:
        """The most bought and carted items of the last :data:`POPULAR_DAYS` before ``now``
        (all time when that window is empty), most first."""
        with self._lock:
            if self._popular is not None and _reusable(self._popular[:2], now):
                return self._popular[2]
        count = func.count()
        found: list[str] = []
        for since in (now - POPULAR_DAYS * DAY, None):
            query = select(events.c.item_id, count).where(
                events.c.event_type.in_(("purchase", "add_to_cart")),
                events.c.item_id.is_not(None),
                events.c.timestamp <= now,
            )
            if since is not None:
                query = query.where(events.c.timestamp >= since)
            query = query.group_by(events.c.item_id).order_by(count.desc(), events.c.item_id)
            with self.store.engine.connect() as connection:
                found = [str(r[0]) for r in connection.execute(query.limit(POPULAR_DEPTH))]
            if found:
                break
        with self._lock:
            self._popular = (time.monotonic(), now, found)
        return found

    def arrivals(self, now: float) -> list[tuple[str, frozenset[str], float]]:
        """Items created in the ``new_arrival_days`` before ``now`` that still exist:
        ``(item_id, categories, created_at)``, newest first."""
        with self._lock:
            if self._arrivals is not None and _reusable(self._arrivals[:2], now):
                return self._arrivals[2]
        since = now - self.settings.marketing.new_arrival_days * DAY
        created = func.max(catalog_changes.c.changed_at).label("created_at")
        query = (
            select(items.c.item_id, items.c.category, created)
            .join(catalog_changes, catalog_changes.c.item_id == items.c.item_id)
            .where(
                catalog_changes.c.kind == "created",
                catalog_changes.c.changed_at >= since,
                catalog_changes.c.changed_at <= now,
            )
            .group_by(items.c.item_id, items.c.category)
        )
        with self.store.engine.connect() as connection:
            rows = connection.execute(query).all()
        found = sorted(
            ((str(i), parse_categories(c), float(at)) for i, c, at in rows),
            key=lambda r: (-r[2], r[0]),
        )
        with self._lock:
            self._arrivals = (time.monotonic(), now, found)
        return found

    def new_arrivals(self, user_ids: Sequence[str], now: float) -> dict[str, list[str]]:
        """Per person, new arrivals in the categories they engage with: the more of their
        engagement an item's categories hold, the earlier; newest first among equals."""
        arrivals = self.arrivals(now)
        if not arrivals:
            return {}
        weights = self.categories_of(user_ids)
        out: dict[str, list[str]] = {}
        for user_id in user_ids:
            mine = weights.get(user_id)
            if not mine:
                continue
            scored = [
                (-sum(mine.get(c, 0.0) for c in categories), n, item_id)
                for n, (item_id, categories, _) in enumerate(arrivals)
            ]
            out[user_id] = [item for score, _, item in sorted(scored) if score < 0]
        return out
