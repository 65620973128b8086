"""Recency-weighted item popularity: the baseline every other model must beat."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from recmind.rec.base import ModelConfig, Recommender
from recmind.rec.interactions import Interactions

SECONDS_PER_DAY = 86_400.0


class PopularityConfig(ModelConfig):
    """Hyperparameters of :class:`PopularityRecommender`."""

    half_life_days: float | None = Field(
        default=None,
        gt=0,
        description="An interaction this many days older than the latest training timestamp "
        "counts half as much as a fresh one; None counts every interaction once.",
    )


def decayed_counts(interactions: Interactions, half_life_days: float | None) -> np.ndarray:
    """Per-item sum of ``0.5 ** ((t_ref - t) / half_life)`` over (user, item) pairs, where
    ``t_ref`` is the latest training timestamp; plain user counts when ``half_life_days`` is
    None."""
    if half_life_days is None or len(interactions) == 0:
        weights = np.ones(len(interactions), dtype=np.float64)
    else:
        age = float(interactions.timestamps.max()) - interactions.timestamps
        weights = np.exp2(-age / (half_life_days * SECONDS_PER_DAY))
    return np.bincount(interactions.item_index, weights=weights, minlength=interactions.n_items)


class PopularityRecommender(Recommender):
    """Everyone gets the same ranking: items by (optionally time-decayed) popularity."""

    name: ClassVar[str] = "popular"
    Config: ClassVar[type[ModelConfig]] = PopularityConfig
    config: PopularityConfig

    @classmethod
    def search_space(cls) -> list[dict[str, Any]]:
        """Plain counts and half-lives from a week to a year."""
        return [{"half_life_days": h} for h in (None, 7.0, 30.0, 90.0, 365.0)]

    def _fit(self, interactions: Interactions) -> None:
        self.item_scores_ = decayed_counts(interactions, self.config.half_life_days)

    def _score(self, user_index: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.item_scores_, (len(user_index), len(self.item_scores_)))

    def score_histories(self, histories: Sequence[Sequence[int]]) -> np.ndarray:
        """Everyone, with any history or none, gets the model's own (decayed) ranking: this
        model's popularity is the one it was tuned to serve."""
        return np.tile(self.item_scores_.astype(np.float64), (len(histories), 1))
