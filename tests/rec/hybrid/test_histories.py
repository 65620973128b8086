"""Ad-hoc histories (a visitor's session, a user's events up to a request): each item once
at its latest position, unknown indices ignored, an empty one gets popularity."""

from __future__ import annotations

import numpy as np

from recmind.rec.hybrid import HybridRecommender
from recmind.rec.hybrid.histories import distinct_latest, history_matrix
from recmind.rec.interactions import Interactions


def test_distinct_latest_keeps_each_item_at_its_latest_position() -> None:
    assert distinct_latest([4, 2, 4, -1, 9, 2, 30], n_items=10).tolist() == [4, 9, 2]
    assert distinct_latest([], n_items=10).tolist() == []
    assert distinct_latest(np.asarray([[1, 1]]), n_items=2).tolist() == [1]


def test_history_matrix_is_binary() -> None:
    matrix = history_matrix([np.asarray([0, 2]), np.asarray([], dtype=np.int64)], n_items=3)
    np.testing.assert_array_equal(matrix.toarray(), [[1, 0, 1], [0, 0, 0]])
    assert history_matrix([], n_items=3).shape == (0, 3)


def test_anonymous_session(fitted: HybridRecommender, interactions: Interactions) -> None:
    """A visitor nobody knows, with three items (one repeated, one unknown index): a full
    ranking that follows the session, not the popularity list, without its own items."""
    session = [3, 11, -1, 3, 17]
    end = float(interactions.timestamps.max())
    scores = fitted.score_histories_at([session], end)
    assert scores.shape == (1, interactions.n_items) and np.isfinite(scores).all()
    np.testing.assert_array_equal(scores, fitted.score_histories_at([[11, 3, 17]], end))
    assert not np.array_equal(scores, fitted.score_histories_at([[3, 11, 17]], end))
    idx, top = fitted.recommend_histories([session], k=10)
    assert not {3, 11, 17} & set(idx[0].tolist())
    assert np.all(np.diff(top[0]) <= 0)
    popular, _ = fitted.recommend_histories([[]], k=10)
    assert idx[0].tolist() != popular[0].tolist()


def test_empty_or_unknown_history_gets_popularity(fitted: HybridRecommender) -> None:
    scores = fitted.score_histories([[], [-1, -5]])
    np.testing.assert_array_equal(scores, np.tile(fitted.fallback_scores_, (2, 1)))


def test_a_batch_scores_like_single_histories(fitted: HybridRecommender) -> None:
    batch = [[1, 2], [], [5], [7, 8, 9, 1]]
    together = fitted.score_histories(batch)
    for row, history in enumerate(batch):
        np.testing.assert_array_equal(together[row], fitted.score_histories([history])[0])
