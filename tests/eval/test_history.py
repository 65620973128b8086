"""NDCG by training-history length: buckets, averages, tables."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recmind.eval.history import (
    BUCKET_LABELS,
    BucketScore,
    assign_buckets,
    by_bucket,
    history_lengths,
    history_metric,
    history_table,
    ndcg_by_history,
)
from recmind.eval.splits import Holdout
from recmind.rec.interactions import Interactions


def test_bucket_edges_on_a_hand_example() -> None:
    lengths = np.array([0, 1, 5, 6, 20, 21, 50, 51, 100, 101, 200, 201, 5000])
    assert assign_buckets(lengths).tolist() == [-1, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert BUCKET_LABELS == ("1-5", "6-20", "21-50", "51-100", "101-200", "201+")


def test_by_bucket_averages_inside_each_bucket_and_skips_empty_ones() -> None:
    values = np.array([1.0, 0.0, 0.5, 0.25, 0.75, 0.9])
    lengths = np.array([3, 4, 30, 40, 300, 0])  # the last user has no history: no bucket
    assert by_bucket(values, lengths) == (
        BucketScore("1-5", 2, 0.5),
        BucketScore("21-50", 2, 0.375),
        BucketScore("201+", 1, 0.75),
    )
    with pytest.raises(ValueError, match="values"):
        by_bucket(values[:2], lengths)


def tiny_holdout() -> Holdout:
    """Users 0, 1, 2 with 1, 7 and 2 training items; each has one target."""
    users = [0, 1, 1, 1, 1, 1, 1, 1, 2, 2]
    items = [0, 1, 2, 3, 4, 5, 6, 7, 0, 1]
    train = Interactions(
        user_ids=np.array(["a", "b", "c"], dtype=object),
        item_ids=np.array([f"i{j}" for j in range(10)], dtype=object),
        user_index=np.array(users, dtype=np.int32),
        item_index=np.array(items, dtype=np.int32),
        timestamps=np.zeros(len(users)),
        weights=np.ones(len(users), dtype=np.float32),
    )
    targets = sp.csr_matrix((np.ones(3, dtype=np.float32), ([0, 1, 2], [8, 9, 9])), shape=(3, 10))
    return Holdout(train=train, users=np.array([0, 1, 2]), targets=targets)


def test_ndcg_by_history_on_a_hand_ranking() -> None:
    holdout = tiny_holdout()
    assert history_lengths(holdout).tolist() == [1, 7, 2]
    recs = np.array([[8, 9], [8, 9], [3, 4]])  # hit at rank 1, hit at rank 2, miss
    scores = ndcg_by_history(recs, holdout, k=2)
    assert scores == (
        BucketScore("1-5", 2, 0.5),
        BucketScore("6-20", 1, pytest.approx(1 / np.log2(3))),
    )


def test_history_metric_prefers_ndcg_at_10() -> None:
    assert history_metric([20, 10]) == ("ndcg@10", 10)
    assert history_metric([5, 20]) == ("ndcg@5", 5)


def test_history_table_with_spread() -> None:
    scores = {
        "ease": (BucketScore("1-5", 3, 0.1), BucketScore("201+", 2, 0.05)),
        "pop": (BucketScore("1-5", 3, 0.02),),
    }
    lines = history_table(scores, "ndcg@10", errors={"ease": {"1-5": 0.01}})
    assert lines[0] == "| history length | users | ease ndcg@10 | pop ndcg@10 |"
    assert lines[2] == "| 1-5 | 3 | 0.1000 ± 0.0100 | 0.0200 |"
    assert lines[3] == "| 201+ | 2 | 0.0500 | - |"
