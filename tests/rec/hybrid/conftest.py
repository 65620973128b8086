"""A hybrid fitted once on the shared small data set (``tests/rec/conftest.py``), with
sources that need no text encoder, and a fake source with fixed score tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from recmind.rec.hybrid import HybridRecommender
from recmind.rec.hybrid.sources import Source
from recmind.rec.interactions import Interactions, ItemCatalog

FAST: dict[str, Any] = {
    "sources": ("ease", "transitions", "popular", "trending"),
    "source_params": {"ease": {"l2": 10.0}},
    "min_child_samples": 5,
    "trees": 40,
}
"""Fast sources (no text encoder), small trees; the default nine label cuts."""
SEMANTIC: dict[str, Any] = {"encoder": "minilm-onnx", "cache_embeddings": False}


@pytest.fixture(scope="session")
def fitted(interactions: Interactions, catalog: ItemCatalog) -> HybridRecommender:
    return HybridRecommender(FAST, seed=5).fit(interactions, catalog)


class FakeSource(Source):
    """Scores from a fixed table: row ``h[0]`` for a history ``h`` (its first item picks
    it), the same at every moment; records the moments it was asked at."""

    def __init__(self, name: str, table: Sequence[Sequence[float]]):
        self.name = name
        self.table = np.asarray(table, dtype=np.float32)
        self.moments: list[np.ndarray] = []

    def fit(self, interactions: Interactions, catalog: ItemCatalog, seed: int) -> None:
        pass

    def history_scores(self, histories: Sequence[np.ndarray], moments: np.ndarray) -> np.ndarray:
        self.moments.append(np.asarray(moments, dtype=np.float64))
        rows: np.ndarray = self.table[[int(h[0]) for h in histories]]
        return rows
