"""Keyphrases by embedding (KeyBERT-style): the n-grams of a document whose meaning is
closest to the whole document, picked with maximal marginal relevance so they differ.

Candidates are word n-grams that neither start nor end with a stop word (English), or
character n-grams between punctuation and function characters (Chinese). At most
``max_candidates`` per document are embedded: the most frequent, earliest first. A document
may be several texts (an item's description and reviews): its vector is then the mean of
theirs. Everything is deterministic: the same texts and encoder give the same phrases.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from recmind.text.embed import resolve_encoder
from recmind.text.encoders import Encoder, Progress, l2_normalise

Document = str | Sequence[str]
"""One text, or several texts about the same thing."""

_CHUNK_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”«»<>/\\|…\n\r\t]+|\s[-–—]+\s")
_WORD = re.compile(r"[a-z][a-z0-9'’-]*[a-z0-9]|[a-z]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
CJK_FUNCTION_CHARACTERS = (
    "的了是在和也就都而及与着或我你他她它们这那有很把被给对从向吗呢吧啊呀哦还又再才但却"
    "个件条款双只些一"
)
"""Particles, pronouns and measure words: a Chinese candidate never spans one."""
_CJK_STOP = re.compile(f"[{CJK_FUNCTION_CHARACTERS}]+")
MAX_CJK_NGRAM = 4


@cache
def english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop words, plus contractions' remains."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | {"s", "t", "don't", "it's", "i'm", "i've", "isn't"}


@dataclass(frozen=True)
class Keyphrase:
    """A phrase and its cosine similarity to the document it was taken from."""

    phrase: str
    score: float


def _english_candidates(text: str, ngram_range: tuple[int, int]) -> list[str]:
    stop = english_stop_words()
    low, high = ngram_range
    out = []
    for chunk in _CHUNK_BREAK.split(text.lower().replace("’", "'")):
        words = _WORD.findall(chunk)
        for n in range(low, high + 1):
            for start in range(len(words) - n + 1):
                gram = words[start : start + n]
                if gram[0] in stop or gram[-1] in stop or any(len(w) < 2 for w in gram):
                    continue
                out.append(" ".join(gram))
    return out


def _chinese_candidates(text: str) -> list[str]:
    out: list[str] = []
    for run in _CJK_RUN.findall(text):
        for segment in _CJK_STOP.split(run):
            for n in range(2, min(MAX_CJK_NGRAM, len(segment)) + 1):
                out.extend(segment[i : i + n] for i in range(len(segment) - n + 1))
    return out


def candidate_phrases(
    text: str, *, ngram_range: tuple[int, int] = (1, 2), max_candidates: int = 100
) -> list[str]:
    """Candidate keyphrases of ``text``, most frequent first (ties: first seen first)."""
    if ngram_range[0] < 1 or ngram_range[1] < ngram_range[0]:
        raise ValueError(f"bad ngram_range {ngram_range}")
    grams = _english_candidates(text, ngram_range) + _chinese_candidates(text)
    counts = Counter(grams)
    first = {g: i for i, g in reversed(list(enumerate(grams)))}
    ranked = sorted(counts, key=lambda g: (-counts[g], first[g]))
    return ranked[:max_candidates]


def mmr(doc: np.ndarray, candidates: np.ndarray, top_n: int, diversity: float) -> list[int]:
    """Maximal marginal relevance: indices of ``top_n`` rows of ``candidates`` (unit vectors),
    each maximising ``(1 - diversity) * sim(doc) - diversity * max sim(already chosen)``;
    ties go to the lower index."""
    relevance = candidates @ doc
    chosen: list[int] = []
    redundancy: np.ndarray | None = None
    for _ in range(min(top_n, len(candidates))):
        gain = (1.0 - diversity) * relevance
        if redundancy is not None:
            gain = gain - diversity * redundancy
        gain[chosen] = -np.inf
        best = int(np.argmax(gain))
        chosen.append(best)
        similarity = candidates @ candidates[best]
        redundancy = similarity if redundancy is None else np.maximum(redundancy, similarity)
    return chosen


def extract_keyphrases(
    documents: Sequence[Document],
    encoder: Encoder | str | None = None,
    *,
    top_n: int = 5,
    ngram_range: tuple[int, int] = (1, 2),
    diversity: float = 0.5,
    max_candidates: int = 100,
    cache: bool = False,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
) -> list[list[Keyphrase]]:
    """The ``top_n`` keyphrases of every document, best first.

    Args:
        documents: Each a text or a list of texts about one thing (its vector is their mean).
        encoder: An encoder, its name, or ``None`` for ``settings.encoder``.
        top_n: Phrases per document at most.
        ngram_range: Shortest and longest English candidate, in words.
        diversity: 0 ranks by relevance only; towards 1 prefers phrases unlike those chosen.
        max_candidates: Candidates embedded per document (the most frequent).
        cache: Keep the vectors in the on-disk embedding cache.
        cache_dir: Another cache folder.
        progress: ``(done, total)`` over the texts and phrases encoded.
    """
    if not 0.0 <= diversity <= 1.0:
        raise ValueError(f"diversity must be in [0, 1], got {diversity}")
    resolved = resolve_encoder(encoder, cache=cache, cache_dir=cache_dir)
    texts_of = [[d] if isinstance(d, str) else [str(t) for t in d] for d in documents]
    candidates = [
        candidate_phrases(" \n".join(t), ngram_range=ngram_range, max_candidates=max_candidates)
        for t in texts_of
    ]
    flat_texts = [t for texts in texts_of for t in texts if t.strip()]
    phrases = sorted({p for c in candidates for p in c})
    total = len(flat_texts) + len(phrases)
    text_vectors = resolved.encode(flat_texts, kind="passage")
    if progress is not None:
        progress(len(flat_texts), total)
    phrase_vectors = resolved.encode(phrases, kind="query")
    if progress is not None:
        progress(total, total)
    phrase_row = {p: i for i, p in enumerate(phrases)}
    out: list[list[Keyphrase]] = []
    offset = 0
    for texts, cands in zip(texts_of, candidates, strict=True):
        used = sum(1 for t in texts if t.strip())
        rows = text_vectors[offset : offset + used]
        offset += used
        if used == 0 or not cands:
            out.append([])
            continue
        doc = l2_normalise(rows.mean(axis=0, keepdims=True))[0]
        vectors = phrase_vectors[[phrase_row[c] for c in cands]]
        picked = mmr(doc, vectors, top_n, diversity)
        out.append([Keyphrase(cands[i], float(vectors[i] @ doc)) for i in picked])
    return out


def item_documents(
    items: pd.DataFrame, reviews: pd.DataFrame | None = None, *, max_reviews: int = 10
) -> dict[str, list[str]]:
    """Each item's texts: its description and up to ``max_reviews`` of its reviews (longest
    first); items with neither are left out."""
    docs: dict[str, list[str]] = {}
    if "description" in items:
        for item_id, text in zip(items["item_id"].astype(str), items["description"], strict=True):
            if isinstance(text, str) and text.strip():
                docs.setdefault(item_id, []).append(text.strip())
    if reviews is not None and not reviews.empty and "text" in reviews:
        frame = pd.DataFrame(
            {"item": reviews["item_id"].astype(str), "text": reviews["text"].fillna("")}
        )
        frame = frame[frame["text"].str.strip() != ""]
        frame = frame.assign(length=-frame["text"].str.len()).sort_values(
            ["item", "length"], kind="stable"
        )
        for item_id, text in (
            frame.groupby("item", sort=False)
            .head(max_reviews)[["item", "text"]]
            .itertuples(index=False)
        ):
            docs.setdefault(str(item_id), []).append(str(text))
    return docs


def item_keyphrases(
    items: pd.DataFrame,
    reviews: pd.DataFrame | None = None,
    encoder: Encoder | str | None = None,
    *,
    top_n: int = 5,
    max_reviews: int = 10,
    cache: bool = True,
    progress: Progress | None = None,
) -> dict[str, list[Keyphrase]]:
    """Keyphrases of every item that has a description or reviews, by item id (the input of
    :class:`recmind.profiles.ProfileIndex` ``keyphrases``)."""
    docs = item_documents(items, reviews, max_reviews=max_reviews)
    ids = sorted(docs)
    found = extract_keyphrases(
        [docs[i] for i in ids], encoder, top_n=top_n, cache=cache, progress=progress
    )
    return dict(zip(ids, found, strict=True))
