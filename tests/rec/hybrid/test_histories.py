"""The hybrid scores ad-hoc histories (``score_histories``): a known user's own history
ranks as ``recommend`` ranks them, anonymous sessions and items without interactions
work, and the history helpers keep one entry per item at its latest position."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from recmind.rec.base import Filters
from recmind.rec.hybrid import HybridRecommender
from recmind.rec.hybrid.histories import distinct_latest, history_matrix
from recmind.rec.hybrid.sources import histories
from recmind.rec.interactions import Interactions, ItemCatalog

EXACT: dict[str, Any] = {
    "sources": ["ease", "transitions", "popular", "itemknn"],
    "source_params": {"ease": {"l2": 10.0}},
    "min_child_samples": 5,
    "trees": 40,
}
"""Sources whose history path is exact (same scores as for the fitted user)."""
SEMANTIC = {"encoder": "minilm-onnx", "cache_embeddings": False}


@pytest.fixture(scope="module")
def fitted(interactions: Interactions, catalog: ItemCatalog) -> HybridRecommender:
    return HybridRecommender(EXACT, seed=5).fit(interactions, catalog)


def own_histories(model: HybridRecommender, data: Interactions) -> list[np.ndarray]:
    """Every user's training items in the hybrid's own time order (seeded ties)."""
    return histories(data, model.seed)


def test_own_history_at_own_time_scores_exactly_like_the_user(
    fitted: HybridRecommender, interactions: Interactions
) -> None:
    """Features and source scores of a user's training history, placed at the rank of
    their latest event, are the user's: every score matches, for every user."""
    users = np.arange(interactions.n_users)
    by_user = fitted.score_users(users)
    by_history = fitted.score_histories_at(
        own_histories(fitted, interactions), fitted.context_.users.last
    )
    np.testing.assert_array_equal(by_history, by_user)


def test_latest_user_gets_the_same_top10_from_the_public_paths(
    fitted: HybridRecommender, interactions: Interactions
) -> None:
    """``score_histories`` takes the history to happen now; for the user whose latest
    event is the newest in the data, now is their own time, so ``recommend`` and
    ``recommend_histories`` return the same ten items with the same scores."""
    user = int(np.argmax(fitted.context_.users.last))
    history = own_histories(fitted, interactions)[user]
    recs = fitted.recommend([str(interactions.user_ids[user])], k=10)
    idx, scores = fitted.recommend_histories([history], k=10)
    assert [str(i) for i in recs.item_ids[0]] == [str(i) for i in interactions.item_ids[idx[0]]]
    np.testing.assert_array_equal(recs.scores[0], scores[0])


def test_other_users_differ_only_by_time(
    fitted: HybridRecommender, interactions: Interactions
) -> None:
    """For a user last active long ago, "now" changes only the time features (their
    idleness and what is trending): candidates and source scores are the same."""
    user = int(np.argmin(fitted.context_.users.last))
    history = own_histories(fitted, interactions)[user]
    now = fitted.score_histories([history])[0]
    then = fitted.score_histories_at([history], [fitted.context_.users.last[user]])[0]
    candidates = now > -1e8
    np.testing.assert_array_equal(candidates, then > -1e8)
    np.testing.assert_array_equal(now[~candidates], then[~candidates])


def test_anonymous_session(fitted: HybridRecommender, interactions: Interactions) -> None:
    """A visitor nobody knows, with three events (one repeated, one unknown index): a full
    ranking that follows the session, not the popularity list, without its own items."""
    session = [3, 11, -1, 3, 17]
    scores = fitted.score_histories([session])
    assert scores.shape == (1, interactions.n_items) and np.isfinite(scores).all()
    np.testing.assert_array_equal(scores, fitted.score_histories([[11, 3, 17]]))
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


def test_item_without_interactions_in_a_history(interactions: Interactions) -> None:
    """An item in the catalogue that nobody touched in training (a new one) still counts
    in a history: the text source knows it, so the ranking moves toward its neighbours."""
    ids = np.asarray([*interactions.item_ids, "new-book"], dtype=object)
    data = Interactions(
        user_ids=interactions.user_ids,
        item_ids=ids,
        user_index=interactions.user_index,
        item_index=interactions.item_index,
        timestamps=interactions.timestamps,
        weights=interactions.weights,
    )
    titles = [f"Item {i}: {('a cookbook', 'a thriller', 'a jazz album')[i % 3]}" for i in range(30)]
    catalog = ItemCatalog.from_frame(
        pd.DataFrame({"item_id": ids, "title": [*titles, "A new cookbook of soups"]}), ids
    )
    model = HybridRecommender(
        {**EXACT, "sources": ["ease", "semantic"], "source_params": {"semantic": SEMANTIC}},
        seed=1,
    ).fit(data, catalog)
    new = len(ids) - 1
    with_new = model.score_histories([[4, new]])
    without = model.score_histories([[4]])
    assert np.isfinite(with_new).all()
    assert not np.array_equal(with_new, without)
    semantic = model.sources_[1].history_scores([np.asarray([new])])[0]
    assert semantic[np.arange(0, 30, 3)].mean() > semantic[np.arange(1, 30, 3)].mean()
    only_new, _ = model.recommend_histories([[new]], k=3, filters=Filters())
    assert new not in only_new[0]


def test_distinct_latest_keeps_each_item_at_its_latest_position() -> None:
    assert distinct_latest([4, 2, 4, -1, 9, 2, 30], n_items=10).tolist() == [4, 9, 2]
    assert distinct_latest([], n_items=10).tolist() == []


def test_history_matrix_is_binary() -> None:
    matrix = history_matrix([np.asarray([0, 2]), np.asarray([], dtype=np.int64)], n_items=3)
    np.testing.assert_array_equal(matrix.toarray(), [[1, 0, 1], [0, 0, 0]])
