"""EASE against a direct dense numpy computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import recmind.rec.ease as ease_module
from recmind.rec.base import DataTooLargeError
from recmind.rec.ease import EASERecommender, gram, spd_inverse_inplace
from recmind.rec.interactions import Interactions

TINY = np.array(
    [
        [1, 1, 0, 0, 1],
        [0, 1, 1, 0, 0],
        [1, 0, 1, 1, 0],
        [1, 1, 1, 0, 0],
        [0, 0, 0, 1, 1],
        [1, 0, 0, 1, 1],
    ],
    dtype=np.float64,
)


def tiny_interactions() -> Interactions:
    users, items = np.nonzero(TINY)
    frame = pd.DataFrame(
        {"user_id": [f"u{u}" for u in users], "item_id": [f"i{i}" for i in items]}
    ).assign(timestamp=1.0)
    return Interactions.from_frame(frame)


def reference_weights(matrix: np.ndarray, l2: float) -> np.ndarray:
    """Steck (2019), eq. 8: B = I - P diagMat(1 / diag(P)), written out densely."""
    inverse = np.linalg.inv(matrix.T @ matrix + l2 * np.eye(matrix.shape[1]))
    weights = -inverse / np.diag(inverse)[np.newaxis, :]
    np.fill_diagonal(weights, 0.0)
    return weights


@pytest.mark.parametrize("l2", [0.5, 3.0, 50.0])
def test_weights_match_dense_numpy(l2: float) -> None:
    model = EASERecommender({"l2": l2}).fit(tiny_interactions())
    np.testing.assert_allclose(model.weights_, reference_weights(TINY, l2), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(
        model.score_users(np.arange(6)), TINY @ reference_weights(TINY, l2), rtol=1e-4, atol=1e-6
    )


def test_blocked_gram_and_inverse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Block sizes smaller than the matrix give the same result as one block."""
    monkeypatch.setattr(ease_module, "_BLOCK_CELLS", 7)
    rng = np.random.default_rng(0)
    dense = (rng.random((50, 23)) < 0.3).astype(np.float64)
    interactions = Interactions.from_frame(
        pd.DataFrame(
            {
                "user_id": np.nonzero(dense)[0].astype(str),
                "item_id": [f"i{j:02d}" for j in np.nonzero(dense)[1]],
                "timestamp": 0.0,
            }
        ),
        item_ids=[f"i{j:02d}" for j in range(23)],
        user_ids=[str(u) for u in range(50)],
    )
    gram_matrix = gram(interactions.matrix(), np.dtype(np.float64))
    np.testing.assert_array_equal(gram_matrix, dense.T @ dense)
    spd = gram_matrix + 2.0 * np.eye(23)
    inverse = spd_inverse_inplace(spd.copy())
    np.testing.assert_allclose(inverse, np.linalg.inv(spd), rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(inverse, inverse.T)


def test_inverse_is_in_place() -> None:
    spd = np.eye(4) * 3.0 + 1.0
    out = spd_inverse_inplace(spd)
    assert np.shares_memory(out, spd)


def test_not_positive_definite_is_a_clear_error() -> None:
    with pytest.raises(np.linalg.LinAlgError, match="positive definite"):
        spd_inverse_inplace(-np.eye(3))


def test_float32_weights() -> None:
    model = EASERecommender().fit(tiny_interactions())
    assert model.weights_.dtype == np.float32
    assert np.all(np.diag(model.weights_) == 0.0)


@pytest.mark.parametrize("dropout", [0.2, 0.5])
def test_emphasised_denoising_matches_edlae(dropout: float) -> None:
    """EDLAE (Steck 2020): the diagonal penalty is l2 + p/(1-p) * diag(X^T X)."""
    gram_matrix = TINY.T @ TINY
    penalty = 3.0 + dropout / (1.0 - dropout) * np.diag(gram_matrix)
    inverse = np.linalg.inv(gram_matrix + np.diag(penalty))
    expected = -inverse / np.diag(inverse)[np.newaxis, :]
    np.fill_diagonal(expected, 0.0)
    model = EASERecommender({"l2": 3.0, "dropout": dropout}, seed=0).fit(tiny_interactions())
    np.testing.assert_allclose(model.weights_, expected, rtol=1e-4, atol=1e-6)
    plain = EASERecommender({"l2": 3.0}, seed=0).fit(tiny_interactions())
    assert not np.allclose(model.weights_, plain.weights_)


def test_a_matrix_too_large_for_memory_is_refused_with_its_size() -> None:
    with pytest.raises(DataTooLargeError, match=r"68,000 items needs about 21\.5 GiB"):
        ease_module.check_memory(68_000, np.dtype(np.float32), available=8 * 2**30)
    ease_module.check_memory(1_000, np.dtype(np.float32), available=8 * 2**30)
