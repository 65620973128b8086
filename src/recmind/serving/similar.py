"""Similar items: what people engage with alongside an item, by the served model (its
score for a history of just this item); an item newer than the model, by its text."""

from __future__ import annotations

import numpy as np

from recmind.config import ServingSettings
from recmind.rec.base import Filters
from recmind.serving.fresh import fresh_slots
from recmind.serving.history import UserHistory
from recmind.serving.placement import fresh_by_vector, interleave
from recmind.serving.ranker import rank_filtered, rank_row, score_rows
from recmind.serving.results import RecommendationResult, RecommendedItem, UnknownItemError
from recmind.serving.state import ServingState


def similar(
    state: ServingState, item_id: str, k: int, settings: ServingSettings
) -> RecommendationResult:
    """The ``k`` items that go with ``item_id``; :class:`UnknownItemError` when it is
    neither a present model item nor a new catalogue item."""
    served, catalog = state.served, state.catalog
    index = served.item_index.get(item_id)
    fresh_position = catalog.fresh.position().get(item_id)
    if (index is None or not catalog.present[index]) and fresh_position is None:
        raise UnknownItemError(item_id)
    filters = Filters(exclude_items=(item_id,))
    allowed = catalog.allowed(filters, served)
    slots = fresh_slots(k, settings.fresh_share)
    out: list[RecommendedItem] = []
    if index is not None:
        items, scores = _similar_ranked(state, index, allowed, k, settings.cache_depth)
        out = [
            state.model_item(int(i), float(s), "model") for i, s in zip(items, scores, strict=True)
        ]
        if slots and len(catalog.fresh):
            space = state.resources.text_space()
            fresh = fresh_by_vector(
                state,
                space.item_vectors[index],
                slots,
                filters,
                np.asarray([index]),
                settings=settings,
            )
            out = interleave(out[: k - len(fresh)], fresh, k, slots)
        return RecommendationResult(out, served.name, served.version, personalized=False)
    # a new item: by text, among the model's items and the other new ones
    assert fresh_position is not None
    space = state.resources.text_space()
    vector = space.fresh_vectors(
        (catalog.fresh.ids[fresh_position],), (catalog.fresh.texts[fresh_position],)
    )[0]
    similarity = np.asarray(space.item_vectors @ vector, dtype=np.float64)
    items, scores = rank_filtered(similarity, allowed, None, k, served.model.tiebreak_)
    out = [state.model_item(int(i), float(s), "model") for i, s in zip(items, scores, strict=True)]
    fresh = fresh_by_vector(state, vector, slots, filters, np.zeros(0, np.int64), settings=settings)
    out = interleave(out[: k - len(fresh)], fresh, k, slots)
    return RecommendationResult(out, served.name, served.version, personalized=False)


def _similar_ranked(
    state: ServingState, index: int, allowed: np.ndarray, k: int, depth: int
) -> tuple[np.ndarray, np.ndarray]:
    """The best ``k`` allowed items for a history of item ``index`` (cached per item)."""
    served = state.served
    cached = state.resources.similar_get(index)
    if cached is None:
        one = UserHistory.of_items(np.asarray([index], dtype=np.int64))
        row = score_rows(served, [one], [-1])[0]
        ranked = rank_row(served, row, one.key, one.items, max(depth, k))
        cached = (ranked.items, ranked.scores)
        state.resources.similar_put(index, cached)
    items, scores = cached
    keep = allowed[items]
    return items[keep][:k], scores[keep][:k]
