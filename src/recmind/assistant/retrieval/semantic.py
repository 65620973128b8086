"""Dense vectors of the documents, from the project's encoders (and their disk cache)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from recmind.text.embed import resolve_encoder
from recmind.text.encoders import Encoder, Progress


def passage_text(title: str, text: str) -> str:
    """What a document is embedded as: title, then text."""
    return f"{title}. {text}" if title else text


def encode_passages(
    texts: Sequence[str],
    encoder: Encoder | str,
    *,
    cache: bool = True,
    progress: Progress | None = None,
) -> np.ndarray:
    """``(len(texts), dim)`` unit vectors, read from the embedding cache where known."""
    resolved = resolve_encoder(encoder, cache=cache)
    return resolved.encode(list(texts), kind="passage", progress=progress)


def encode_query(query: str, encoder: Encoder | str) -> np.ndarray:
    """One unit vector for a question (``kind="query"``, not cached)."""
    resolved = resolve_encoder(encoder, cache=False)
    return np.asarray(resolved.encode([query], kind="query")[0], dtype=np.float32)


def centre_by_language(
    scores: np.ndarray, languages: np.ndarray, allowed: np.ndarray
) -> np.ndarray:
    """``scores`` minus the mean score of the allowed documents of the same language.

    A multilingual encoder rates any text in the question's language a little closer than
    any text in another (e5: a Chinese question is about 0.02 nearer every Chinese product
    than the English returns policy it asks about), which would bury the right document in
    the other language. Centring each language's scores removes that offset and keeps the
    order within a language.
    """
    out = np.asarray(scores, dtype=np.float32).copy()
    for language in np.unique(languages[allowed]):
        rows = allowed & (languages == language)
        out[rows] -= np.float32(out[rows].mean())
    return out


class SemanticIndex:
    """Unit vectors row-aligned with the documents; cosine similarity by dot product."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    def scores(self, query_vector: np.ndarray) -> np.ndarray:
        if len(self.vectors) == 0:
            return np.zeros(0, dtype=np.float32)
        return np.asarray(self.vectors @ query_vector, dtype=np.float32)

    def save(self, path: Path) -> None:
        np.save(path, self.vectors, allow_pickle=False)

    @classmethod
    def load(cls, path: Path) -> SemanticIndex:
        return cls(np.load(path, allow_pickle=False))
