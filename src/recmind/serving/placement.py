"""Placing items created after the served model was trained: which new items earn one of
a list's fresh slots (by text similarity to the history or the item), and where in the
list they go. See :mod:`recmind.serving.fresh` for the text space and the slot counts."""

from __future__ import annotations

import numpy as np

from recmind.config import ServingSettings
from recmind.rec.base import Filters
from recmind.serving.fresh import fresh_positions, fresh_slots
from recmind.serving.history import UserHistory
from recmind.serving.results import RecommendedItem
from recmind.serving.state import ServingState


def fresh_candidates(
    state: ServingState,
    history: UserHistory,
    k: int,
    filters: Filters,
    settings: ServingSettings,
) -> list[tuple[int, float]]:
    """(position in ``catalog.fresh``, cosine) of the new items that earn one of the
    list's fresh slots: closest to the history's text vector first."""
    fresh = state.catalog.fresh
    slots = fresh_slots(k, settings.fresh_share)
    if not slots or not len(fresh):
        return []
    space = state.resources.text_space()
    all_vectors = space.fresh_vectors(fresh.ids, fresh.texts)
    position = fresh.position()
    seen = [position[i] for i in history.fresh if i in position]
    vector = space.history_vector(history.items, all_vectors[seen], settings.fresh_half_life_events)
    if vector is None:
        return []
    similarity = all_vectors @ vector
    allowed = state.catalog.fresh_allowed(filters)
    if filters.exclude_seen:
        allowed[seen] = False
    allowed &= similarity >= fresh_bar(state, vector, history.items, settings)
    order = [int(j) for j in np.argsort(-similarity, kind="stable") if allowed[j]]
    return [(j, float(similarity[j])) for j in order[:slots]]


def fresh_bar(
    state: ServingState, vector: np.ndarray, exclude: np.ndarray, settings: ServingSettings
) -> float:
    """The cosine a new item needs: at least ``fresh_min_similarity``, and at least the
    ``fresh_quantile`` quantile of the cosines of the catalogue's other items (present,
    not in ``exclude``) to the same vector. Relative, so it holds for any encoder."""
    space = state.resources.text_space()
    reference = state.catalog.present.copy()
    reference[exclude] = False
    if not reference.any():
        return settings.fresh_min_similarity
    cosines = space.item_vectors[reference] @ vector
    return max(settings.fresh_min_similarity, float(np.quantile(cosines, settings.fresh_quantile)))


def fresh_item(
    state: ServingState, history: UserHistory, j: int, similarity: float, explain: bool
) -> RecommendedItem:
    """New item ``j`` (a position in ``catalog.fresh``) as a list entry."""
    fresh = state.catalog.fresh
    reason = None
    if explain:
        closest = closest_history(state, history, j)
        reason = state.resources.explainer().fresh_reason(history, closest, state.catalog)
    return RecommendedItem(
        item_id=fresh.ids[j],
        score=similarity,
        title=fresh.titles[j],
        category=fresh.category_texts[j],
        source="fresh",
        reason=reason,
    )


def closest_history(state: ServingState, history: UserHistory, fresh: int) -> list[int]:
    """The (at most two) history items whose text is closest to a new item."""
    if not len(history.items):
        return []
    space = state.resources.text_space()
    catalog = state.catalog.fresh
    vector = space.fresh_vectors((catalog.ids[fresh],), (catalog.texts[fresh],))[0]
    similarity = space.item_vectors[history.items] @ vector
    order = np.argsort(-similarity, kind="stable")[:2]
    return [int(history.items[j]) for j in order if similarity[j] > 0]


def fresh_by_vector(
    state: ServingState,
    vector: np.ndarray,
    slots: int,
    filters: Filters,
    exclude: np.ndarray,
    *,
    settings: ServingSettings,
) -> list[RecommendedItem]:
    """At most ``slots`` new items close enough to ``vector`` (an item's text vector)."""
    fresh = state.catalog.fresh
    if not slots or not len(fresh):
        return []
    space = state.resources.text_space()
    similarity = space.fresh_vectors(fresh.ids, fresh.texts) @ vector
    allowed = state.catalog.fresh_allowed(filters)
    allowed &= similarity >= fresh_bar(state, vector, exclude, settings)
    order = [int(j) for j in np.argsort(-similarity, kind="stable") if allowed[j]][:slots]
    return [
        RecommendedItem(
            fresh.ids[j],
            float(similarity[j]),
            fresh.titles[j],
            fresh.category_texts[j],
            "fresh",
        )
        for j in order
    ]


def interleave(
    ranked: list[RecommendedItem], fresh: list[RecommendedItem], k: int, slots: int
) -> list[RecommendedItem]:
    """Model items in order with the fresh items at the first of the list's ``slots``
    evenly spread ranks (see :func:`recmind.serving.fresh.fresh_positions`)."""
    if not fresh:
        return ranked[:k]
    total = min(k, len(ranked) + len(fresh))
    positions = set(fresh_positions(k, max(slots, len(fresh)))[: len(fresh)])
    model_items, fresh_items = list(ranked), list(fresh)
    out: list[RecommendedItem] = []
    for position in range(total):
        first, second = (
            (fresh_items, model_items) if position in positions else (model_items, fresh_items)
        )
        out.append((first or second).pop(0))
    return out
