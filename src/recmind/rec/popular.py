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


def decayed_counts(
    interactions: Interactions, half_life_days: float | None, *, at: float | None = None
) -> np.ndarray:
    """Per-item sum of ``0.5 ** ((at - t) / half_life)`` over the (user, item) pairs known
    at ``at`` (first event at or before it; ``t`` is their latest event, or their first when
    they repeat after ``at``: what was known then), or
    plain user counts when ``half_life_days`` is None. ``at`` defaults to the latest
    training timestamp; a later moment gives the same counts (nothing new is known, and
    decaying everything alike would not change the order)."""
    if len(interactions) == 0:
        return np.zeros(interactions.n_items)
    latest = float(interactions.timestamps.max())
    moment = latest if at is None else min(float(at), latest)
    known = interactions.first_times <= moment
    # a pair repeated after the moment is known only by its first event
    # (as :meth:`Interactions.before` keeps it)
    times = np.where(
        interactions.timestamps <= moment, interactions.timestamps, interactions.first_times
    )
    if half_life_days is None:
        weights = known.astype(np.float64)
    else:
        weights = np.where(
            known, np.exp2(-(moment - times) / (half_life_days * SECONDS_PER_DAY)), 0.0
        )
    return np.bincount(interactions.item_index, weights=weights, minlength=interactions.n_items)


class PopularityRecommender(Recommender):
    """Everyone gets the same ranking: items by (optionally time-decayed) popularity."""

    name: ClassVar[str] = "popular"
    Config: ClassVar[type[ModelConfig]] = PopularityConfig
    config: PopularityConfig

    @classmethod
    def search_space(cls) -> list[dict[str, Any]]:
        """Plain counts and half-lives from a day to a year."""
        return [{"half_life_days": h} for h in (None, 1.0, 3.0, 7.0, 14.0, 30.0, 90.0, 365.0)]

    def _fit(self, interactions: Interactions) -> None:
        self.item_scores_ = decayed_counts(interactions, self.config.half_life_days)

    def _score(self, user_index: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.item_scores_, (len(user_index), len(self.item_scores_)))

    def score_histories(self, histories: Sequence[Sequence[int]]) -> np.ndarray:
        """Everyone, with any history or none, gets the model's own (decayed) ranking: this
        model's popularity is the one it was tuned to serve."""
        return np.tile(self.item_scores_.astype(np.float64), (len(histories), 1))

    def _score_histories_at(
        self, histories: Sequence[Sequence[int]], now: np.ndarray, last_seen: np.ndarray
    ) -> np.ndarray:
        """The popularity each moment knew: pairs first seen after it do not count, and the
        decay is measured from it (:func:`decayed_counts`)."""
        del last_seen
        out = np.empty((len(histories), self.interactions_.n_items), dtype=np.float64)
        latest = float(self.interactions_.timestamps.max(initial=-np.inf))
        for moment in np.unique(now):
            rows = now == moment
            if moment >= latest:
                out[rows] = self.item_scores_
            else:
                out[rows] = decayed_counts(
                    self.interactions_, self.config.half_life_days, at=float(moment)
                )
        return out
