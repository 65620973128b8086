"""The items inside marketing messages, from the model the REST service serves.

:func:`served_recommender` wraps a :class:`~recmind.serving.engine.ServingEngine` (the one
``recmind serve`` runs, or one a worker starts for itself) as the marketing engine's
:class:`~recmind.marketing.messages.Recommender`. Sources:

``personal``
    The person's list from the served model, exactly as ``GET /v1/users/{id}/
    recommendations`` computes it (:meth:`ServingEngine.recommend`: live history, seen items
    excluded, new items in their slots).
``trigger_item``
    The item that triggered the message first (when it exists, is in stock if asked, and
    was not just bought), then items similar to it.
``similar``
    Items similar to the trigger item, else to the person's latest item
    (:meth:`ServingEngine.similar`).
``complements``
    Items bought together with the trigger item, else with the person's latest purchase
    (co-purchases in the store), then similar items.
``new_arrivals`` / ``replenish``
    From the store alone (:class:`~recmind.serving.message_sources.StoreSources`).

Every list leaves out what the person bought in ``marketing.exclude_bought_days``
(replenishment aside) and, with ``in_stock_only``, items out of stock: the store is asked
last, so an item sold out a second ago is not recommended even if the served catalogue has
not heard of it yet.

No published model: ``personal`` falls back to what sells now (purchases and carts of the
last 30 days, :meth:`StoreSources.popular`), ``similar`` to co-purchases, and a warning is
logged once. A new shop's welcome and cart messages still go out; a model improves them
when it is published (the engine loads it without a restart).

The batch path (:meth:`ServedRecommender.recommend_many`) scores a campaign's people 64 at a
time: their live histories are read with one query per 500 people and scored in one call of
the model, and the ranked lists go into the engine's own list cache, keyed by history as a
request computes it; each person's list is then the engine's own request, a cache hit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import func, select

from recmind.config import Settings
from recmind.data.schema import catalog_changes
from recmind.data.store import Store
from recmind.marketing.messages import RecommendationSource
from recmind.rec.base import Filters
from recmind.serving.engine import ServingEngine
from recmind.serving.erasure import after
from recmind.serving.history import merge_history
from recmind.serving.message_sources import DAY, StoreSources, latest_events_many
from recmind.serving.ranker import rank_row, score_rows
from recmind.serving.results import NotReadyError, UnknownItemError
from recmind.serving.state import ServingState

logger = logging.getLogger(__name__)

SCORE_BATCH = 64
"""People scored per model call (as the cache warm-up does)."""
PRERANK_MIN = 8
"""Fewer people than this are ranked one by one (the engine's request path)."""
OVERFETCH = 8
"""Extra candidates asked for, so the last check against the store still leaves enough."""
SYNC_SECONDS = 1.0


class ServedRecommender:
    """A :class:`~recmind.marketing.messages.Recommender` over a serving engine."""

    def __init__(self, engine: ServingEngine, *, owns_engine: bool = False) -> None:
        self.engine = engine
        self.store: Store = engine.store
        self.settings: Settings = engine.settings
        self.sources = StoreSources(self.store, self.settings)
        self._owns_engine = owns_engine
        self._lock = threading.Lock()
        self._synced_wall = 0.0
        self._synced_at = time.time() - 600.0
        self._warned = False

    # -- the Recommender protocol ---------------------------------------------------------

    def __call__(
        self,
        user_id: str,
        *,
        source: RecommendationSource,
        count: int,
        trigger_item: str | None,
        in_stock_only: bool,
        now: float,
    ) -> list[str]:
        found = self.recommend_many(
            [user_id],
            source=source,
            count=count,
            trigger_items={user_id: trigger_item},
            in_stock_only=in_stock_only,
            now=now,
        )
        return found.get(user_id, [])

    def recommend_many(
        self,
        user_ids: Sequence[str],
        *,
        source: RecommendationSource,
        count: int,
        in_stock_only: bool,
        now: float,
        trigger_items: Mapping[str, str | None] | None = None,
    ) -> dict[str, list[str]]:
        """Per person, up to ``count`` item ids, best first (see the module's docstring)."""
        people = [str(u) for u in dict.fromkeys(user_ids)]
        if count <= 0 or not people:
            return {u: [] for u in people}
        triggers = {u: (trigger_items or {}).get(u) for u in people}
        self._sync_catalog()
        bought: Mapping[str, set[str]] = {}
        if source != "replenish" and self.settings.marketing.exclude_bought_days > 0:
            since = now - self.settings.marketing.exclude_bought_days * DAY
            bought = self.sources.bought_since(people, since)
        wanted = count + OVERFETCH
        if source == "personal":
            candidates = self._personal(people, wanted, bought, in_stock_only, now)
        elif source == "new_arrivals":
            candidates = self.sources.new_arrivals(people, now)
        elif source == "replenish":
            candidates = self.sources.replenish_due(people, now)
        else:
            candidates = self._anchored(people, source, triggers, wanted, now)
        return self._final(people, candidates, bought, count, in_stock_only)

    # -- sources -------------------------------------------------------------------------

    def _personal(
        self,
        people: list[str],
        count: int,
        bought: Mapping[str, set[str]],
        in_stock_only: bool,
        now: float,
    ) -> dict[str, list[str]]:
        state = self.engine.state
        if state is None:
            return self._popular(people, now)
        if len(people) >= PRERANK_MIN:
            self._prerank(state, people)
        out: dict[str, list[str]] = {}
        for user_id in people:
            filters = Filters(
                in_stock=in_stock_only, exclude_items=tuple(sorted(bought.get(user_id, ())))
            )
            try:
                result = self.engine.recommend(user_id, count, filters)
            except NotReadyError:
                return self._popular(people, now)
            out[user_id] = [item.item_id for item in result.items]
        return out

    def _anchored(
        self,
        people: list[str],
        source: RecommendationSource,
        triggers: Mapping[str, str | None],
        count: int,
        now: float,
    ) -> dict[str, list[str]]:
        """trigger_item, similar and complements: lists around one item per person."""
        missing = [u for u in people if not triggers.get(u)]
        anchors = dict(triggers)
        if missing:
            latest = self.sources.last_items(
                missing, purchases_only=source == "complements", now=now
            )
            anchors.update({u: latest.get(u) for u in missing})
        out: dict[str, list[str]] = {}
        for user_id in people:
            anchor = anchors.get(user_id)
            if not anchor:
                out[user_id] = []
                continue
            head = [anchor] if source == "trigger_item" and triggers.get(user_id) else []
            if source == "complements":
                head += self.sources.co_purchased(anchor, now)
            out[user_id] = head + self._similar(anchor, count, now)
        if any(not out[u] for u in people) and source != "trigger_item":
            # nothing to anchor on (a person without events): their personal list
            empty = [u for u in people if not out[u]]
            out.update(self._personal(empty, count, {}, False, now))
        return out

    def _similar(self, item_id: str, count: int, now: float) -> list[str]:
        state = self.engine.state
        if state is not None:
            try:
                result = self.engine.similar(item_id, count + OVERFETCH)
            except (UnknownItemError, NotReadyError):
                pass
            else:
                return [item.item_id for item in result.items]
        self._warn_no_model()
        return [i for i in self.sources.co_purchased(item_id, now) if i != item_id]

    def _popular(self, people: list[str], now: float) -> dict[str, list[str]]:
        self._warn_no_model()
        popular = self.sources.popular(now)
        return {u: list(popular) for u in people}

    def _warn_no_model(self) -> None:
        if not self._warned and self.engine.state is None:
            self._warned = True
            logger.warning(
                "no model is served: message recommendations fall back to what sells now "
                "(publish one with `recmind train`)"
            )

    # -- the batch path ------------------------------------------------------------------

    def _prerank(self, state: ServingState, people: list[str]) -> None:
        """Rank the people whose cached list is missing or stale, ``SCORE_BATCH`` to a
        model call, into the engine's list cache (as a request would key them)."""
        served, cache = state.served, state.resources.cache
        serving = self.settings.serving
        live = latest_events_many(self.store, people, serving.history_events)
        todo = []
        for user_id in people:
            index, erased = self.engine.erasure.view(served, user_id)
            events = live[user_id]
            if erased is not None:
                events = after(events, erased)
            history = merge_history(*served.histories.user(index), events, served.item_index, index)
            if cache.get(user_id, True, history.key) is None:
                todo.append((user_id, index, history))
        for start in range(0, len(todo), SCORE_BATCH):
            batch = todo[start : start + SCORE_BATCH]
            rows = score_rows(served, [h for _, _, h in batch], [i for _, i, _ in batch])
            for (user_id, _, history), row in zip(batch, rows, strict=True):
                ranked = rank_row(served, row, history.key, history.items, serving.cache_depth)
                cache.put(user_id, True, ranked)

    # -- the last word: the store -------------------------------------------------------

    def _final(
        self,
        people: list[str],
        candidates: Mapping[str, Iterable[str]],
        bought: Mapping[str, set[str]],
        count: int,
        in_stock_only: bool,
    ) -> dict[str, list[str]]:
        lists = {u: list(dict.fromkeys(candidates.get(u, ()))) for u in people}
        everything = {i for found in lists.values() for i in found}
        available = self.sources.available(sorted(everything), in_stock_only=in_stock_only)
        out: dict[str, list[str]] = {}
        for user_id in people:
            excluded = bought.get(user_id, set())
            keep = [i for i in lists[user_id] if i in available and i not in excluded]
            out[user_id] = keep[:count]
        return out

    def _sync_catalog(self) -> None:
        """Tell the engine about items changed since the last call (by any process: the
        API, an import), so the served catalogue's stock and titles are current."""
        if self.engine.state is None:
            return
        with self._lock:
            wall = time.monotonic()
            if wall - self._synced_wall < SYNC_SECONDS:
                return
            self._synced_wall = wall
            since = self._synced_at
        query = (
            select(catalog_changes.c.item_id, func.max(catalog_changes.c.changed_at))
            .where(catalog_changes.c.changed_at > since)
            .group_by(catalog_changes.c.item_id)
        )
        with self.store.engine.connect() as connection:
            rows = connection.execute(query).all()
        if rows:
            self.engine.items_changed([str(r[0]) for r in rows])
            with self._lock:
                self._synced_at = max(self._synced_at, *(float(r[1]) for r in rows))

    def close(self) -> None:
        """Stop the engine if this recommender started it."""
        if self._owns_engine:
            self.engine.stop()


def served_recommender(engine: ServingEngine) -> ServedRecommender:
    """The message recommender over ``engine`` (started or not: until a model is served,
    lists come from the store's popular items)."""
    return ServedRecommender(engine)


def open_recommender(settings: Settings, store: Store) -> ServedRecommender:
    """A recommender over a serving engine of its own, started now (it loads the published
    model, if any, and follows new versions); :meth:`ServedRecommender.close` stops it."""
    engine = ServingEngine(settings, store)
    engine.start()
    return ServedRecommender(engine, owns_engine=True)
