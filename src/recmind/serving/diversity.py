"""Diversity by maximal marginal relevance (Carbonell & Goldstein 1998) over categories.

``diversity`` in 0..1 is the weight on novelty: each next item maximises
``(1 - diversity) * relevance - diversity * max_similarity_to_items_already_chosen``, with
relevance min-max scaled over the candidates and similarity the Jaccard overlap of the two
items' category sets (items without categories are similar to nothing). 0 keeps the
model's order; 1 picks, after the best item, whatever overlaps least with the list so far.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def mmr_order(
    scores: np.ndarray, categories: Sequence[frozenset[str]], k: int, diversity: float
) -> list[int]:
    """Positions (into ``scores``, which is best first) of the ``k`` items MMR picks, in
    the order picked."""
    n = len(scores)
    if diversity <= 0 or n <= 1:
        return list(range(min(k, n)))
    finite = np.where(np.isfinite(scores), scores, np.nan)
    low, high = np.nanmin(finite), np.nanmax(finite)
    spread = high - low
    relevance = np.ones(n) if not np.isfinite(spread) or spread <= 0 else (finite - low) / spread
    relevance = np.nan_to_num(relevance, nan=0.0)
    chosen: list[int] = []
    closest = np.zeros(n)
    remaining = np.ones(n, dtype=bool)
    for _ in range(min(k, n)):
        value = (1.0 - diversity) * relevance - diversity * closest
        value[~remaining] = -np.inf
        pick = int(np.argmax(value))  # ties: the better-ranked item (earlier position)
        chosen.append(pick)
        remaining[pick] = False
        for j in np.flatnonzero(remaining):
            closest[j] = max(closest[j], jaccard(categories[pick], categories[int(j)]))
    return chosen
