"""Reference points for evaluation only, never served: seeded random rankings.

``random`` tells what chance alone scores under a protocol; ``random-new`` ranks the items
nobody touched in training first, in random order, then the rest: what "recommend
whatever is new" would score on the cold-item protocol, whose never-touched pool holds
decoys besides the targets. Both are resolvable by ``evaluate`` and
``recmind eval --models random,random-new`` but are not in :mod:`recmind.rec.registry`,
so ``recmind train`` cannot publish them.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from typing import ClassVar

import numpy as np

from recmind.rec.base import ModelConfig, Recommender
from recmind.rec.interactions import Interactions

_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a fast, well-mixed 64-bit hash, elementwise."""
    with np.errstate(over="ignore"):
        z = x + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        return z ^ (z >> np.uint64(31))


def uniform_scores(seed: int, user_index: np.ndarray, n_items: int) -> np.ndarray:
    """``(len(user_index), n_items)`` scores in [0, 1) that depend only on (seed, user,
    item): the same user gets the same ranking in any batch, another seed another one."""
    users = np.asarray(user_index, dtype=np.uint64)[:, None]
    items = np.arange(n_items, dtype=np.uint64)[None, :]
    with np.errstate(over="ignore"):
        key = _splitmix64(np.uint64(seed & 0xFFFFFFFFFFFFFFFF) ^ _splitmix64(users))
        hashed = _splitmix64(key + items)
    return (hashed >> np.uint64(11)).astype(np.float64) / float(1 << 53)


class RandomConfig(ModelConfig):
    """No hyperparameters."""


def history_keys(histories: Sequence[Sequence[int]]) -> np.ndarray:
    """A stable key per history (CRC-32 of its items), standing in for a user index."""
    return np.asarray(
        [zlib.crc32(np.asarray(h, dtype=np.int64).tobytes()) for h in histories],
        dtype=np.int64,
    )


class RandomRecommender(Recommender):
    """Every known user gets an independent uniformly random ranking (seeded)."""

    name: ClassVar[str] = "random"
    Config: ClassVar[type[ModelConfig]] = RandomConfig

    def _fit(self, interactions: Interactions) -> None:
        self.n_items_ = interactions.n_items

    def _score(self, user_index: np.ndarray) -> np.ndarray:
        return uniform_scores(self.seed, user_index, self.n_items_)

    def score_histories(self, histories: Sequence[Sequence[int]]) -> np.ndarray:
        """A random ranking per history, the same for the same history."""
        return uniform_scores(self.seed, history_keys(histories), self.n_items_)


class RandomNewRecommender(RandomRecommender):
    """Items nobody touched in training first, in a random order, then every other item
    in a random order."""

    name: ClassVar[str] = "random-new"

    def _fit(self, interactions: Interactions) -> None:
        super()._fit(interactions)
        self.never_touched_ = (interactions.item_popularity() == 0).astype(np.float64)

    def _score(self, user_index: np.ndarray) -> np.ndarray:
        scores: np.ndarray = super()._score(user_index) + self.never_touched_
        return scores

    def score_histories(self, histories: Sequence[Sequence[int]]) -> np.ndarray:
        scores: np.ndarray = super().score_histories(histories) + self.never_touched_
        return scores


REFERENCE_MODELS: dict[str, type[Recommender]] = {
    RandomRecommender.name: RandomRecommender,
    RandomNewRecommender.name: RandomNewRecommender,
}
"""Models ``evaluate`` can run besides the registry's; not servable."""


def with_reference_models(
    names: Sequence[str] | None, registry: Mapping[str, type[Recommender]] | None
) -> Mapping[str, type[Recommender]] | None:
    """The registry to resolve ``names`` in: unchanged unless a reference model is asked
    for by name, then the given (or the default) registry plus the reference models."""
    wanted = {n.strip().lower() for n in names or []}
    if not wanted & set(REFERENCE_MODELS):
        return registry
    if registry is None:
        from recmind.rec import registry as default

        registry = default.MODELS
    return {**REFERENCE_MODELS, **registry}
