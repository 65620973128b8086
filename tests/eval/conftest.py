"""Fixtures for the evaluation harness: small fake models and a synthetic bundle.

The real models live in ``recmind.rec.registry``; these fakes let the harness be tested on
its own, with behaviour simple enough to reason about.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest

from recmind.data.bundle import DataBundle
from recmind.rec.base import ModelConfig, Recommender
from recmind.rec.interactions import Interactions


class FakeRandomConfig(ModelConfig):
    salt: int = 0


class FakeRandomModel(Recommender):
    """Scores every item uniformly at random (seeded by seed and ``salt``)."""

    name = "fakerandom"
    Config = FakeRandomConfig

    @classmethod
    def search_space(cls) -> list[dict[str, Any]]:
        return [{"salt": 0}, {"salt": 1}, {"salt": 2}]

    def _fit(self, interactions: Interactions) -> None:
        rng = np.random.default_rng((self.seed, self.config.salt))  # type: ignore[attr-defined]
        self.table_ = rng.random((interactions.n_users, interactions.n_items))

    def _score(self, user_index: np.ndarray) -> np.ndarray:
        return self.table_[user_index]

    def score_histories(self, histories: Sequence[Sequence[int]]) -> np.ndarray:
        """A random row per history, the same for the same history (the harness ranks
        through histories)."""
        salt = self.config.salt  # type: ignore[attr-defined]
        n_items = self.table_.shape[1]
        out = np.empty((len(histories), n_items), dtype=np.float64)
        for row, history in enumerate(histories):
            key = zlib.crc32(np.asarray(history, dtype=np.int64).tobytes())
            out[row] = np.random.default_rng((self.seed, salt, key)).random(n_items)
        return out


class FakePopularConfig(ModelConfig):
    pass


class FakePopularModel(Recommender):
    """Scores items by how many training users touched them; remembers what it saw."""

    name = "fakepopular"
    Config = FakePopularConfig
    fitted_on: list[Interactions] = []  # noqa: RUF012 - shared log for leakage tests

    def _fit(self, interactions: Interactions) -> None:
        FakePopularModel.fitted_on.append(interactions)
        self.pop_ = interactions.item_popularity()

    def _score(self, user_index: np.ndarray) -> np.ndarray:
        return np.tile(self.pop_, (len(user_index), 1))

    def score_histories(self, histories: Sequence[Sequence[int]]) -> np.ndarray:
        return np.tile(self.pop_.astype(np.float64), (len(histories), 1))


@pytest.fixture
def fake_registry() -> dict[str, type[Recommender]]:
    FakePopularModel.fitted_on = []
    return {
        "fakerandom": FakeRandomModel,
        "fakepopular": FakePopularModel,
        "popular": FakePopularModel,
    }


def skewed_interactions(seed: int = 0, n_users: int = 80, n_items: int = 60) -> Interactions:
    """Skewed random events with many timestamp ties."""
    rng = np.random.default_rng(seed)
    n = 2500
    weights = np.arange(n_items, 0, -1, dtype=np.float64) ** 0.8
    events = pd.DataFrame(
        {
            "user_id": [f"u{u}" for u in rng.integers(0, n_users, n)],
            "item_id": [f"i{j}" for j in rng.choice(n_items, n, p=weights / weights.sum())],
            "timestamp": rng.integers(0, 40, n).astype(np.float64),
        }
    )
    ids = np.asarray([f"i{j}" for j in range(n_items)], dtype=object)
    return Interactions.from_frame(events, item_ids=ids)


@pytest.fixture(scope="module")
def skewed() -> Interactions:
    return skewed_interactions()


def make_bundle(
    n_users: int = 60, n_items: int = 40, n_events: int = 900, seed: int = 0
) -> DataBundle:
    """Random events with timestamp ties, repeats, several event types and a few searches."""
    rng = np.random.default_rng(seed)
    item_ids = [f"i{j}" for j in range(n_items)]
    genres = ["action", "comedy", "drama", "horror"]
    categories = [
        "|".join(sorted(set(rng.choice(genres, size=rng.integers(1, 3))))) for _ in item_ids
    ]
    items = pd.DataFrame({"item_id": item_ids, "title": item_ids, "category": categories})
    weights = np.arange(n_items, 0, -1, dtype=np.float64) ** 1.2
    events = pd.DataFrame(
        {
            "event_id": [f"e{n}" for n in range(n_events)],
            "user_id": [f"u{u}" for u in rng.integers(0, n_users, n_events)],
            "item_id": rng.choice(item_ids, size=n_events, p=weights / weights.sum()),
            "event_type": rng.choice(["view", "click", "purchase", "rating"], size=n_events),
            "timestamp": rng.integers(0, 100, n_events).astype(np.float64) * 1000.0,
            "value": np.nan,
        }
    )
    searches = events.head(5).assign(item_id=None, event_type="search")
    events = pd.concat([events, searches], ignore_index=True)
    return DataBundle(name="synthetic", items=items, events=events)


@pytest.fixture
def bundle() -> DataBundle:
    return make_bundle()
