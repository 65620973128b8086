"""The grounding checker: which titles, terms, numbers and names a text may contain."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from recmind.text.grounding.matching import (
    CJK,
    IGNORED_TERMS,
    alias_pattern,
    is_distinctive_title,
    normalise,
    numbers_in,
    singular,
    singular_phrase,
    term_aliases,
    title_aliases,
)

ViolationKind = Literal[
    "title", "term", "number", "quote", "name", "empty", "incomplete", "repetition", "claim"
]
"""``claim``: a claim :mod:`recmind.text.claims` found unsupported (see
:class:`recmind.text.claims.grounded.FactChecker`)."""

ALLOWED_NAMES = frozenset(
    {
        *("i", "ok", "tv", "dvd", "english", "chinese", "french", "german", "spanish"),
        *("italian", "japanese", "american", "british", "european"),
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        *("january", "february", "march", "april", "may", "june", "july", "august"),
        *("september", "october", "november", "december"),
    }
)
"""Capitalised words that never need a fact behind them."""
ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "vs", "jr", "sr", "no", "vol", "pt"})

_QUOTED = re.compile(
    r"\"(?!\s)([^\"]{1,120})(?<!\s)\"|“([^”]{1,120})”|《([^》]{1,120})》|「([^」]{1,120})」"
    r"|«([^»]{1,120})»|(?<![\w'])'(?!\s)([^']{2,120})(?<!\s)'(?![\w'])"
)
"""Quoted spans. Straight quotes do not say which way they face, so a span may not start or
end with a space: after an unclosed quote the next pair still lines up (``"A is like "B"
and "C"`` quotes ``B`` and ``C``, not `` and ``)."""
MAX_QUOTED_WORDS = 12
"""A longer quoted span is prose, not a name: its words are checked like the rest."""
_CAPITALISED = re.compile(r"[A-Z][\w'’-]*")
_SENTENCE_START = re.compile(r"(^|[.!?。！？:;\n]\s*|[\"“«(\[]\s*)$")
_CONTRACTION = re.compile(r"'(?:s|m|ve|d|ll|re|t)$", re.IGNORECASE)


@dataclass(frozen=True)
class Facts:
    """What a generated text may name: titles, terms (tags, categories, attributes) and
    numbers (those inside titles and terms are allowed too)."""

    titles: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    numbers: tuple[float, ...] = ()

    @classmethod
    def of(
        cls, titles: Iterable[str] = (), terms: Iterable[str] = (), numbers: Iterable[float] = ()
    ) -> Facts:
        return cls(tuple(map(str, titles)), tuple(map(str, terms)), tuple(map(float, numbers)))

    def title_aliases(self) -> set[str]:
        return {a for t in self.titles for a in title_aliases(t)}

    def term_aliases(self) -> set[str]:
        return {a for t in self.terms for a in term_aliases(t)}

    def allowed_numbers(self) -> set[float]:
        out = set(self.numbers)
        for text in (*self.titles, *self.terms):
            out |= numbers_in(text)
        return out

    def words(self) -> set[str]:
        """Every normalised word of every fact, singular forms included."""
        words = {w for t in (*self.titles, *self.terms) for w in normalise(t).split()}
        words |= {w for a in self.term_aliases() for w in a.split()}
        return words | {singular(w) for w in words}


class Vocabulary:
    """Every title and term the data knows: naming one that is not in the facts is a
    violation. Build it once per catalogue (it compiles one pattern for all titles).

    Args:
        titles: Every item title.
        terms: Every tag, category and attribute value.
    """

    def __init__(self, titles: Iterable[str] = (), terms: Iterable[str] = ()) -> None:
        self.titles = frozenset(map(str, titles))
        self.terms = frozenset(map(str, terms))
        self.title_of: dict[str, str] = {}
        for title in sorted(self.titles):
            for alias in title_aliases(title):
                if is_distinctive_title(alias):
                    self.title_of.setdefault(alias, title)
        self.term_of: dict[str, str] = {}
        for term in sorted(self.terms):
            if normalise(term) in IGNORED_TERMS:
                continue
            for alias in term_aliases(term):
                if len(alias) >= 3 or CJK.search(alias):
                    self.term_of.setdefault(alias, term)
        self.title_pattern = alias_pattern(self.title_of)
        self.term_pattern = alias_pattern(self.term_of, plural=True)

    def __len__(self) -> int:
        return len(self.titles) + len(self.terms)


@dataclass(frozen=True)
class Violation:
    """One thing the text names that its facts do not support."""

    kind: ViolationKind
    text: str
    reason: str


@dataclass(frozen=True)
class GroundingReport:
    """The verdict on one text: its violations and the fact titles and terms it names."""

    violations: tuple[Violation, ...]
    titles: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    text: str = ""
    """The text checked."""

    @property
    def ok(self) -> bool:
        return not self.violations

    def feedback(self) -> str:
        """The violations in words, to ask a model for a corrected text."""
        return "; ".join(f"{v.text!r}: {v.reason}" for v in self.violations)


def _prepare(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")


def _looks_like_name(span: str) -> bool:
    """Written as a name: CJK, or its first significant word capitalised."""
    if CJK.search(span):
        return True
    words = [w for w in re.split(r"[\W_]+", span) if w]
    significant = [w for w in words if w.lower() not in {"the", "a", "an", "of", "and"}]
    return bool(significant) and significant[0][0].isupper()


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    if not before:
        return True
    if not _SENTENCE_START.search(before + " "):
        return False
    if before.endswith("."):
        last = re.findall(r"[\w]+\.$", before)
        return not (last and last[0][:-1].lower() in ABBREVIATIONS)
    return True


class _Scan:
    """Spans of one text already accounted for, and what was found."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.covered: list[tuple[int, int]] = []
        self.violations: list[Violation] = []

    def free(self, match: re.Match[str]) -> bool:
        start, end = match.span()
        return not any(start < e and s < end for s, e in self.covered)

    def claim(self, pattern: re.Pattern[str] | None, aliases: dict[str, str]) -> set[str]:
        """Cover every match of ``pattern``; the facts they name."""
        named = set()
        for match in pattern.finditer(self.raw) if pattern else ():
            key = normalise(match.group())
            named.add(aliases.get(key) or aliases.get(singular_phrase(key)) or key)
            self.covered.append(match.span())
        return named


class GroundingChecker:
    """Checks texts against their facts, knowing what the catalogue could name.

    Args:
        vocabulary: Every title and term of the catalogue (``None``: only quotes, numbers and
            names are checked).
        check_names: Flag capitalised words inside a sentence that no fact contains.
    """

    def __init__(self, vocabulary: Vocabulary | None = None, *, check_names: bool = True) -> None:
        self.vocabulary = vocabulary or Vocabulary()
        self.check_names = check_names

    def check(self, text: str, facts: Facts) -> GroundingReport:
        """The violations of ``text`` against ``facts`` (see the module docstring)."""
        raw = _prepare(text)
        if not normalise(raw):
            return GroundingReport((Violation("empty", text, "nothing was generated"),), text=text)
        scan = _Scan(raw)
        fact_titles = {a: t for t in facts.titles for a in title_aliases(t)}
        fact_terms = {a: t for t in facts.terms for a in term_aliases(t)}
        titles = scan.claim(alias_pattern(fact_titles), fact_titles)
        terms = scan.claim(alias_pattern(fact_terms, plural=True), fact_terms)
        self._quotes(scan, fact_titles, fact_terms)
        self._vocabulary_hits(scan)
        for number in sorted(numbers_in(raw) - facts.allowed_numbers()):
            scan.violations.append(Violation("number", f"{number:g}", "no fact has this number"))
        if self.check_names:
            self._names(scan, facts.words())
        return GroundingReport(
            tuple(scan.violations), tuple(sorted(titles)), tuple(sorted(terms)), text
        )

    @staticmethod
    def _quotes(scan: _Scan, fact_titles: dict[str, str], fact_terms: dict[str, str]) -> None:
        for match in _QUOTED.finditer(scan.raw):
            quoted = next(g for g in match.groups() if g is not None)
            key = normalise(quoted)
            if len(key.split()) > MAX_QUOTED_WORDS:
                continue
            supported = (
                not key
                or key in fact_titles
                or key in fact_terms
                or singular_phrase(key) in fact_terms
                or any(f" {key} " in f" {alias} " for alias in fact_titles)
            )
            if not supported:
                scan.violations.append(
                    Violation("quote", quoted, "quoted, but it is not a title or tag given")
                )
            scan.covered.append(match.span())

    def _vocabulary_hits(self, scan: _Scan) -> None:
        vocab = self.vocabulary
        for pattern, kind in ((vocab.title_pattern, "title"), (vocab.term_pattern, "term")):
            for match in pattern.finditer(scan.raw) if pattern else ():
                if not scan.free(match) or (kind == "title" and not _looks_like_name(match[0])):
                    continue
                key = normalise(match.group())
                aliases = vocab.title_of if kind == "title" else vocab.term_of
                known = aliases.get(key) or aliases.get(singular_phrase(key)) or key
                scan.violations.append(
                    Violation(kind, match.group(), f"names {known!r}, which the facts do not")  # type: ignore[arg-type]
                )
                scan.covered.append(match.span())

    @staticmethod
    def _names(scan: _Scan, fact_words: set[str]) -> None:
        run: list[str] = []
        run_end = -1
        for match in _CAPITALISED.finditer(scan.raw):
            start = match.start()
            if start > 0 and (scan.raw[start - 1].isalnum() or scan.raw[start - 1] == "_"):
                continue
            words = normalise(_CONTRACTION.sub("", match.group())).split()
            unsupported = (
                scan.free(match)
                and not _sentence_start(scan.raw, start)
                and not all(
                    w in fact_words or singular(w) in fact_words or w in ALLOWED_NAMES
                    for w in words
                )
            )
            if unsupported and run and scan.raw[run_end:start].strip() == "":
                run.append(match.group())
            elif unsupported:
                _flush_name(scan, run)
                run = [match.group()]
            else:
                _flush_name(scan, run)
                run = []
            run_end = match.end()
        _flush_name(scan, run)


def _flush_name(scan: _Scan, run: list[str]) -> None:
    if run:
        scan.violations.append(Violation("name", " ".join(run), "a name no fact contains"))
