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

Boosting starts from the best single ranking (:class:`BaseRanking`): the candidate order of
the source (or the reciprocal-rank fusion of all sources) with the highest NDCG@10 on the
labelled users. The trees learn corrections to it, and the pooled held-out NDCG@10 of that
starting order is the score to beat: when no number of trees beats it, the ranker keeps no
tree and ranks exactly as that source does. So on data where the features teach nothing
(a few hundred users, ids without text) the hybrid falls back to its best source instead of
a noisy ranker, and where they do teach something it builds on the best source's order.
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
RRF_K = 60.0
"""Reciprocal-rank fusion constant."""
FUSION = "fusion"
"""The :class:`BaseRanking` source name of the reciprocal-rank fusion of every source."""


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


@dataclass(frozen=True)
class BaseRanking:
    """The order boosting starts from: one source's candidate ranks, or the
    reciprocal-rank fusion of all of them (``source == FUSION``), as a score
    ``-log(1 + rank)``: 0 for the best candidate, about -1.1 for the third, -3.9 for one
    outside the source's top 50. A fused score is turned back into a rank: the rank
    that would give the same fused score in every source.

    ``columns`` are the feature columns of the sources' ranks (one for a single source).
    """

    source: str
    columns: tuple[int, ...]

    def __call__(self, features: np.ndarray) -> np.ndarray:
        ranks = np.asarray(features[:, list(self.columns)], dtype=np.float64)
        if self.source == FUSION:
            rank = np.maximum(len(self.columns) / rrf_scores(ranks) - RRF_K, 0.0)
        else:
            rank = ranks[:, 0]
        score: np.ndarray = -np.log1p(rank)
        return score


def rrf_scores(ranks: np.ndarray) -> np.ndarray:
    """Reciprocal-rank fusion of each row's source ranks (columns): sum of 1 / (k + rank)."""
    fused: np.ndarray = (1.0 / (RRF_K + np.asarray(ranks, dtype=np.float64))).sum(axis=1)
    return fused


def rank_columns(names: list[str]) -> dict[str, int]:
    """Source name -> the feature column of its rank (``rank_<source>``)."""
    return {n.removeprefix("rank_"): i for i, n in enumerate(names) if n.startswith("rank_")}


def base_rankings(names: list[str]) -> list[BaseRanking]:
    """Every candidate starting order: each source alone, then their fusion (when there
    are several sources)."""
    columns = rank_columns(names)
    out = [BaseRanking(source, (column,)) for source, column in columns.items()]
    if len(columns) > 1:
        out.append(BaseRanking(FUSION, tuple(columns.values())))
    return out


def ndcg_at_10(scores: np.ndarray, labels: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """NDCG@10 of every query (binary labels, LightGBM's definition: gain 1 per positive,
    discount 1/log2(position + 2), ideal = all positives first; a query without a positive
    scores 1). Equal scores keep row order, as LightGBM's stable sort does."""
    query = np.repeat(np.arange(len(groups)), groups)
    order = np.lexsort((np.arange(len(scores)), -scores, query))
    starts = np.concatenate(([0], np.cumsum(groups)[:-1]))
    position = np.arange(len(scores)) - np.repeat(starts, groups)
    discount = np.where(position < 10, 1.0 / np.log2(position + 2.0), 0.0)
    dcg = np.bincount(query, weights=labels[order] * discount, minlength=len(groups))
    positives = np.bincount(query, weights=labels, minlength=len(groups)).astype(np.int64)
    ideal_table = np.concatenate(([0.0], np.cumsum(1.0 / np.log2(np.arange(10) + 2.0))))
    ideal = ideal_table[np.minimum(positives, 10)]
    out: np.ndarray = np.divide(dcg, ideal, out=np.ones(len(groups)), where=ideal > 0)
    return out


def choose_base(data: RankerData, names: list[str], seed: int) -> BaseRanking | None:
    """The starting order with the best mean NDCG@10 over the labelled queries (ties in
    an order broken by a seeded key, never by item); ``None`` without a source rank among
    the features."""
    candidates = base_rankings(names)
    if not candidates or len(data.groups) == 0:
        return None
    jitter = _jitter(len(data.labels), seed)
    scored = [
        (float(np.mean(ndcg_at_10(base(data.features) + jitter, data.labels, data.groups))), i)
        for i, base in enumerate(candidates)
    ]
    best = max(scored, key=lambda pair: (pair[0], -pair[1]))
    logger.info(
        "hybrid ranker base: %s",
        ", ".join(f"{candidates[i].source} {score:.4f}" for score, i in scored),
    )
    return candidates[best[1]]


def _jitter(n: int, seed: int) -> np.ndarray:
    """Tiny seeded offsets that break ties in a starting order at random."""
    jitter: np.ndarray = np.random.default_rng([seed, 17]).random(n) * 1e-6
    return jitter


@dataclass
class TrainedRanker:
    """Fitted boosters, kept as LightGBM's text models (they pickle on any version), whose
    scores are averaged and added to the starting order ``base`` (``None``: none). With no
    booster the ranker is the starting order alone."""

    model_texts: list[str]
    feature_names: list[str]
    trees: list[int]
    importance: dict[str, float]
    base: BaseRanking | None = None
    _boosters: list[lgb.Booster] = field(default_factory=list, repr=False, compare=False)

    def boosters(self) -> list[lgb.Booster]:
        if not self._boosters:
            self._boosters = [lgb.Booster(model_str=text) for text in self.model_texts]
        return self._boosters

    def predict(
        self, features: np.ndarray, threads: int = 1, *, use_trees: bool = True
    ) -> np.ndarray:
        """Mean booster score per row (higher is better) plus the starting order, float64;
        ``use_trees=False``: the starting order alone."""
        if len(features) == 0:
            return np.zeros(0, dtype=np.float64)
        total = np.zeros(len(features), dtype=np.float64)
        boosters = self.boosters() if use_trees or self.base is None else []
        for booster in boosters:
            total += np.asarray(booster.predict(features, num_threads=threads), dtype=np.float64)
        if boosters:
            total /= len(boosters)
        if self.base is not None:
            total += self.base(features)
        return total

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


def _dataset(
    data: RankerData,
    names: list[str],
    reference: lgb.Dataset | None,
    base: BaseRanking | None = None,
) -> lgb.Dataset:
    """A LightGBM ranking data set; a query's weight is set on each of its rows (LightGBM
    scales the query's gradients and its share of the NDCG metric by it); boosting starts
    from ``base`` when given."""
    return lgb.Dataset(
        data.features,
        label=data.labels,
        group=data.groups,
        weight=None if data.weights is None else np.repeat(data.weights, data.groups),
        init_score=None if base is None else base(data.features),
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
    data: RankerData,
    names: list[str],
    config: HybridConfig,
    seed: int,
    *,
    folds: int,
    base: BaseRanking | None,
) -> tuple[list[lgb.Booster], int]:
    """One booster per fold, grown a round at a time together; stops when the pooled
    held-out NDCG@10 (fold means weighted by their queries) has not improved for
    ``config.early_stopping`` rounds. Returns the boosters and the best round count: 0
    when no round beat the starting order ``base`` on the held-out folds."""
    fold_of = _fold_of(data.users, folds, seed)
    boosters: list[lgb.Booster] = []
    weights = np.zeros(folds)
    start_scores = np.zeros(folds)
    for fold in range(folds):
        held = fold_of == fold
        held_data = data.queries(held)
        train_set = _dataset(data.queries(~held), names, None, base)
        valid_set = _dataset(held_data, names, train_set, base)
        booster = lgb.Booster(ranker_params(config, seed + fold), train_set)
        booster.add_valid(valid_set, "held")
        boosters.append(booster)
        weights[fold] = float(np.count_nonzero(held))
        if base is not None:
            start_scores[fold] = float(
                np.mean(ndcg_at_10(base(held_data.features), held_data.labels, held_data.groups))
            )
    weights /= weights.sum()
    if base is None:
        best_score, best_round = -np.inf, 1
    else:
        best_score, best_round = float(weights @ start_scores), 0
    since = 0
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
    base = choose_base(useful, names, seed) if config.boost_from_best else None
    folds = config.folds if n_queries >= config.folds * MIN_QUERIES else 1
    boosters: list[lgb.Booster] = []
    trees: list[int] = []
    if folds == 1:
        params = ranker_params(config, seed)
        boosters.append(lgb.train(params, _dataset(useful, names, None, base), config.trees))
        trees.append(config.trees)
    else:
        boosters, best = _train_folds(useful, names, config, seed, folds=folds, base=base)
        if best > 0:
            trees = [best] * folds
        else:
            boosters = []
    gains = np.zeros(len(names), dtype=np.float64)
    for booster, n_trees in zip(boosters, trees, strict=True):
        gains += booster.feature_importance(importance_type="gain", iteration=n_trees)
    total = float(np.sum(gains)) or 1.0
    logger.info(
        "hybrid ranker: %d queries, %d boosters, trees %s, from %s",
        n_queries,
        len(boosters),
        trees,
        base.source if base is not None else "nothing",
    )
    return TrainedRanker(
        model_texts=[
            b.model_to_string(num_iteration=t) for b, t in zip(boosters, trees, strict=True)
        ],
        feature_names=names,
        trees=trees,
        importance={n: float(g) / total for n, g in zip(names, gains, strict=True)},
        base=base,
    )
