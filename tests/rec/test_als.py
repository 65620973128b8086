"""ALS: the confidence implicit sees, and bitwise determinism."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from implicit.cpu.als import AlternatingLeastSquares

from recmind.rec.als import ALSRecommender, confidence_matrix
from recmind.rec.interactions import Interactions


def test_confidence_is_one_plus_alpha() -> None:
    binary = sp.csr_matrix(np.array([[1, 0, 3], [0, 1, 0]], dtype=np.float32))
    confidence = confidence_matrix(binary, alpha=4.0)
    np.testing.assert_array_equal(confidence.toarray(), [[5, 0, 5], [0, 5, 0]])


def test_implicit_reads_stored_values_as_full_confidence() -> None:
    """A user's factor from implicit equals the Hu et al. closed form with c = 1 + alpha on
    observed pairs and c = 1 elsewhere: the convention confidence_matrix relies on."""
    rng = np.random.default_rng(0)
    binary = sp.csr_matrix((rng.random((30, 20)) < 0.2).astype(np.float32))
    confidence = confidence_matrix(binary, alpha=7.0)
    reg = 0.3
    model = AlternatingLeastSquares(
        factors=4, regularization=reg, alpha=1.0, iterations=3, random_state=0, num_threads=1
    )
    model.fit(confidence, show_progress=False)
    items = model.item_factors.astype(np.float64)
    user = int(np.argmax(np.diff(binary.indptr)))
    c = np.ones(20)
    c[confidence[user].indices] = confidence[user].data
    p = (c > 1).astype(np.float64)
    a = items.T @ (c[:, np.newaxis] * items) + reg * np.eye(4)
    expected = np.linalg.solve(a, items.T @ (c * p))
    np.testing.assert_allclose(model.recalculate_user(user, confidence[user]), expected, atol=1e-5)


def test_bitwise_deterministic_across_threads(interactions: Interactions) -> None:
    params = {"factors": 8, "iterations": 4}
    one = ALSRecommender({**params, "num_threads": 1}, seed=9).fit(interactions)
    again = ALSRecommender({**params, "num_threads": 1}, seed=9).fit(interactions)
    two = ALSRecommender({**params, "num_threads": 2}, seed=9).fit(interactions)
    np.testing.assert_array_equal(one.user_factors_, again.user_factors_)
    np.testing.assert_array_equal(one.item_factors_, two.item_factors_)
    other = ALSRecommender(params, seed=10).fit(interactions)
    assert not np.array_equal(one.item_factors_, other.item_factors_)


def test_scores_are_factor_dot_products(interactions: Interactions) -> None:
    model = ALSRecommender({"factors": 8, "iterations": 2}).fit(interactions)
    users = np.array([0, 3, 5])
    expected = model.user_factors_[users] @ model.item_factors_.T
    np.testing.assert_allclose(model.score_users(users), expected, rtol=1e-6)
