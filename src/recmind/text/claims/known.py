"""The facts digested for checking: each item's fact text, every number and word the facts
state, the patterns that find titles, and which items a sentence is about."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from recmind.text.claims.document import CJK, Document
from recmind.text.claims.facts import Facts, ItemFacts
from recmind.text.claims.lexicon import lookup
from recmind.text.claims.numbers import figures_in
from recmind.text.grounding.matching import normalise, singular, title_aliases

_STOPWORDS = """
a an the and or of for with in on at by to from over under new our your my set pack size
inch inches cm mm ml g kg oz lb piece pieces edition one two whole
"""
STOPWORDS = frozenset(_STOPWORDS.split())


def stems(word: str) -> set[str]:
    """A word and its singular forms (``knives`` -> ``knife``, ``knive``)."""
    out = {word, singular(word)}
    if len(word) > 4 and word.endswith("ves"):
        out |= {word[:-3] + "fe", word[:-3] + "f"}
    return out


def phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for normalised phrases as raw text writes them: words
    separated by any punctuation (none needed next to Chinese), longest first."""
    parts = []
    for phrase in sorted({p for p in phrases if p}, key=lambda p: (-len(p), p)):
        words = phrase.split()
        body, glued = re.escape(words[0]), False
        for prev, word in itertools.pairwise(words):
            if word == "and":
                body += r"[\W_]*(?:&|\band\b)[\W_]*"
                glued = True
                continue
            glue = "" if glued else (r"[\W_]*" if CJK.search(prev + word) else r"[\W_]+")
            body += glue + re.escape(word)
            glued = False
        parts.append(body)
    if not parts:
        return None
    return re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(parts) + r")(?![A-Za-z0-9])", re.I)


def flatten(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """(key, leaf) pairs of nested attributes; list items keep their key."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from flatten(v, str(k))
    elif isinstance(value, list | tuple | set):
        for v in value:
            yield from flatten(v, key)
    else:
        yield key, value


def _key_words(key: str) -> str:
    return normalise(key.replace("_", " "))


@dataclass
class ItemView:
    """One item as the finders see it."""

    index: int
    item: ItemFacts
    text: str = ""
    """Normalised fact text: title, tags, attribute keys and values (denied keys left out)."""
    denied: set[str] = field(default_factory=set)
    """Normalised keys whose value is ``False``."""
    numbers: set[float] = field(default_factory=set)
    keywords: set[str] = field(default_factory=set)

    def says(self, surfaces: Iterable[str]) -> str | None:
        """The first surface the item's facts contain, if any."""
        padded = f" {self.text} "
        for surface in surfaces:
            key = normalise(surface)
            if not key:
                continue
            if CJK.search(key):
                if key in padded:
                    return surface
                continue
            forms = {key, key + "s", key + "es", key[:-1] + "ies" if key.endswith("y") else key}
            if any(f" {form} " in padded for form in forms):
                return surface
        return None

    def denies(self, surfaces: Iterable[str]) -> str | None:
        """A ``False`` attribute naming one of ``surfaces``."""
        for surface in surfaces:
            key = normalise(surface)
            for denied in self.denied:
                if key and (key in denied if CJK.search(key) else f" {key} " in f" {denied} "):
                    return denied
        return None


def _item_view(index: int, item: ItemFacts) -> ItemView:
    parts = [item.title, *item.tags]
    denied = set()
    numbers = figures_in(item.title)
    for key, leaf in flatten({**item.attributes, **item.extra_fields()}):
        words = _key_words(key)
        if leaf is False:
            denied.add(words)
        elif leaf is True:
            parts.append(words)
        elif leaf is not None:
            parts.extend([words, str(leaf), words])
            numbers |= figures_in(str(leaf)) | (
                {float(leaf)} if isinstance(leaf, int | float) else set()
            )
        numbers |= figures_in(key)
    for leaf in item.attributes.values():
        if isinstance(leaf, list | tuple):
            numbers.add(float(len(leaf)))
    return ItemView(index, item, " ".join(normalise(p) for p in parts), denied, numbers)


def _lexicon_words() -> set[str]:
    words: set[str] = set()
    for surface in lookup():
        words |= set(normalise(surface).split())
    return words


def _keywords(title: str, brand_words: set[str], lexicon_words: set[str]) -> set[str]:
    key = normalise(title)
    if CJK.search(key):
        chars = re.sub(r"[\W_\d]+", "", _bare_title(title))
        grams = {chars[i : i + 2].lower() for i in range(len(chars) - 1)}
        return {
            g
            for g in grams
            if CJK.search(g)
            and not any(g in s for s in lexicon_words if CJK.search(s))
            and not any(g in b for b in brand_words)
        }
    words = {w for w in key.split() if len(w) > 2 and not w.isdigit()}
    return {
        s
        for w in words - STOPWORDS - brand_words - lexicon_words
        if not re.search(r"\d", w)
        for s in stems(w)
    }


def _bare_title(text: str) -> str:
    """``text`` without a trailing ``(1995)``-style year and spaces."""
    return re.sub(r"\s*\(\d{4}\)\s*$", "", text).replace(" ", "")


class Known:
    """What the facts state, ready for the finders.

    Args:
        facts: The facts of one check.
    """

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.items = [_item_view(i, item) for i, item in enumerate(facts.items)]
        brand_words = set(normalise(facts.brand or "").split()) | {normalise(facts.brand or "")}
        lexicon_words = _lexicon_words()
        keywords = [_keywords(v.item.title, brand_words, lexicon_words) for v in self.items]
        shared = Counter(k for kws in keywords for k in kws)
        for view, kws in zip(self.items, keywords, strict=True):
            view.keywords = {k for k in kws if shared[k] == 1}
        self.titles: dict[str, tuple[str, int]] = {}
        for view in self.items:
            for alias in title_aliases(view.item.title):
                self.titles.setdefault(alias, ("item", view.index))
        for j, entry in enumerate(facts.history):
            for alias in title_aliases(entry.title):
                self.titles.setdefault(alias, ("history", j))
        names = [facts.brand or "", facts.recipient or ""]
        if facts.offer is not None and facts.offer.name:
            names.append(facts.offer.name)
        self.names = [normalise(n) for n in names if normalise(n)]
        self.title_pattern = phrase_pattern(self.titles)
        self.name_pattern = phrase_pattern(self.names)
        self.strings = list(self._strings())
        self.text = " ".join(normalise(s) for s in self.strings)
        self.words = {w for s in self.strings for w in normalise(s).split()}
        self.words |= {s for w in list(self.words) for s in stems(w)}
        self.numbers = self._numbers()
        self.currencies = {i.currency.upper() for i in facts.items if i.currency}
        self.tags = {normalise(t) for t in self._all_tags()}

    def _strings(self) -> Iterator[str]:
        facts = self.facts
        for view in self.items:
            yield view.text
            yield " ".join(view.denied)
        for entry in facts.history:
            yield entry.title
            yield from entry.tags
        yield from facts.terms
        yield from (facts.brand or "", facts.recipient or "")
        for key, leaf in flatten(facts.policies):
            yield _key_words(key)
            if isinstance(leaf, str):
                yield leaf
        offer = facts.offer
        if offer is not None:
            yield from (offer.code or "", offer.name or "")
            for key, leaf in (offer.model_extra or {}).items():
                yield f"{_key_words(key)} {leaf}"

    def _all_tags(self) -> Iterator[str]:
        for view in self.items:
            yield from view.item.tags
            for key, leaf in flatten(view.item.attributes):
                if isinstance(leaf, str) and re.search(r"genre|tag|categor|类型|标签", key):
                    yield leaf
        for entry in self.facts.history:
            yield from entry.tags
        yield from self.facts.terms

    def _numbers(self) -> set[float]:
        facts = self.facts
        found: set[float] = set()
        for text in self.strings:
            found |= figures_in(text)
        for view in self.items:
            found |= view.numbers
            item = view.item
            values = (item.price, item.old_price, item.stock, item.bestseller_rank)
            found |= {float(v) for v in values if v is not None}
            counts = (item.rating_count, item.positive_count, item.sold_count)
            found |= {float(v) for v in counts if v is not None}
            if item.average_rating is not None:
                found |= {item.average_rating, round(item.average_rating, 1), item.rating_scale}
        for _, leaf in flatten(facts.policies):
            if isinstance(leaf, int | float) and not isinstance(leaf, bool):
                found.add(float(leaf))
        for entry in facts.history:
            found |= {float(v) for v in (entry.rating, entry.times) if v is not None}
            found.add(entry.rating_scale)
        offer = facts.offer
        if offer is not None:
            found |= {
                float(v)
                for v in (offer.discount_percent, offer.amount_off, offer.min_spend)
                if v is not None
            }
            for moment in (offer.ends, offer.starts):
                if isinstance(moment, date):
                    found |= {float(moment.day), float(moment.month), float(moment.year)}
        found |= {float(len(facts.items)), float(len(facts.history))}
        return found

    def item_at(self, alias: str) -> tuple[str, int] | None:
        """What a normalised title alias names: ``("item", i)`` or ``("history", j)``."""
        return self.titles.get(alias)

    def mentioned(self, doc: Document, position: int) -> list[ItemView]:
        """Items the sentence around ``position`` names, by title or a word only its title
        has."""
        start, end = doc.sentence(position)
        sentence = doc.text[start:end]
        key = normalise(sentence)
        words = {s for w in key.split() for s in stems(w)}
        found = []
        for view in self.items:
            by_title = self.title_pattern is not None and any(
                self.titles.get(normalise(m.group())) == ("item", view.index)
                for m in self.title_pattern.finditer(sentence)
            )
            by_word = any((k in key) if CJK.search(k) else (k in words) for k in view.keywords)
            if by_title or by_word:
                found.append(view)
        return found

    def subjects(self, doc: Document, position: int) -> list[ItemView]:
        """The items a claim at ``position`` is about: those its sentence names, else all."""
        return self.mentioned(doc, position) or self.items
