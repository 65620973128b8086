"""Item-kNN similarities against hand-computed cosines."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import recmind.rec.itemknn as itemknn_module
from recmind.rec.interactions import Interactions
from recmind.rec.itemknn import ItemKNNRecommender, cosine_neighbours

# users x items; item a: users 0,1,2; item b: users 0,2,3; item c: users 1,2
HAND = sp.csr_matrix(np.array([[1, 1, 0], [1, 0, 1], [1, 1, 1], [0, 1, 0]], dtype=np.float32))
# a.b = 2, a.c = 2, b.c = 1; |a| = |b| = sqrt(3), |c| = sqrt(2)
AB, AC, BC = 2 / 3, 2 / math.sqrt(6), 1 / math.sqrt(6)


def test_cosine_by_hand() -> None:
    similarity = cosine_neighbours(HAND, neighbors=10, shrinkage=0.0).toarray()
    expected = np.array([[0, AB, AC], [AB, 0, BC], [AC, BC, 0]])
    np.testing.assert_allclose(similarity, expected, rtol=1e-6)


def test_shrinkage_by_hand() -> None:
    similarity = cosine_neighbours(HAND, neighbors=10, shrinkage=2.0).toarray()
    assert similarity[0, 1] == pytest.approx(2 / (3 + 2), rel=1e-6)
    assert similarity[1, 2] == pytest.approx(1 / (math.sqrt(6) + 2), rel=1e-6)


def test_keeps_top_neighbours_of_each_target() -> None:
    """Column j keeps the items most similar to j (a's best is c, b's is a, c's is a)."""
    similarity = cosine_neighbours(HAND, neighbors=1, shrinkage=0.0).toarray()
    expected = np.array([[0, AB, AC], [0, 0, 0], [AC, 0, 0]])
    np.testing.assert_allclose(similarity, expected, rtol=1e-6)


def test_blocks_give_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(1)
    matrix = sp.csr_matrix((rng.random((60, 25)) < 0.2).astype(np.float32))
    whole = cosine_neighbours(matrix, neighbors=4, shrinkage=1.0).toarray()
    monkeypatch.setattr(itemknn_module, "_BLOCK_CELLS", 30)
    blocked = cosine_neighbours(matrix, neighbors=4, shrinkage=1.0).toarray()
    np.testing.assert_allclose(blocked, whole, rtol=1e-6)
    assert ((whole > 0).sum(axis=0) <= 4).all()


def test_scores_sum_similarities_of_seen_items() -> None:
    users, items = HAND.nonzero()
    frame = pd.DataFrame(
        {"user_id": [f"u{u}" for u in users], "item_id": ["abc"[i] for i in items]}
    ).assign(timestamp=0.0)
    model = ItemKNNRecommender({"neighbors": 10}).fit(Interactions.from_frame(frame))
    # user 3 saw only b: a scores sim(b, a), c scores sim(b, c)
    np.testing.assert_allclose(model.score_users(np.array([3]))[0], [AB, 0.0, BC], rtol=1e-6)
    # user 0 saw a and b: c scores sim(a, c) + sim(b, c)
    assert model.score_users(np.array([0]))[0, 2] == pytest.approx(AC + BC, rel=1e-6)
