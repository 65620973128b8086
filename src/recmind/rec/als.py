"""Implicit-feedback matrix factorisation (Hu, Koren & Volinsky 2008) trained with the
conjugate-gradient ALS of ``implicit``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from implicit.cpu.als import AlternatingLeastSquares
from pydantic import Field
from threadpoolctl import threadpool_limits

from recmind.rec.base import ModelConfig, Recommender
from recmind.rec.interactions import Interactions
from recmind.rec.itemknn import empty_rows, history_matrix

logger = logging.getLogger(__name__)


class ALSConfig(ModelConfig):
    """Hyperparameters of :class:`ALSRecommender`."""

    factors: int = Field(default=64, ge=1, description="Latent dimensions of users and items.")
    regularization: float = Field(
        default=0.1, ge=0, description="L2 penalty on the factors (lambda in Hu et al.)."
    )
    alpha: float = Field(
        default=5.0,
        ge=0,
        description="Confidence slope: an observed pair weighs 1 + alpha in the loss, an "
        "unobserved one 1.",
    )
    iterations: int = Field(default=15, ge=1, description="Full ALS sweeps (users then items).")
    num_threads: int = Field(
        default=1,
        ge=1,
        description="Threads for the factor updates. Each user's (item's) solve is "
        "independent, so results do not depend on this.",
    )


def confidence_matrix(matrix: sp.csr_matrix, alpha: float) -> sp.csr_matrix:
    """``1 + alpha * x`` on the stored entries of the binary user x item ``matrix``.

    implicit 0.7 reads each stored value as the full confidence ``c_ui`` of a positive pair
    (its own ``alpha`` only multiplies the matrix), so we build ``c_ui`` ourselves and leave
    implicit's ``alpha`` at 1.
    """
    confidence = matrix.astype(bool).astype(np.float32)
    confidence.data = 1.0 + np.float32(alpha) * confidence.data
    return confidence.tocsr()


class ALSRecommender(Recommender):
    """Scores are dot products of user and item factors."""

    name: ClassVar[str] = "als"
    Config: ClassVar[type[ModelConfig]] = ALSConfig
    config: ALSConfig

    @classmethod
    def search_space(cls) -> list[dict[str, Any]]:
        """A plain grid over the usual ranges for implicit-feedback ALS (Hu et al. 2008;
        the ``implicit`` documentation): factors 64/128, L2 penalty 0.1 to 10, confidence
        slope 2/10. Deliberately not shaped on any dataset's test results: the validation
        target alone picks the point."""
        points = [
            (factors, regularization, alpha)
            for factors in (64, 128)
            for regularization in (0.1, 1.0, 10.0)
            for alpha in (2.0, 10.0)
        ]
        return [
            {"factors": f, "regularization": r, "alpha": a, "iterations": 15} for f, r, a in points
        ]

    def _fit(self, interactions: Interactions) -> None:
        cfg = self.config
        # implicit warns (and crawls) when BLAS runs its own threads next to its own.
        with threadpool_limits(1, "blas"):
            model = AlternatingLeastSquares(
                factors=cfg.factors,
                regularization=cfg.regularization,
                alpha=1.0,
                iterations=cfg.iterations,
                num_threads=cfg.num_threads,
                random_state=self.seed,
            )
            model.fit(confidence_matrix(self.seen_, cfg.alpha), show_progress=False)
        # Keep plain arrays only: the model object is not needed to score, and arrays
        # pickle compactly and independently of implicit's internals.
        self.user_factors_ = np.ascontiguousarray(model.user_factors, dtype=np.float32)
        self.item_factors_ = np.ascontiguousarray(model.item_factors, dtype=np.float32)

    def _score(self, user_index: np.ndarray) -> np.ndarray:
        return np.asarray(self.user_factors_[user_index] @ self.item_factors_.T, dtype=np.float64)

    def fold_in(self, histories: Sequence[Sequence[int]]) -> np.ndarray:
        """User factors ``(len(histories), factors)`` solved from each history with the item
        factors fixed: the exact least-squares step ALS itself takes for a user,
        ``x = (Y^T Y + reg I + alpha Y_h^T Y_h)^-1 (1 + alpha) Y_h^T 1`` (confidence
        ``1 + alpha`` on the history's items). An empty history gives a zero vector."""
        return self._fold_in_rows(history_matrix(histories, self.interactions_.n_items))

    def _fold_in_rows(self, rows: sp.csr_matrix) -> np.ndarray:
        item_factors = self.item_factors_.astype(np.float64)
        gram = self._fold_in_gram()
        alpha = self.config.alpha
        out = np.zeros((rows.shape[0], item_factors.shape[1]), dtype=np.float64)
        for row in range(rows.shape[0]):
            items = rows.indices[rows.indptr[row] : rows.indptr[row + 1]]
            if items.size == 0:
                continue
            touched = item_factors[items]
            system = gram + alpha * (touched.T @ touched)
            out[row] = np.linalg.solve(system, (1.0 + alpha) * touched.sum(axis=0))
        return out

    def _fold_in_gram(self) -> np.ndarray:
        """``Y^T Y + reg I`` (float64), computed once per fitted model: it does not depend
        on the history. Keyed by the factor array itself, so a refit recomputes it;
        concurrent first calls compute the same value."""
        cached: tuple[np.ndarray, np.ndarray] | None = self.__dict__.get("fold_in_gram_")
        if cached is not None and cached[0] is self.item_factors_:
            return cached[1]
        factors = self.item_factors_.astype(np.float64)
        gram = factors.T @ factors + self.config.regularization * np.eye(factors.shape[1])
        self.fold_in_gram_ = (self.item_factors_, gram)
        return gram

    def score_histories(self, histories: Sequence[Sequence[int]]) -> np.ndarray:
        """Dot products of the folded-in user factors (:meth:`fold_in`) with every item's;
        an empty history gets normalised popularity."""
        rows = history_matrix(histories, self.interactions_.n_items)
        scores = self._fold_in_rows(rows) @ self.item_factors_.T.astype(np.float64)
        scores[empty_rows(rows)] = self.fallback_scores_
        return np.asarray(scores, dtype=np.float64)
