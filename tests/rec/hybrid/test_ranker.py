"""The LambdaRank fold ensemble on synthetic queries whose positive is readable from one
feature (real LightGBM, small data)."""

from __future__ import annotations

import pickle

import numpy as np

from recmind.rec.hybrid.config import HybridConfig
from recmind.rec.hybrid.ranker import RankerData, train_ranker

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
