"""Item-based k-nearest neighbours on cosine similarity of binary interaction columns."""

from __future__ import annotations

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
