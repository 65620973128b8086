"""Scoring and ranking one history with the served model: the per-request work."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import cast

import numpy as np

from recmind.rec.base import Recommender
from recmind.rec.topk import top_k
from recmind.serving.cache import RankedList
from recmind.serving.history import UserHistory
from recmind.serving.snapshot import ServedModel


def supports_histories(model: Recommender) -> bool:
    """Whether the model scores ad-hoc histories (every registered model should)."""
    return type(model).score_histories is not Recommender.score_histories


def score_rows(
    served: ServedModel, histories: Sequence[UserHistory], user_index: Sequence[int]
) -> np.ndarray:
    """Scores ``(len(histories), n_items)``: from each live history at this moment when
    the model can (:meth:`Recommender.score_histories_at`, the path the evaluation harness
    ranks through), else from the fitted user row (``user_index``, -1 gives popularity),
    so only exclusion of new events is live for such a model."""
    model = served.model
    if supports_histories(model):
        now = time.time()
        items = cast(Sequence[Sequence[int]], [h.items for h in histories])
        seen = [h.last_seen for h in histories]
        last_seen = np.asarray([now if t is None else min(t, now) for t in seen])
        return np.asarray(model.score_histories_at(items, now, last_seen=last_seen), np.float64)
    return np.asarray(model.score_users(np.asarray(user_index, dtype=np.int64)), dtype=np.float64)


def rank_row(
    served: ServedModel, scores: np.ndarray, key: bytes, exclude: np.ndarray | None, depth: int
) -> RankedList:
    """The top ``depth`` of one score row (``exclude``: model indices never returned)."""
    row = np.array(scores, dtype=np.float64, copy=True)
    if exclude is not None and exclude.size:
        row[exclude] = -np.inf
    idx, values = top_k(row[np.newaxis, :], depth, served.model.tiebreak_)
    valid = idx[0] >= 0
    return RankedList(
        key=key,
        items=idx[0][valid],
        scores=values[0][valid],
        complete=bool((~valid).any()) or depth >= served.n_items,
    )


def pick(ranked: RankedList, allowed: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``count`` allowed entries of a ranked list."""
    keep = allowed[ranked.items]
    items = ranked.items[keep][:count]
    return items, ranked.scores[keep][: len(items)]


def rank_filtered(
    scores: np.ndarray,
    allowed: np.ndarray,
    exclude: np.ndarray | None,
    count: int,
    keys: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Top ``count`` over a whole row under a filter (when a cached prefix ran short)."""
    row = np.array(scores, dtype=np.float64, copy=True)
    row[~allowed] = -np.inf
    if exclude is not None and exclude.size:
        row[exclude] = -np.inf
    idx, values = top_k(row[np.newaxis, :], count, keys)
    valid = idx[0] >= 0
    return idx[0][valid], values[0][valid]
