"""Top-k selection: order, padding, and ties broken by a seeded permutation, not by id."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from recmind.rec.topk import tiebreak_keys, top_k


def test_orders_by_score_then_key() -> None:
    scores = np.array([[1.0, 3.0, 3.0, 2.0]])
    idx, vals = top_k(scores, 3, keys=np.array([0, 2, 1, 3]))
    assert idx.tolist() == [[2, 1, 3]]
    assert vals.tolist() == [[3.0, 3.0, 2.0]]


def test_pads_when_too_few_valid_items() -> None:
    scores = np.array([[-np.inf, 0.5, -np.inf]])
    idx, vals = top_k(scores, 3, keys=np.arange(3))
    assert idx.tolist() == [[1, -1, -1]]
    assert vals[0, 0] == 0.5
    assert np.isnan(vals[0, 1:]).all()


def test_all_equal_scores_do_not_come_back_in_id_order() -> None:
    scores = np.zeros((1, 200))
    idx, _ = top_k(scores, 20, keys=tiebreak_keys(200, seed=7))
    assert idx[0].tolist() != list(range(20))
    again, _ = top_k(scores, 20, keys=tiebreak_keys(200, seed=7))
    assert (idx == again).all()


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64, st.tuples(st.integers(1, 4), st.integers(1, 30)), elements=st.integers(0, 5)
    ),
    st.integers(1, 35),
)
def test_matches_a_full_stable_sort(scores: np.ndarray, k: int) -> None:
    keys = tiebreak_keys(scores.shape[1], seed=1)
    idx, vals = top_k(scores, k, keys)
    for row in range(scores.shape[0]):
        expected = np.lexsort((keys, -scores[row]))[:k]
        assert idx[row, : len(expected)].tolist() == expected.tolist()
        assert (np.diff(vals[row, : len(expected)]) <= 0).all()
