"""Request-time recommending: a person's (or an anonymous session's) history at this
moment, scored by the served model, with filters, diversity, reasons and new items.

A person's latest events are read from the store and merged with their training history;
the model scores that history (``score_histories``), so an event stored a moment ago
changes the next list and seen items are excluded at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from recmind.config import Settings
from recmind.data.store import Store
from recmind.rec.base import Filters
from recmind.serving.diversity import mmr_order
from recmind.serving.erasure import Erasure, after
from recmind.serving.fresh import fresh_slots
from recmind.serving.history import (
    LiveEvents,
    UserHistory,
    latest_events,
    merge_arrays,
    merge_history,
)
from recmind.serving.placement import fresh_candidates, fresh_item, interleave
from recmind.serving.ranker import pick, rank_filtered, rank_row, score_rows, supports_histories
from recmind.serving.results import RecommendationResult, RecommendedItem, Source
from recmind.serving.state import ServingState

POOL_FACTOR = 5
"""With diversity, MMR chooses k items among the best ``POOL_FACTOR * k``."""


class Recommending:
    """Answers list requests against one :class:`ServingState` at a time."""

    def __init__(self, settings: Settings, store: Store, erasure: Erasure) -> None:
        self.settings = settings
        self.store = store
        self.erasure = erasure

    def history(self, state: ServingState, user_id: str) -> UserHistory:
        """What the served model is told about ``user_id`` now."""
        index, erased = self.erasure.view(state.served, user_id)
        return self._history(state, user_id, index, erased)

    def _history(
        self, state: ServingState, user_id: str, index: int, erased: float | None
    ) -> UserHistory:
        """The person's training row ``index`` (-1: none) merged with their latest events
        (only those after their erasure, when ``erased``)."""
        live = latest_events(self.store, user_id, self.settings.serving.history_events)
        if erased is not None:
            live = after(live, erased)
        served = state.served
        return merge_history(*served.histories.user(index), live, served.item_index, index)

    def for_user(
        self,
        state: ServingState,
        user_id: str,
        k: int,
        filters: Filters,
        *,
        diversity: float,
        explain: bool,
    ) -> RecommendationResult:
        """The top ``k`` for a person, from their history at this moment."""
        index, erased = self.erasure.view(state.served, user_id)
        history = self._history(state, user_id, index, erased)
        return self._recommend(
            state,
            history,
            k,
            filters,
            diversity=diversity,
            explain=explain,
            cache_as=user_id,
            user_index=index,
        )

    def for_session(
        self,
        state: ServingState,
        item_ids: Sequence[str],
        k: int,
        filters: Filters,
        *,
        diversity: float,
        explain: bool,
    ) -> RecommendationResult:
        """The top ``k`` for an anonymous visitor whose ``item_ids`` are oldest first."""
        ids = [str(i) for i in item_ids]
        live = LiveEvents(
            item_ids=tuple(ids),
            event_types=tuple("view" for _ in ids),
            timestamps=np.arange(len(ids), dtype=np.float64),
            values=np.full(len(ids), np.nan),
        )
        empty = np.zeros(0, dtype=np.int64)
        items, fresh = merge_arrays(empty, empty.astype(np.float64), live, state.served.item_index)
        known_fresh = state.catalog.fresh.position()
        history = UserHistory(live, items=items, fresh=tuple(i for i in fresh if i in known_fresh))
        return self._recommend(
            state,
            history,
            k,
            filters,
            diversity=diversity,
            explain=explain,
            cache_as=None,
            user_index=-1,
        )

    def _recommend(
        self,
        state: ServingState,
        history: UserHistory,
        k: int,
        filters: Filters,
        *,
        diversity: float,
        explain: bool,
        cache_as: str | None,
        user_index: int,
    ) -> RecommendationResult:
        served, catalog = state.served, state.catalog
        serving = self.settings.serving
        personalized = not history.empty and (supports_histories(served.model) or user_index >= 0)
        allowed = catalog.allowed(filters, served)
        found = fresh_candidates(state, history, k, filters, serving) if personalized else []
        n_fresh = len(found)
        pool_size = k - n_fresh if diversity <= 0 else POOL_FACTOR * k
        items, scores = self._ranked(
            state,
            history,
            exclude_seen=filters.exclude_seen,
            allowed=allowed,
            count=pool_size,
            cache_as=cache_as,
            user_index=user_index,
        )
        if diversity > 0 and len(items):
            order = mmr_order(
                scores, [catalog.categories[i] for i in items], k - n_fresh, diversity
            )
            items, scores = items[order], scores[order]
        items, scores = items[: k - n_fresh], scores[: k - n_fresh]
        source: Source = "model" if personalized else "popular"
        out = [
            state.model_item(int(i), float(s), source) for i, s in zip(items, scores, strict=True)
        ]
        if explain and out:
            reasons = state.resources.explainer().reasons(history, [int(i) for i in items], catalog)
            out = [_with_reason(o, r) for o, r in zip(out, reasons, strict=True)]
        if found:
            fresh = [fresh_item(state, history, j, sim, explain) for j, sim in found]
            out = interleave(out, fresh, k, fresh_slots(k, serving.fresh_share))
        return RecommendationResult(
            items=out, model=served.name, version=served.version, personalized=personalized
        )

    def _ranked(
        self,
        state: ServingState,
        history: UserHistory,
        *,
        exclude_seen: bool,
        allowed: np.ndarray,
        count: int,
        cache_as: str | None,
        user_index: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The best ``count`` allowed model items for ``history`` (cached per person)."""
        served = state.served
        cache = state.resources.cache
        depth = self.settings.serving.cache_depth
        ranked = cache.get(cache_as, exclude_seen, history.key) if cache_as else None
        row: np.ndarray | None = None
        if ranked is None:
            row = score_rows(served, [history], [user_index])[0]
            exclude = history.items if exclude_seen else None
            ranked = rank_row(served, row, history.key, exclude, max(depth, count))
            if cache_as:
                cache.put(cache_as, exclude_seen, ranked)
        items, scores = pick(ranked, allowed, count)
        if len(items) >= count or ranked.complete:
            return items, scores
        if row is None:
            row = score_rows(served, [history], [user_index])[0]
        exclude = history.items if exclude_seen else None
        return rank_filtered(row, allowed, exclude, count, served.model.tiebreak_)


def _with_reason(item: RecommendedItem, reason: str) -> RecommendedItem:
    return RecommendedItem(item.item_id, item.score, item.title, item.category, item.source, reason)
