"""Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009).

A document's fused score is the sum, over the ranked lists it appears in, of
``weight / (k + rank)`` with ranks counted from 1. Only ranks matter, so BM25 scores and
cosine similarities, which live on unrelated scales, need no calibration; ``k`` (60 in the
paper) flattens the difference between the very top ranks.
"""

from __future__ import annotations

from collections.abc import Sequence

DEFAULT_K = 60.0


def reciprocal_rank_fusion(
    ranked_lists: Sequence[Sequence[str]],
    *,
    k: float = DEFAULT_K,
    weights: Sequence[float] | None = None,
) -> list[tuple[str, float]]:
    """``(id, fused score)`` best first.

    Args:
        ranked_lists: Each list's ids, best first (an id repeated in one list counts at its
            first rank).
        k: The rank constant, > 0.
        weights: One per list (default 1 each).

    Ties are broken by the best single rank, then by the id, so the order is deterministic.
    """
    if k <= 0:
        raise ValueError(f"k must be positive, got {k}")
    weights = [1.0] * len(ranked_lists) if weights is None else list(weights)
    if len(weights) != len(ranked_lists):
        raise ValueError("give one weight per ranked list")
    scores: dict[str, float] = {}
    best: dict[str, int] = {}
    for ids, weight in zip(ranked_lists, weights, strict=True):
        seen: set[str] = set()
        for rank, doc_id in enumerate(ids, start=1):
            if doc_id in seen:
                continue
            seen.add(doc_id)
            scores[doc_id] = scores.get(doc_id, 0.0) + weight / (k + rank)
            best[doc_id] = min(best.get(doc_id, rank), rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], best[pair[0]], pair[0]))
