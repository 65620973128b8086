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
    the order picked. Vectorised over the candidates: O(k x candidates x categories)."""
    n = len(scores)
    if diversity <= 0 or n <= 1:
        return list(range(min(k, n)))
    finite = np.where(np.isfinite(scores), scores, np.nan)
    low, high = np.nanmin(finite), np.nanmax(finite)
    spread = high - low
    relevance = np.ones(n) if not np.isfinite(spread) or spread <= 0 else (finite - low) / spread
    relevance = np.nan_to_num(relevance, nan=0.0)
    names = sorted(set().union(*categories))
    column = {name: j for j, name in enumerate(names)}
    onehot = np.zeros((n, max(len(names), 1)), dtype=np.float32)
    for row, cats in enumerate(categories):
        onehot[row, [column[c] for c in cats]] = 1.0
    sizes = onehot.sum(axis=1)
    chosen: list[int] = []
    closest = np.zeros(n)
    remaining = np.ones(n, dtype=bool)
    for _ in range(min(k, n)):
        value = (1.0 - diversity) * relevance - diversity * closest
        value[~remaining] = -np.inf
        pick = int(np.argmax(value))  # ties: the better-ranked item (earlier position)
        chosen.append(pick)
        remaining[pick] = False
        shared = onehot @ onehot[pick]
        union = sizes + sizes[pick] - shared
        overlap = np.divide(shared, union, out=np.zeros(n), where=union > 0)
        np.maximum(closest, overlap, out=closest)
    return chosen
