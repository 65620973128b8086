"""BM25 over the documents' words (``tokens.py``), through bm25s (sparse matrices)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

from recmind.assistant.retrieval.tokens import tokens

# bm25s sets its own logger to DEBUG on import, which prints "Building index from tokens"
# through any handler the application installed: back to the usual threshold.
logging.getLogger("bm25s").setLevel(logging.WARNING)


def document_words(title: str, text: str) -> list[str]:
    """What a document is indexed under: its title, then its text."""
    return tokens(f"{title}\n{text}", document=True)


class LexicalIndex:
    """BM25 (Lucene's variant, k1 1.5, b 0.75) with rows aligned to the documents."""

    def __init__(self, model: bm25s.BM25, size: int) -> None:
        self._model = model
        self.size = size

    @classmethod
    def build(cls, words: Sequence[list[str]]) -> LexicalIndex:
        model = bm25s.BM25()
        model.index([list(w) for w in words], show_progress=False)
        return cls(model, len(words))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row for ``query`` (0 where no word matches)."""
        if self.size == 0:
            return np.zeros(0, dtype=np.float32)
        vocabulary = self._model.vocab_dict
        known = [w for w in dict.fromkeys(tokens(query)) if w in vocabulary]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)

    def save(self, folder: Path) -> None:
        self._model.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int) -> LexicalIndex:
        model = bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)
        return cls(model, size)
