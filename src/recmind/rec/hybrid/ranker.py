"""The learned ranker: LightGBM LambdaRank over (user, candidate) features, one query per
user, label 1 for the items the user actually engaged with.

The labelled users are split into folds; one booster is trained per fold on the other
folds' users, and the boosters' scores are averaged. The boosters grow in lockstep and
stop together: the number of trees is where the NDCG@10 of every booster on its own
held-out fold, pooled over all folds (weighted by their queries), is best. Every label
is used for training by all boosters but one, and the number of trees is never chosen on
the users a booster learned from.

Why pooled: a fold of a small data set holds only a few hundred users, whose NDCG curve
is noisy enough to stop a booster after a handful of trees (on the Instacart sample, 593
users: 4, 7 and 10 trees per fold; a ranker that coarse ties many candidates and lost to
EASE). The pooled curve averages out that noise, as ``lightgbm.cv`` does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np

from recmind.rec.hybrid.config import HybridConfig

logger = logging.getLogger(__name__)

MIN_QUERIES = 5
"""Fewest labelled users on each side of a fold for early stopping to be attempted."""


@dataclass(frozen=True)
class RankerData:
    """Features ``(n_pairs, n_features)`` grouped by query (``groups`` sizes, in row
    order), a 0/1 label per pair, the query's user (a user may have several queries) and
    the query's weight (``None``: all 1)."""

    features: np.ndarray
    labels: np.ndarray
    groups: np.ndarray
    users: np.ndarray
    weights: np.ndarray | None = None

    def queries(self, keep: np.ndarray) -> RankerData:
        """Only the queries where ``keep`` (one flag per query) is true."""
        row_keep = np.repeat(keep, self.groups)
        return RankerData(
            features=self.features[row_keep],
            labels=self.labels[row_keep],
            groups=self.groups[keep],
            users=self.users[keep],
            weights=None if self.weights is None else self.weights[keep],
        )

    def with_positives(self) -> RankerData:
        """Only the queries holding at least one positive (the others carry no gradient)."""
        query_of_row = np.repeat(np.arange(len(self.groups)), self.groups)
        positives = np.bincount(query_of_row, weights=self.labels, minlength=len(self.groups))
        return self.queries(positives > 0)


@dataclass
class TrainedRanker:
    """Fitted boosters, kept as LightGBM's text models (they pickle on any version), whose
    scores are averaged."""

    model_texts: list[str]
    feature_names: list[str]
    trees: list[int]
    importance: dict[str, float]
    _boosters: list[lgb.Booster] = field(default_factory=list, repr=False, compare=False)

    def boosters(self) -> list[lgb.Booster]:
        if not self._boosters:
            self._boosters = [lgb.Booster(model_str=text) for text in self.model_texts]
        return self._boosters

    def predict(self, features: np.ndarray, threads: int = 1) -> np.ndarray:
        """Mean booster score per row (higher is better), float64."""
        if len(features) == 0:
            return np.zeros(0, dtype=np.float64)
        total = np.zeros(len(features), dtype=np.float64)
        for booster in self.boosters():
            total += np.asarray(booster.predict(features, num_threads=threads), dtype=np.float64)
        return total / len(self.model_texts)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_boosters"] = []
        return state


def ranker_params(config: HybridConfig, seed: int) -> dict[str, Any]:
    """LightGBM parameters: LambdaRank on NDCG@10, deterministic for a seed."""
    return {
        "objective": "lambdarank",
        "metric": "ndcg",
        "eval_at": [10],
        "learning_rate": config.learning_rate,
        "num_leaves": config.num_leaves,
        "min_child_samples": config.min_child_samples,
        "feature_fraction": 0.8,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambdarank_truncation_level": 20,
        "seed": seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": config.threads,
        "verbosity": -1,
    }


def _dataset(data: RankerData, names: list[str], reference: lgb.Dataset | None) -> lgb.Dataset:
    """A LightGBM ranking data set; a query's weight is set on each of its rows (LightGBM
    scales the query's gradients and its share of the NDCG metric by it)."""
    return lgb.Dataset(
        data.features,
        label=data.labels,
        group=data.groups,
        weight=None if data.weights is None else np.repeat(data.weights, data.groups),
        feature_name=names,
        reference=reference,
        free_raw_data=True,
    )


def _fold_of(users: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """A seeded fold number per query, by user (all of a user's queries share a fold),
    folds as equal as possible in users."""
    distinct, position = np.unique(users, return_inverse=True)
    fold_of_user = np.random.default_rng(seed).permutation(len(distinct)) % folds
    fold: np.ndarray = fold_of_user[position]
    return fold


def _held_out_ndcg(booster: lgb.Booster) -> float:
    """The booster's NDCG@10 on its validation set after its latest round."""
    for result in booster.eval_valid():  # (data name, metric name, value, higher better)
        if result[1] == "ndcg@10":
            return float(result[2])
    raise RuntimeError("the ranker's validation metric is missing")


def _train_folds(
    data: RankerData, names: list[str], config: HybridConfig, seed: int, folds: int
) -> tuple[list[lgb.Booster], int]:
    """One booster per fold, grown a round at a time together; stops when the pooled
    held-out NDCG@10 (fold means weighted by their queries) has not improved for
    ``config.early_stopping`` rounds. Returns the boosters and the best round count."""
    fold_of = _fold_of(data.users, folds, seed)
    boosters: list[lgb.Booster] = []
    weights = np.zeros(folds)
    for fold in range(folds):
        held = fold_of == fold
        train_set = _dataset(data.queries(~held), names, None)
        valid_set = _dataset(data.queries(held), names, train_set)
        booster = lgb.Booster(ranker_params(config, seed + fold), train_set)
        booster.add_valid(valid_set, "held")
        boosters.append(booster)
        weights[fold] = float(np.count_nonzero(held))
    weights /= weights.sum()
    best_score, best_round, since = -np.inf, 1, 0
    for round_ in range(1, config.trees + 1):
        pooled = 0.0
        for booster, weight in zip(boosters, weights, strict=True):
            booster.update()
            pooled += weight * _held_out_ndcg(booster)
        if pooled > best_score + 1e-12:
            best_score, best_round, since = pooled, round_, 0
        else:
            since += 1
            if since >= config.early_stopping:
                break
    return boosters, best_round


def train_ranker(
    data: RankerData, names: list[str], config: HybridConfig, seed: int
) -> TrainedRanker | None:
    """Fit one LambdaRank booster per fold of the labelled users (see the module
    docstring); with too few users for folds, one booster on all of them with
    ``config.trees`` rounds. ``None`` when no query holds a positive."""
    useful = data.with_positives()
    n_queries = len(useful.groups)
    if n_queries == 0:
        return None
    folds = config.folds if n_queries >= config.folds * MIN_QUERIES else 1
    boosters: list[lgb.Booster] = []
    trees: list[int] = []
    if folds == 1:
        params = ranker_params(config, seed)
        boosters.append(lgb.train(params, _dataset(useful, names, None), config.trees))
        trees.append(config.trees)
    else:
        boosters, best = _train_folds(useful, names, config, seed, folds)
        trees = [best] * folds
    gains = np.zeros(len(names), dtype=np.float64)
    for booster, n_trees in zip(boosters, trees, strict=True):
        gains += booster.feature_importance(importance_type="gain", iteration=n_trees)
    total = float(np.sum(gains)) or 1.0
    logger.info("hybrid ranker: %d queries, %d boosters, trees %s", n_queries, folds, trees)
    return TrainedRanker(
        model_texts=[
            b.model_to_string(num_iteration=t) for b, t in zip(boosters, trees, strict=True)
        ],
        feature_names=names,
        trees=trees,
        importance={n: float(g) / total for n, g in zip(names, gains, strict=True)},
    )
