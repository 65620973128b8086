"""The LambdaRank fold ensemble on synthetic queries whose positive is readable from one
feature (real LightGBM, small data)."""

from __future__ import annotations

import pickle

import numpy as np

from recmind.rec.hybrid.config import HybridConfig
from recmind.rec.hybrid.ranker import (
    FUSION,
    RankerData,
    base_rankings,
    choose_base,
    ndcg_at_10,
    train_ranker,
)

NAMES = ["signal", "noise"]
CONFIG = HybridConfig(trees=60, min_child_samples=5, early_stopping=10, folds=3)


def queries(n_queries: int, size: int, seed: int) -> RankerData:
    """The positive of each query has the largest ``signal``; ``noise`` is noise."""
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n_queries * size, 2)).astype(np.float32)
    labels = np.zeros(n_queries * size, dtype=np.float32)
    for q in range(n_queries):
        rows = slice(q * size, (q + 1) * size)
        labels[q * size + int(np.argmax(features[rows, 0]))] = 1.0
    return RankerData(
        features=features,
        labels=labels,
        groups=np.full(n_queries, size, dtype=np.int64),
        users=np.arange(n_queries),
    )


def top_is_positive(scores: np.ndarray, data: RankerData) -> float:
    starts = np.concatenate(([0], np.cumsum(data.groups)[:-1]))
    hits = [
        data.labels[s + int(np.argmax(scores[s : s + g]))] == 1.0
        for s, g in zip(starts, data.groups, strict=True)
    ]
    return float(np.mean(hits))


def test_learns_the_signal() -> None:
    ranker = train_ranker(queries(150, 12, seed=0), NAMES, CONFIG, seed=1)
    assert ranker is not None and len(ranker.trees) == 3
    fresh = queries(100, 12, seed=5)
    # chance is 1/12; a few trees on the one informative feature already get most right
    assert top_is_positive(ranker.predict(fresh.features), fresh) > 0.75
    assert ranker.importance["signal"] > 0.75


def test_same_seed_same_scores_and_pickle_round_trip() -> None:
    data = queries(60, 10, seed=2)
    first = train_ranker(data, NAMES, CONFIG, seed=4)
    second = train_ranker(data, NAMES, CONFIG, seed=4)
    assert first is not None and second is not None
    np.testing.assert_array_equal(first.predict(data.features), second.predict(data.features))
    restored = pickle.loads(pickle.dumps(first))
    np.testing.assert_array_equal(restored.predict(data.features), first.predict(data.features))


def test_queries_without_a_positive_are_dropped() -> None:
    data = queries(40, 8, seed=3)
    useless = RankerData(
        features=data.features,
        labels=np.zeros_like(data.labels),
        groups=data.groups,
        users=data.users,
    )
    assert train_ranker(useless, NAMES, CONFIG, seed=0) is None
    assert len(data.with_positives().groups) == 40
    mixed_labels = data.labels.copy()
    mixed_labels[: 8 * 10] = 0.0
    mixed = RankerData(data.features, mixed_labels, data.groups, data.users)
    assert mixed.with_positives().users.tolist() == list(range(10, 40))


def test_few_queries_train_one_booster_without_early_stopping() -> None:
    ranker = train_ranker(queries(8, 6, seed=1), NAMES, CONFIG, seed=0)
    assert ranker is not None and ranker.trees == [CONFIG.trees]
    assert ranker.predict(np.zeros((0, 2), dtype=np.float32)).shape == (0,)


# -- the starting order ---------------------------------------------------------------

SOURCE_NAMES = ["score_good", "rank_good", "score_poor", "rank_poor"]


def ranked_queries(n_queries: int, size: int, seed: int, hit_rate: float) -> RankerData:
    """Two sources' ranks per query: ``good`` puts the positive first in ``hit_rate`` of
    the queries (else at a random place), ``poor`` ranks at random. Scores are noise."""
    rng = np.random.default_rng(seed)
    rows = []
    labels = np.zeros(n_queries * size, dtype=np.float32)
    for q in range(n_queries):
        good = rng.permutation(size).astype(np.float32)
        positive = int(np.argmin(good)) if rng.random() < hit_rate else int(rng.integers(size))
        labels[q * size + positive] = 1.0
        poor = rng.permutation(size).astype(np.float32)
        noise = rng.normal(size=(size, 2)).astype(np.float32)
        rows.append(np.column_stack([noise[:, 0], good, noise[:, 1], poor]))
    return RankerData(
        features=np.concatenate(rows),
        labels=labels,
        groups=np.full(n_queries, size, dtype=np.int64),
        users=np.arange(n_queries),
    )


def test_ndcg_at_10_follows_lightgbm_definition() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.5, 0.4, 0.3])
    labels = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 0.0])
    groups = np.array([3, 3])
    ndcg = ndcg_at_10(scores, labels, groups)
    # query 1: positive second -> 1/log2(3); query 2: positive first -> 1
    np.testing.assert_allclose(ndcg, [1.0 / np.log2(3.0), 1.0])
    # no positive scores 1, as in LightGBM; ties keep row order
    np.testing.assert_allclose(ndcg_at_10(np.zeros(2), np.zeros(2), np.array([2])), [1.0])
    np.testing.assert_allclose(
        ndcg_at_10(np.zeros(2), np.array([0.0, 1.0]), np.array([2])), [1.0 / np.log2(3.0)]
    )


def test_the_base_is_the_best_source_and_scores_by_its_rank() -> None:
    data = ranked_queries(200, 10, seed=0, hit_rate=0.6)
    base = choose_base(data, SOURCE_NAMES, seed=0)
    assert base is not None and base.source == "good" and base.columns == (1,)
    np.testing.assert_allclose(base(data.features[:10]), -np.log1p(data.features[:10, 1]))
    names = [b.source for b in base_rankings(SOURCE_NAMES)]
    assert names == ["good", "poor", FUSION]


def test_no_tree_is_kept_when_trees_cannot_beat_the_best_source() -> None:
    """Scores are noise and the ranks say all there is: the ranker is the good source."""
    data = ranked_queries(300, 10, seed=1, hit_rate=0.5)
    ranker = train_ranker(data, SOURCE_NAMES, CONFIG, seed=0)
    assert ranker is not None and ranker.base is not None and ranker.base.source == "good"
    fresh = ranked_queries(100, 10, seed=2, hit_rate=0.5)
    scores = ranker.predict(fresh.features)
    if not ranker.model_texts:  # the usual case: nothing learnt beyond the base
        assert ranker.trees == []
        np.testing.assert_allclose(scores, -np.log1p(fresh.features[:, 1]))
    # either way it ranks the good source's first item on top as often as the source does
    assert top_is_positive(scores, fresh) >= top_is_positive(-fresh.features[:, 1], fresh) - 0.05


def test_trees_are_kept_when_a_feature_adds_to_the_best_source() -> None:
    """The base's ranks find half the positives; the first score column finds all."""
    data = queries(200, 10, seed=3)
    rank = np.concatenate([np.random.default_rng(q).permutation(10) for q in range(200)])
    features = np.column_stack([data.features[:, 0], rank, data.features[:, 1], rank[::-1]])
    rich = RankerData(features.astype(np.float32), data.labels, data.groups, data.users)
    ranker = train_ranker(rich, SOURCE_NAMES, CONFIG, seed=0)
    assert ranker is not None and ranker.model_texts and ranker.trees[0] > 0
    assert top_is_positive(ranker.predict(rich.features), rich) > 0.75


def test_without_boosting_from_the_best_there_is_no_base() -> None:
    data = ranked_queries(100, 8, seed=4, hit_rate=0.7)
    config = CONFIG.model_copy(update={"boost_from_best": False})
    ranker = train_ranker(data, SOURCE_NAMES, config, seed=0)
    assert ranker is not None and ranker.base is None and ranker.trees[0] >= 1
