"""Item-based k-nearest neighbours on cosine similarity of binary interaction columns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from pydantic import Field

from recmind.rec.base import ModelConfig, Recommender
from recmind.rec.interactions import Interactions

_BLOCK_CELLS = 32_000_000
"""Dense similarity cells computed at once (float32: ~128 MB), bounding peak memory."""


class ItemKNNConfig(ModelConfig):
    """Hyperparameters of :class:`ItemKNNRecommender`."""

    neighbors: int = Field(
        default=100, ge=1, description="Most similar items kept for every target item."
    )
    shrinkage: float = Field(
        default=0.0,
        ge=0,
        description="Added to the cosine denominator: pulls similarities resting on few "
        "co-occurrences towards zero.",
    )


def cosine_neighbours(matrix: sp.csr_matrix, neighbors: int, shrinkage: float) -> sp.csr_matrix:
    """Item x item similarity ``S`` with ``S[i, j] = x_i . x_j / (|x_i| |x_j| + shrinkage)``
    (``x`` the binary item columns of ``matrix``), zero diagonal, keeping for every target
    column ``j`` only its ``neighbors`` largest positive entries.

    Works on blocks of target items so memory stays bounded on large catalogues.
    """
    binary = matrix.astype(bool).astype(np.float32)
    item_users = binary.T.tocsr()
    users_items = binary.tocsc()
    norms = np.sqrt(np.asarray(item_users.sum(axis=1)).ravel()).astype(np.float32)
    n_items = binary.shape[1]
    keep = min(neighbors, max(n_items - 1, 0))
    block = max(1, _BLOCK_CELLS // max(n_items, 1))
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for start in range(0, n_items, block):
        stop = min(start + block, n_items)
        # (n_items, stop - start): co-occurrence of every item with the target items
        dots = (item_users @ users_items[:, start:stop]).toarray()
        sims = dots / (np.outer(norms, norms[start:stop]) + np.float32(shrinkage) + 1e-12)
        sims[np.arange(start, stop), np.arange(stop - start)] = 0.0
        if keep == 0:
            continue
        top = np.argpartition(-sims, keep - 1, axis=0)[:keep]
        top_vals = np.take_along_axis(sims, top, axis=0)
        target = np.broadcast_to(np.arange(start, stop), top.shape)
        positive = top_vals > 0
        rows.append(top[positive])
        cols.append(target[positive])
        vals.append(top_vals[positive].astype(np.float32))
    if not rows:
        return sp.csr_matrix((n_items, n_items), dtype=np.float32)
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_items, n_items),
        dtype=np.float32,
    )


def history_matrix(histories: Sequence[Sequence[int]], n_items: int) -> sp.csr_matrix:
    """Binary ``(len(histories), n_items)`` rows of ad-hoc histories of dense item indices:
    the same 1-per-touched-item encoding as the training matrix (repeats count once,
    negative indices, items outside the model's index, are dropped)."""
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for row, history in enumerate(histories):
        items = np.unique(np.asarray(history, dtype=np.int64).reshape(-1))
        items = items[(items >= 0) & (items < n_items)]
        cols.append(items)
        rows.append(np.full(items.size, row, dtype=np.int64))
    row_index = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    col_index = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    return sp.csr_matrix(
        (np.ones(row_index.size, dtype=np.float32), (row_index, col_index)),
        shape=(len(histories), n_items),
        dtype=np.float32,
    )


def empty_rows(matrix: sp.csr_matrix) -> np.ndarray:
    """True for the rows of ``matrix`` without a stored entry (histories with no known item)."""
    return np.asarray(np.diff(matrix.indptr) == 0, dtype=bool)


class ItemKNNRecommender(Recommender):
    """Scores an item by summing its similarity to every item the user touched."""

    name: ClassVar[str] = "itemknn"
    Config: ClassVar[type[ModelConfig]] = ItemKNNConfig
    config: ItemKNNConfig

    @classmethod
    def search_space(cls) -> list[dict[str, Any]]:
        """Neighbourhood sizes common on MovieLens-sized data, with and without shrinkage."""
        return [{"neighbors": k, "shrinkage": s} for k in (10, 20, 50, 100) for s in (0.0, 10.0)]

    def _fit(self, interactions: Interactions) -> None:
        self.similarity_ = cosine_neighbours(
            self.seen_, self.config.neighbors, self.config.shrinkage
        )

    def _score(self, user_index: np.ndarray) -> np.ndarray:
        product = self.seen_[user_index] @ self.similarity_
        return np.asarray(product.toarray(), dtype=np.float64)

    def score_histories(self, histories: Sequence[Sequence[int]]) -> np.ndarray:
        """The same sum of similarities, over the history's items instead of the training
        row's; an empty history gets normalised popularity."""
        rows = history_matrix(histories, self.interactions_.n_items)
        scores = np.asarray((rows @ self.similarity_).toarray(), dtype=np.float64)
        scores[empty_rows(rows)] = self.fallback_scores_
        return scores
