"""Content-based recommendation from item texts: a person is the average meaning of what
they engaged with, recent things counting more.

Every item with a text has a vector whether or not anyone touched it, so new items are
recommended from day one, and a user with one or two events already has a direction. On
MovieLens the texts are only titles and genres, so collaborative models rank better there;
this model's job is cold start and a semantic candidate source for the hybrid ranker.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pydantic import Field

from recmind.rec.base import ModelConfig, Recommender
from recmind.rec.interactions import Interactions
from recmind.text.embed import item_embeddings
from recmind.text.encoders import l2_normalise


class SemanticConfig(ModelConfig):
    """Hyperparameters of :class:`SemanticRecommender`."""

    encoder: str | None = Field(
        default=None,
        description="Encoder name (minilm, minilm-onnx, e5); None uses settings.encoder "
        "(RECMIND_ENCODER).",
    )
    half_life_events: float | None = Field(
        default=3.0,
        gt=0,
        description="An item with this many newer items in the user's history weighs half "
        "as much as the newest one (events at the same timestamp weigh the same); None "
        "weighs the whole history equally.",
    )
    cache_embeddings: bool = Field(
        default=True,
        description="Keep item vectors in the on-disk embedding cache (<home>/cache/embeddings).",
    )


def recency_weights(interactions: Interactions, half_life_events: float | None) -> np.ndarray:
    """Per (user, item) pair: ``0.5 ** (n_newer / half_life)`` where ``n_newer`` counts the
    user's pairs with a strictly later timestamp (ties share a weight: no order is invented)."""
    if half_life_events is None or len(interactions) == 0:
        return np.ones(len(interactions), dtype=np.float64)
    frame = pd.DataFrame({"u": interactions.user_index, "t": interactions.timestamps})
    newer = frame.groupby("u")["t"].rank(method="min", ascending=False).to_numpy() - 1.0
    return np.asarray(np.exp2(-newer / half_life_events), dtype=np.float64)


class SemanticRecommender(Recommender):
    """Cosine between a user's recency-weighted mean item vector and every item vector."""

    name: ClassVar[str] = "semantic"
    Config: ClassVar[type[ModelConfig]] = SemanticConfig
    config: SemanticConfig

    @classmethod
    def search_space(cls) -> list[dict[str, Any]]:
        """From "the last item or two" to unbounded memory (on MovieLens 100K loo the
        validation target picks 1: the next film follows the last one)."""
        return [{"half_life_events": h} for h in (1.0, 3.0, 10.0, None)]

    def _fit(self, interactions: Interactions) -> None:
        self.item_vectors_ = item_embeddings(
            self.catalog_, self.config.encoder, cache=self.config.cache_embeddings
        )
        weights = recency_weights(interactions, self.config.half_life_events)
        history = sp.csr_matrix(
            (weights, (interactions.user_index, interactions.item_index)),
            shape=(interactions.n_users, interactions.n_items),
        )
        self.user_vectors_ = l2_normalise(np.asarray(history @ self.item_vectors_))
        self._index: Any = None

    def _score_vectors(self, vectors: np.ndarray) -> np.ndarray:
        """Cosine of unit (or zero) rows against every item; a zero row (no usable history)
        gets the popularity fallback."""
        scores = np.asarray(vectors @ self.item_vectors_.T, dtype=np.float64)
        empty = ~np.any(vectors, axis=1)
        if empty.any():
            scores[empty] = self.fallback_scores_
        return scores

    def _score(self, user_index: np.ndarray) -> np.ndarray:
        return self._score_vectors(self.user_vectors_[user_index])

    def score_history(
        self,
        item_index_lists: Sequence[Sequence[int]],
        half_life_events: float | None = None,
    ) -> np.ndarray:
        """Scores ``(len(item_index_lists), n_items)`` for ad-hoc histories (anonymous
        sessions), each a list of dense item indices, oldest first; indices < 0 (unknown
        items) are ignored and an empty history gets the popularity fallback.

        ``half_life_events`` defaults to the model's own.
        """
        own = self.config.half_life_events
        half_life = half_life_events if half_life_events is not None else own
        vectors = np.zeros((len(item_index_lists), self.item_vectors_.shape[1]), np.float32)
        for row, items in enumerate(item_index_lists):
            index = np.asarray([i for i in items if i >= 0], dtype=np.int64)
            if index.size == 0:
                continue
            newer = np.arange(index.size - 1, -1, -1, dtype=np.float64)
            weight = np.ones(index.size) if half_life is None else np.exp2(-newer / half_life)
            vectors[row] = weight @ self.item_vectors_[index]
        return self._score_vectors(l2_normalise(vectors))

    def score_histories(self, histories: Sequence[Sequence[int]]) -> np.ndarray:
        """The recency-weighted mean vector of the history (newest weighs most, with the
        model's half-life) against every item; see :meth:`score_history`."""
        return self.score_history(histories)

    def similar_items(self, item_ids: Sequence[str], k: int = 10) -> list[list[tuple[str, float]]]:
        """The ``k`` items whose texts are closest to each given item (itself excluded), by
        cosine, through a faiss inner-product index; an unknown id gets an empty list."""
        import faiss

        if self._index is None:
            index = faiss.IndexFlatIP(self.item_vectors_.shape[1])
            index.add(np.ascontiguousarray(self.item_vectors_, dtype=np.float32))
            self._index = index
        positions = self.interactions_.lookup_items(list(item_ids))
        known = positions >= 0
        out: list[list[tuple[str, float]]] = [[] for _ in positions]
        if not known.any() or k <= 0:
            return out
        depth = min(k + 1, self.interactions_.n_items)
        queries = np.ascontiguousarray(self.item_vectors_[positions[known]], dtype=np.float32)
        scores, neighbours = self._index.search(queries, depth)
        for row, own, found, sims in zip(
            np.flatnonzero(known), positions[known], neighbours, scores, strict=True
        ):
            pairs = [
                (str(self.interactions_.item_ids[j]), float(s))
                for j, s in zip(found, sims, strict=True)
                if j >= 0 and j != own
            ]
            out[row] = pairs[:k]
        return out

    def __getstate__(self) -> dict[str, Any]:
        """Pickles without the faiss index (rebuilt on first use)."""
        state = dict(self.__dict__)
        state["_index"] = None
        return state
