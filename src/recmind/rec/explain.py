"""Why an item is recommended to a person, in words they can read.

Every explanation names the history items that contributed most to the item's score and the
tags (categories, attributes) the item shares with them:
``Because you liked "Star Wars (1977)" and "Return of the Jedi (1983)"; also Sci-Fi.``

How much a history item ``h`` contributed to a recommended item ``i`` depends on the model:

- EASE: its weight ``B[h, i]`` (the score is exactly the sum of these over the history);
- ItemKNN: the similarity ``S[h, i]`` (likewise);
- models with item vectors (semantic, sequential): the cosine of the two vectors;
- ALS: the cosine of the two item factors;
- any other model: the cosine of the two items' text embeddings when the catalogue has
  texts and an encoder is given, else of their interaction columns (co-occurrence).

Only positive contributions count; ties go to the more recent history item. On request, a
generator writes one sentence from these facts only, checked by the claim checker
(:class:`recmind.text.claims.grounded.FactChecker`): besides the titles and tags it may
name, what it says of the person's history ("you recently enjoyed", which needs a high and
recent rating), of likeness ("shares themes with X", which needs a shared tag) and of
popularity ("many viewers enjoyed", which needs the counts) must hold; where no generation
passes, the template reason stands.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Literal

import numpy as np
import scipy.sparse as sp

from recmind.data.bundle import DataBundle
from recmind.profiles.tags import TagKind, item_tags
from recmind.rec.base import Recommender
from recmind.rec.explain_facts import (
    Popularity,
    explanation_facts,
    item_popularity,
    newest_items,
    person_ratings,
)
from recmind.rec.explain_text import display_tag, reason_text
from recmind.rec.interactions import ItemCatalog
from recmind.text.claims.grounded import FactChecker, SupportedFacts
from recmind.text.encoders import Encoder, l2_normalise
from recmind.text.grounding import GroundingReport, Vocabulary
from recmind.text.grounding.generate import generate_grounded
from recmind.text.grounding.matching import display_title
from recmind.text.llm.prompts import default_prompts
from recmind.text.llm.protocol import Generator

Method = Literal[
    "ease weights",
    "itemknn similarity",
    "item vectors",
    "als factors",
    "text embeddings",
    "co-occurrence",
    "popularity",
]
VERBS = {
    "rating": "liked",
    "review": "liked",
    "purchase": "bought",
    "add_to_cart": "saved",
    "view": "viewed",
    "click": "viewed",
}
MIN_RATING = 3.0
POPULARITY_MODELS = frozenset({"popular", "pop", "random"})
"""Models whose lists do not depend on the history: their reason is popularity."""
TEMPLATE = "explain_reason"
MAX_ITEM_TAGS = 4
RECENT_ITEMS = 10
"""A history item among the person's this many newest counts as recent."""
_NONE = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Contribution:
    """A history item and how much it contributed."""

    item_id: str
    title: str
    weight: float
    rating: float | None = None
    """The person's rating of it (on 1-5; ``None``: not rated)."""
    recent: bool = False
    """Among their :data:`RECENT_ITEMS` newest items."""
    tags: tuple[str, ...] = ()
    """Its tags (what a likeness with the recommended item may rest on)."""


@dataclass(frozen=True)
class Explanation:
    """Why one item is recommended.

    Attributes:
        item_id: The recommended item.
        title: Its title.
        because: History items that contributed most, strongest first.
        shared: Tags the item shares with them (or with the person's history).
        tags: The item's own tags (what a generated sentence may say about it).
        reason: The reason as a sentence built from those facts.
        method: How contributions were measured.
        sentence: A generated sentence (only when asked), checked against the facts; the
            ``reason`` where no generation passed.
        sentence_source: ``"llm"`` or ``"fallback"`` (``None`` when not asked).
        reports: The grounding verdict on each generated attempt.
        popularity: How popular the item is (what "many viewers enjoyed" needs).
    """

    item_id: str
    title: str
    because: tuple[Contribution, ...]
    shared: tuple[str, ...]
    reason: str
    method: Method
    sentence: str | None = None
    sentence_source: Literal["llm", "fallback"] | None = None
    reports: tuple[GroundingReport, ...] = ()
    tags: tuple[str, ...] = ()
    popularity: Popularity | None = None

    def facts(self) -> SupportedFacts:
        """What a generated sentence about this item may name, and the facts its claims
        (history, likeness, popularity) are checked against."""
        return explanation_facts(self)


def _vectors_cosine(vectors: np.ndarray, history: np.ndarray, target: int) -> np.ndarray:
    unit = l2_normalise(np.asarray(vectors[np.r_[history, target]], dtype=np.float32))
    return np.asarray(unit[:-1] @ unit[-1], dtype=np.float64)


def _cooccurrence(columns: sp.csc_matrix, history: np.ndarray, target: int) -> np.ndarray:
    """Cosine of the binary interaction columns of the history items and ``target``."""
    counts = np.asarray(columns[:, np.r_[history, target]].sum(axis=0)).ravel()
    both = np.asarray((columns[:, history].T @ columns[:, [target]]).todense()).ravel()
    return np.asarray(both / np.sqrt(np.maximum(counts[:-1] * counts[-1], 1.0)))


class Explainer:
    """Explains one fitted model's recommendations; build once, explain many.

    Args:
        model: A fitted recommender.
        catalog: The data (best: a bundle, whose item attributes and event types are used)
            or the model's catalogue (default: ``model.catalog_``).
        encoder: Text encoder for models without item-item weights or vectors.
        top: History items named per explanation at most.
    """

    def __init__(
        self,
        model: Recommender,
        catalog: ItemCatalog | DataBundle | None = None,
        *,
        encoder: Encoder | None = None,
        top: int = 2,
    ) -> None:
        self.model = model
        self.top = top
        self.interactions = model.interactions_
        ids = self.interactions.item_ids
        self.bundle = catalog if isinstance(catalog, DataBundle) else None
        self.catalog = catalog if isinstance(catalog, ItemCatalog) else model.catalog_
        if self.bundle is not None:
            items = self.bundle.items.astype({"item_id": str}).drop_duplicates("item_id")
            titles = dict(zip(items["item_id"], items["title"].astype(str), strict=True))
            self.tags: dict[str, list[tuple[str, TagKind]]] = item_tags(self.bundle.items)
        else:
            titles = dict(
                zip(map(str, self.catalog.item_ids), map(str, self.catalog.titles), strict=True)
            )
            self.tags = {
                str(i): [(display_tag(c), "category") for c in sorted(cats)]
                for i, cats in zip(self.catalog.item_ids, self.catalog.categories, strict=True)
            }
        self.titles = {str(i): titles.get(str(i), str(i)) for i in ids}
        self.method, self._affinity = self._affinity_source(encoder)
        self._checker: FactChecker | None = None

    def _affinity_source(self, encoder: Encoder | None) -> tuple[Method, np.ndarray | None]:
        model = self.model
        weights = getattr(model, "weights_", None)
        if isinstance(weights, np.ndarray) and weights.ndim == 2:
            return "ease weights", None
        if sp.issparse(getattr(model, "similarity_", None)):
            return "itemknn similarity", None
        vectors = getattr(model, "item_vectors_", None)
        if isinstance(vectors, np.ndarray) and len(vectors) == self.interactions.n_items:
            return "item vectors", vectors
        factors = getattr(model, "item_factors_", None)
        if isinstance(factors, np.ndarray) and len(factors) == self.interactions.n_items:
            return "als factors", factors
        if encoder is not None and self.catalog.texts is not None:
            from recmind.text.embed import item_embeddings

            return "text embeddings", item_embeddings(self.catalog, encoder)
        self._columns = model.seen_.tocsc().astype(bool).astype(np.float32)
        return "co-occurrence", None

    def contributions(self, history: np.ndarray, target: int) -> np.ndarray:
        """How much each history item (dense index) contributed to ``target``."""
        if self.method == "ease weights":
            return np.asarray(self.model.weights_[history, target], dtype=np.float64)  # type: ignore[attr-defined]
        if self.method == "itemknn similarity":
            column = self.model.similarity_[:, [target]].toarray().ravel()  # type: ignore[attr-defined]
            return np.asarray(column[history], dtype=np.float64)
        if self._affinity is not None:
            return _vectors_cosine(self._affinity, history, target)
        return _cooccurrence(self._columns, history, target)

    def _history(self, user_id: str) -> tuple[np.ndarray, str]:
        """Dense item indices the person engaged with, newest first (low ratings dropped
        where the bundle says), and the verb for them."""
        row = self.interactions.lookup_users([user_id])[0]
        if row < 0:
            return np.zeros(0, dtype=np.int64), "chose"
        mask = self.interactions.user_index == row
        items = self.interactions.item_index[mask]
        order = np.argsort(-self.interactions.timestamps[mask], kind="stable")
        history = items[order].astype(np.int64)
        if self.bundle is None:
            return history, "chose"
        events = self.bundle.events.iloc[self._event_rows.get(user_id, np.zeros(0, np.int64))]
        low = (events["event_type"] == "rating") & (events["value"].astype(float) < MIN_RATING)
        disliked = set(events.loc[low.to_numpy(), "item_id"].astype(str))
        kept = np.asarray(
            [i for i in history if str(self.interactions.item_ids[i]) not in disliked],
            dtype=np.int64,
        )
        common = Counter(events["event_type"]).most_common(1)
        verb = VERBS.get(str(common[0][0]), "chose") if common else "chose"
        return (kept if len(kept) else history), verb

    def _ratings(self, user_id: str) -> dict[str, float]:
        """The person's latest rating of each item they rated (none without a bundle)."""
        if self.bundle is None:
            return {}
        return person_ratings(self.bundle.events.iloc[self._event_rows.get(user_id, _NONE)])

    @cached_property
    def popularity(self) -> dict[str, Popularity]:
        """Every item's popularity (see :func:`item_popularity`)."""
        return item_popularity(self.interactions, self.bundle)

    def contribution(self, user_id: str, item_id: str, weight: float = 0.0) -> Contribution:
        """One history item of ``user_id`` as an explanation names it: their rating of it,
        whether it is among their newest, its tags."""
        newest = newest_items(self.interactions, str(user_id))
        return self._contribution(str(item_id), weight, newest, self._ratings(str(user_id)))

    def _contribution(
        self, item_id: str, weight: float, newest: list[str], ratings: dict[str, float]
    ) -> Contribution:
        return Contribution(
            item_id,
            self.titles.get(item_id, item_id),
            weight,
            rating=ratings.get(item_id),
            recent=item_id in newest[:RECENT_ITEMS],
            tags=tuple(t for t, _ in self.tags.get(item_id, [])),
        )

    @cached_property
    def _event_rows(self) -> dict[str, np.ndarray]:
        assert self.bundle is not None
        grouped = self.bundle.events.groupby(self.bundle.events["user_id"].astype(str))
        return {str(k): np.asarray(v, dtype=np.int64) for k, v in grouped.indices.items()}

    def _id(self, index: int) -> str:
        return str(self.interactions.item_ids[index])

    def _shared(self, item_id: str, because: Sequence[str], history: np.ndarray) -> list[str]:
        own = [t for t, _ in self.tags.get(item_id, [])]
        near = {t for b in because for t, _ in self.tags.get(b, [])}
        shared = [t for t in own if t in near]
        if not shared:
            counts = Counter(
                t
                for i in history[:50]
                for t, _ in self.tags.get(str(self.interactions.item_ids[i]), [])
            )
            shared = [t for t in own if counts[t] >= 2]
        topics = [t for t in shared if not t[:4].isdigit()]
        decades = [t for t in shared if t[:4].isdigit()]
        return (topics + decades)[:3]

    def explain_one(self, user_id: str, item_id: str) -> Explanation:
        """The template explanation of one recommended item."""
        history, verb = self._history(str(user_id))
        target = int(self.interactions.lookup_items([item_id])[0])
        title = self.titles.get(str(item_id), str(item_id))
        history = history[history != target]
        own = tuple(t for t, _ in self.tags.get(str(item_id), []))[:MAX_ITEM_TAGS]
        popularity = self.popularity.get(str(item_id))
        if target < 0 or len(history) == 0 or self.model.name in POPULARITY_MODELS:
            reason = reason_text(verb, [], [])
            return Explanation(
                str(item_id), title, (), (), reason, "popularity", tags=own, popularity=popularity
            )
        weights = self.contributions(history, target)
        order = np.argsort(-weights, kind="stable")  # history is newest first: ties -> recent
        best = [int(j) for j in order[: self.top] if weights[j] > 0]
        newest = newest_items(self.interactions, str(user_id))
        ratings = self._ratings(str(user_id))
        because = tuple(
            self._contribution(self._id(history[j]), float(weights[j]), newest, ratings)
            for j in best
        )
        shared = self._shared(str(item_id), [c.item_id for c in because], history)
        reason = reason_text(verb, [c.title for c in because], shared)
        return Explanation(
            str(item_id),
            title,
            because,
            tuple(shared),
            reason,
            self.method,
            tags=own,
            popularity=popularity,
        )

    @property
    def checker(self) -> FactChecker:
        """A checker that knows every title and tag of the catalogue and verifies every
        claim (built on first use)."""
        if self._checker is None:
            terms = {t for tags in self.tags.values() for t, _ in tags}
            self._checker = FactChecker(Vocabulary(self.titles.values(), terms))
        return self._checker

    def with_sentence(
        self,
        explanation: Explanation,
        generator: Generator,
        *,
        language: str = "English",
        max_attempts: int = 3,
        seed: int | None = None,
        timeout_s: float | None = 60.0,
    ) -> Explanation:
        """The explanation with one generated sentence, grounded in its facts only."""
        facts = {
            "title": display_title(explanation.title),
            "because": [display_title(c.title) for c in explanation.because],
            "ratings": [
                f"{c.rating:g}/5" if c.rating is not None else "" for c in explanation.because
            ],
            "shared": list(explanation.shared),
            "tags": list(explanation.tags),
            "language": language,
        }
        request = default_prompts().request(
            TEMPLATE, facts, max_tokens=60, temperature=0.2, seed=seed, timeout_s=timeout_s
        )
        written = generate_grounded(
            generator,
            request,
            explanation.facts(),
            fallback=explanation.reason,
            checker=self.checker,
            max_attempts=max_attempts,
            max_sentences=1,
        )
        return replace(
            explanation,
            sentence=written.text,
            sentence_source=written.source,
            reports=written.reports,
        )


def explain(
    model: Recommender,
    user_id: str,
    item_ids: Sequence[str],
    catalog: ItemCatalog | DataBundle | None = None,
    *,
    generator: Generator | None = None,
    encoder: Encoder | None = None,
    top: int = 2,
    language: str = "English",
) -> list[Explanation]:
    """Explanations for the items recommended to ``user_id`` (see the module docstring);
    with ``generator``, each also gets one checked generated sentence."""
    explainer = Explainer(model, catalog, encoder=encoder, top=top)
    out = [explainer.explain_one(str(user_id), str(i)) for i in item_ids]
    if generator is not None:
        out = [explainer.with_sentence(e, generator, language=language) for e in out]
    return out
