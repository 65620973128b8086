"""Items created after the served model was trained, recommended through their text.

The model cannot score an item outside its index, so such an item is placed by meaning:
the person's recent history becomes one recency-weighted text vector (as the semantic model
builds it), and fresh items close enough to it take a bounded share of the list.
"""

from __future__ import annotations

import logging
import math
import threading
from pathlib import Path

import numpy as np

from recmind.rec.interactions import ItemCatalog
from recmind.text.embed import item_embeddings, resolve_encoder
from recmind.text.encoders import Encoder, l2_normalise

logger = logging.getLogger(__name__)


class TextSpace:
    """Unit text vectors of the served model's items (row-aligned with its index) and of
    fresh items, in one encoder's space; fresh vectors are computed once per text."""

    def __init__(self, encoder: Encoder, item_vectors: np.ndarray) -> None:
        self.encoder = encoder
        self.item_vectors = np.ascontiguousarray(item_vectors, dtype=np.float32)
        self._fresh: dict[tuple[str, str], np.ndarray] = {}
        self._lock = threading.Lock()

    @classmethod
    def build(cls, catalog: ItemCatalog, encoder_name: str, cache_dir: Path) -> TextSpace:
        """Encode (or read from the on-disk cache) every catalogue text."""
        encoder = resolve_encoder(encoder_name, cache=True, cache_dir=cache_dir)
        return cls(encoder, item_embeddings(catalog, encoder))

    @property
    def dim(self) -> int:
        return int(self.item_vectors.shape[1])

    def fresh_vectors(self, ids: tuple[str, ...], texts: tuple[str, ...]) -> np.ndarray:
        """``(len(ids), dim)`` vectors of fresh items (encoded on first sight)."""
        keys = list(zip(ids, texts, strict=True))
        with self._lock:
            missing = [k for k in keys if k not in self._fresh]
        if missing:
            encoded = self.encoder.encode([t for _, t in missing], kind="passage")
            with self._lock:
                self._fresh.update(zip(missing, encoded, strict=True))
        with self._lock:
            if not keys:
                return np.zeros((0, self.dim), dtype=np.float32)
            return np.stack([self._fresh[k] for k in keys]).astype(np.float32)

    def history_vector(
        self, items: np.ndarray, fresh: np.ndarray, half_life: float | None
    ) -> np.ndarray | None:
        """The recency-weighted mean of the history's vectors (``items``: model indices,
        oldest first, followed in time by the ``fresh`` rows), unit length; None when empty."""
        vectors = (
            np.concatenate([self.item_vectors[items], fresh])
            if len(fresh)
            else (self.item_vectors[items])
        )
        if len(vectors) == 0:
            return None
        newer = np.arange(len(vectors) - 1, -1, -1, dtype=np.float64)
        weights = np.ones(len(vectors)) if half_life is None else np.exp2(-newer / half_life)
        mean = (weights @ vectors.astype(np.float64)).astype(np.float32)
        unit: np.ndarray = l2_normalise(mean[np.newaxis, :])[0]
        return unit if np.any(unit) else None


def fresh_slots(k: int, share: float) -> int:
    """How many of ``k`` slots fresh items may take: ``ceil(k * share)`` (0 when share is 0)."""
    return 0 if share <= 0 else min(k, math.ceil(k * share))


def fresh_positions(k: int, count: int) -> list[int]:
    """Where ``count`` fresh items go in a list of ``k``: spread evenly, the first after
    ``k / count`` model items (k=10, 2 fresh: ranks 5 and 10)."""
    return [math.ceil((j + 1) * k / count) - 1 for j in range(count)]
