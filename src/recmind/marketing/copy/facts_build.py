"""``recmind copy facts build``: read every item's description and reviews once and keep
what they say in ``item_facts`` (see :mod:`.facts_store`).

Per item, and only where its text changed since the last build (``force`` rebuilds all):

1. attributes from the description, and from its reviews (the longest few, joined), by the
   language model under the extractor's JSON schema; every kept value is found in the
   text it came from (:func:`recmind.text.extract.extract_attributes_detailed` drops the
   rest), and the row records that text as the source;
2. review sentiment: the share of positive reviews by the English/Chinese sentiment head,
   with the count and the mean rating from the reviews table;
3. keywords: the keyphrases of its texts (MiniLM for English, multilingual e5 for items
   written in Chinese).

Nothing is generated here that a text does not say: an extraction that fails leaves the
item without attributes from that source (counted in the report).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select

from recmind.data.schema import items, reviews
from recmind.data.store import Store
from recmind.marketing.copy.facts_store import (
    ATTRIBUTES,
    DESCRIPTION,
    KEYWORDS,
    REVIEWS,
    SENTIMENT,
    TEXTS,
    FactRow,
    stored_hashes,
    text_hash,
    write_facts,
)
from recmind.text.extract import ExtractionError, ProductAttributes, extract_attributes_detailed
from recmind.text.extract.keyphrases import extract_keyphrases
from recmind.text.grounding.matching import CJK
from recmind.text.llm.protocol import GenerationError, Generator
from recmind.text.sentiment import SentimentClassifier

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int | None], None]
"""``(stage, done, total)``."""
MAX_REVIEWS = 8
REVIEW_CHARS = 1500
KEYWORDS_PER_ITEM = 8
ENGLISH_ENCODER = "minilm"
CHINESE_ENCODER = "e5"


@dataclass(frozen=True)
class ItemTexts:
    """An item's texts as stored."""

    item_id: str
    title: str
    description: str
    reviews: tuple[str, ...]
    ratings: tuple[float, ...]

    @property
    def review_text(self) -> str:
        """The longest reviews joined, at most ``REVIEW_CHARS`` characters."""
        longest = sorted(self.reviews, key=len, reverse=True)[:MAX_REVIEWS]
        return "\n".join(longest)[:REVIEW_CHARS]

    @property
    def chinese(self) -> bool:
        return bool(CJK.search(self.title + self.description))


@dataclass
class BuildReport:
    """What a build did: facts written per kind, items skipped as unchanged, failures."""

    items: int = 0
    written: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def count(self, bucket: dict[str, int], key: str) -> None:
        bucket[key] = bucket.get(key, 0) + 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "written": dict(sorted(self.written.items())),
            "unchanged": self.unchanged,
            "failed": dict(sorted(self.failed.items())),
            "seconds": round(self.seconds, 3),
        }


def item_texts(store: Store, item_ids: Sequence[str] | None = None) -> list[ItemTexts]:
    """The description and review texts of ``item_ids`` (every item when None)."""
    query = select(items.c.item_id, items.c.title, items.c.description).order_by(items.c.item_id)
    if item_ids is not None:
        query = query.where(items.c.item_id.in_([str(i) for i in item_ids]))
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
        wanted = [str(r.item_id) for r in rows]
        by_item: dict[str, list[tuple[str, float | None]]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for review in connection.execute(
                select(reviews.c.item_id, reviews.c.text, reviews.c.rating)
                .where(reviews.c.item_id.in_(chunk))
                .order_by(reviews.c.review_id)
            ):
                by_item.setdefault(str(review.item_id), []).append(
                    (str(review.text or "").strip(), review.rating)
                )
    out = []
    for row in rows:
        found = by_item.get(str(row.item_id), [])
        out.append(
            ItemTexts(
                item_id=str(row.item_id),
                title=str(row.title),
                description=str(row.description or "").strip(),
                reviews=tuple(t for t, _ in found if t),
                ratings=tuple(float(r) for _, r in found if r is not None),
            )
        )
    return out


class FactsBuilder:
    """Builds item facts (see the module's docstring).

    Args:
        store: The shop's store.
        generator: The model that extracts attributes (None: no attributes are built).
        sentiment: The review sentiment classifier (None: built on first use).
        keywords: Build keywords (needs the sentence encoders).
        sentiment_enabled: Build review sentiment (needs the e5 encoder).
        force: Rebuild facts whose text did not change.
        timeout_s: Bound on one extraction.
    """

    def __init__(
        self,
        store: Store,
        generator: Generator | None,
        *,
        sentiment: SentimentClassifier | None = None,
        keywords: bool = True,
        sentiment_enabled: bool = True,
        force: bool = False,
        timeout_s: float | None = 120.0,
    ) -> None:
        self.store = store
        self.generator = generator
        self._sentiment = sentiment
        self.keywords = keywords
        self.sentiment_enabled = sentiment_enabled
        self.force = force
        self.timeout_s = timeout_s

    @property
    def sentiment(self) -> SentimentClassifier:
        if self._sentiment is None:
            self._sentiment = SentimentClassifier()
        return self._sentiment

    def build(
        self, item_ids: Sequence[str] | None = None, *, progress: Progress | None = None
    ) -> BuildReport:
        """Build the facts of ``item_ids`` (every item when None)."""
        started = time.perf_counter()
        texts = item_texts(self.store, item_ids)
        report = BuildReport(items=len(texts))
        known = {} if self.force else stored_hashes(self.store, [t.item_id for t in texts])
        todo = {
            stage: [t for t in texts if self._due(t, stage, known)]
            for stage in ("attributes", "sentiment", "keywords")
        }
        report.unchanged = sum(1 for t in texts if not any(t in v for v in todo.values()))
        if self.generator is not None:
            self._attributes(todo["attributes"], report, progress)
        if self.sentiment_enabled:
            self._sentiments(todo["sentiment"], report, progress)
        if self.keywords:
            self._keywords(todo["keywords"], report, progress)
        report.seconds = time.perf_counter() - started
        return report

    def _due(self, item: ItemTexts, stage: str, known: dict[tuple[str, str, str], str]) -> bool:
        if stage == "attributes":
            if self.generator is None:
                return False
            parts = [(DESCRIPTION, item.description), (REVIEWS, item.review_text)]
            return any(
                text and known.get((item.item_id, ATTRIBUTES, source)) != text_hash(text)
                for source, text in parts
            )
        if stage == "sentiment":
            return (
                self.sentiment_enabled
                and bool(item.reviews)
                and known.get((item.item_id, SENTIMENT, REVIEWS))
                != text_hash([*item.reviews, *map(str, item.ratings)])
            )
        return bool(self.keywords and (item.description or item.reviews)) and known.get(
            (item.item_id, KEYWORDS, TEXTS)
        ) != text_hash([item.description, *item.reviews])

    def _attributes(
        self, todo: list[ItemTexts], report: BuildReport, progress: Progress | None
    ) -> None:
        assert self.generator is not None
        model = self.generator.model_id
        for done, item in enumerate(todo):
            rows = []
            for source, text in ((DESCRIPTION, item.description), (REVIEWS, item.review_text)):
                if not text:
                    continue
                try:
                    extraction = extract_attributes_detailed(
                        text, ProductAttributes, self.generator, timeout_s=self.timeout_s
                    )
                except (ExtractionError, GenerationError) as exc:
                    logger.warning("attributes of %s (%s): %s", item.item_id, source, exc)
                    report.count(report.failed, f"attributes:{source}")
                    continue
                value = extraction.value.model_dump(exclude_none=True)
                value = {k: v for k, v in value.items() if v not in ([], "", None)}
                rows.append(
                    FactRow(item.item_id, ATTRIBUTES, source, value, text_hash(text), model)
                )
                report.count(report.written, ATTRIBUTES)
            write_facts(self.store, rows)
            if progress is not None:
                progress("attributes", done + 1, len(todo))

    def _sentiments(
        self, todo: list[ItemTexts], report: BuildReport, progress: Progress | None
    ) -> None:
        if not todo:
            return
        texts = [t for item in todo for t in item.reviews]
        scores = self.sentiment.predict_proba(texts)
        offset = 0
        rows = []
        head = f"sentiment:{self.sentiment.head.encoder}"
        for done, item in enumerate(todo):
            mine = np.asarray(scores[offset : offset + len(item.reviews)], dtype=np.float64)
            offset += len(item.reviews)
            positive = int((mine >= 0.5).sum())
            value: dict[str, Any] = {
                "reviews": len(item.reviews),
                "positive": positive,
                "positive_share": round(positive / len(item.reviews), 4),
                "mean_score": round(float(mine.mean()), 4),
                "rated": len(item.ratings),
                "mean_rating": round(float(np.mean(item.ratings)), 3) if item.ratings else None,
            }
            key = text_hash([*item.reviews, *map(str, item.ratings)])
            rows.append(FactRow(item.item_id, SENTIMENT, REVIEWS, value, key, head))
            report.count(report.written, SENTIMENT)
            if progress is not None:
                progress("sentiment", done + 1, len(todo))
        write_facts(self.store, rows)

    def _keywords(
        self, todo: list[ItemTexts], report: BuildReport, progress: Progress | None
    ) -> None:
        rows: list[FactRow] = []
        done = 0
        for chinese in (False, True):
            group = [t for t in todo if t.chinese == chinese]
            if not group:
                continue
            encoder = CHINESE_ENCODER if chinese else ENGLISH_ENCODER
            documents = [[t for t in (i.description, *i.reviews[:10]) if t] for i in group]
            found = extract_keyphrases(documents, encoder, top_n=KEYWORDS_PER_ITEM, cache=True)
            for item, phrases in zip(group, found, strict=True):
                value = [{"phrase": k.phrase, "score": round(k.score, 4)} for k in phrases]
                key = text_hash([item.description, *item.reviews])
                rows.append(FactRow(item.item_id, KEYWORDS, TEXTS, value, key, encoder))
                report.count(report.written, KEYWORDS)
                done += 1
                if progress is not None:
                    progress("keywords", done, len(todo))
        write_facts(self.store, rows)
