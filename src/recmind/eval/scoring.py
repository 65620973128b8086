"""Fit one model on a holdout's training data and rank every catalogue item for its users."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import scipy.sparse as sp

from recmind.eval import metrics
from recmind.eval.specs import ModelSpec
from recmind.eval.splits import Holdout
from recmind.rec.base import Filters, Recommender
from recmind.rec.interactions import ItemCatalog

NO_SEEN_FILTER = Filters(exclude_seen=False)
"""The harness excludes training items itself (``exclude=``), so the result does not
depend on what a model considers "seen"."""


@dataclass(frozen=True)
class Ranking:
    """Top-k item indices for a holdout's users, and how long fitting and scoring took."""

    recs: np.ndarray
    fit_seconds: float
    score_seconds: float

    @property
    def users_per_second(self) -> float:
        return len(self.recs) / max(self.score_seconds, 1e-9)


def fit_and_rank(
    spec: ModelSpec,
    params: dict[str, Any],
    holdout: Holdout,
    catalog: ItemCatalog,
    *,
    k: int,
    seed: int,
) -> Ranking:
    """Full ranking (no sampled negatives) of all items the user did not touch in training."""
    model = spec.factory(params, seed)
    start = time.perf_counter()
    model.fit(holdout.train, catalog)
    return rank_fitted(model, holdout, k=k, fit_seconds=time.perf_counter() - start, seed=seed)


def rank_fitted(
    model: Recommender, holdout: Holdout, *, k: int, fit_seconds: float, seed: int = 0
) -> Ranking:
    """The full ranking of a model already fitted on ``holdout.train``, through the path
    the server takes (:meth:`~recmind.rec.base.Recommender.recommend_histories_at`): each
    user's training history, oldest first, scored at the protocol's moment for them."""
    start = time.perf_counter()
    histories = cast(Sequence[Sequence[int]], holdout.histories(seed))  # int arrays index alike
    recs, _ = model.recommend_histories_at(
        histories,
        holdout.moments(),
        k,
        NO_SEEN_FILTER,
        last_seen=holdout.last_seen(),
        exclude=holdout.exclude(),
    )
    return Ranking(recs=recs, fit_seconds=fit_seconds, score_seconds=time.perf_counter() - start)


def ranking_metrics(
    ranking: Ranking,
    holdout: Holdout,
    item_categories: sp.csr_matrix,
    ks: Sequence[int],
) -> dict[str, float]:
    """Accuracy at every K, plus coverage, novelty and (when items have categories)
    diversity at every K."""
    recs = ranking.recs
    out = metrics.accuracy(recs, holdout.targets, ks)
    popularity = holdout.train.item_popularity()
    n_train_users = len(np.unique(holdout.train.user_index))
    for k in ks:
        out[f"coverage@{k}"] = metrics.coverage(recs, holdout.train.n_items, k)
        out[f"novelty@{k}"] = metrics.novelty(recs, popularity, n_train_users, k)
        div = metrics.diversity(recs, item_categories, k)
        if div is not None:
            out[f"diversity@{k}"] = div
    return out
