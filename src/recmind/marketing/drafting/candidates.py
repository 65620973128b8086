"""The shop's categories that may fit a request, for shops with too many to list in full.

A request names a category in its own words ("soft drinks", "啤酒"); the shop spells it its
own way (``GROCERY/SOFT DRINKS``, ``GROCERY/BEERS & ALES``). Two signals pick the few to show
the model: shared words (plural-insensitive) and the cosine of multilingual sentence
vectors (the ``e5`` encoder puts Chinese and English in one space). The grammar still admits
every category, so a miss here narrows the model's view, not its choice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from recmind.text.encoders import Encoder

DEFAULT_ENCODER = "e5"
_WORD = re.compile(r"[a-z]+")
_STOP = {"and", "or", "the", "of", "in", "all", "other", "others", "misc", "products"}


def readable(category: str) -> str:
    """``GROCERY/BEERS & ALES`` as ``grocery: beers & ales``."""
    return category.replace("/", ": ").lower()


def _words(text: str) -> set[str]:
    found = {w.rstrip("s") for w in _WORD.findall(text.lower()) if len(w) > 2}
    return found - _STOP


@dataclass
class CategoryIndex:
    """Vectors of a shop's categories, built once and asked per request."""

    categories: tuple[str, ...]
    encoder: Encoder | None = None
    _vectors: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.encoder is not None and self.categories:
            passages = [readable(c) for c in self.categories]
            self._vectors = np.asarray(self.encoder.encode(passages, kind="passage"))

    def candidates(self, request: str, k: int = 16) -> list[str]:
        """Up to ``k`` categories, the word matches first, then the nearest by meaning."""
        words = _words(request)
        chosen: list[str] = []
        if words:
            scored = []
            for index, name in enumerate(self.categories):
                shared = len(words & _words(name))
                if shared:
                    scored.append((-shared, len(name), index))
            chosen = [self.categories[i] for _, _, i in sorted(scored)[: k // 2]]
        if self.encoder is not None and self._vectors is not None:
            query = np.asarray(self.encoder.encode([request], kind="query"))[0]
            order = np.argsort(-(self._vectors @ query), kind="stable")
            for index in order:
                if len(chosen) >= k:
                    break
                name = self.categories[int(index)]
                if name not in chosen:
                    chosen.append(name)
        return chosen[:k]


def category_index(categories: Sequence[str], encoder: Encoder | str | None) -> CategoryIndex:
    """An index over ``categories`` with ``encoder`` (a name, an instance, or ``None`` for
    word matches only)."""
    if isinstance(encoder, str):
        from recmind.text.embed import resolve_encoder

        encoder = resolve_encoder(encoder)
    return CategoryIndex(tuple(categories), encoder)
