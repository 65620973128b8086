"""Text normalisation and the ways a title or a term can be named (aliases), as patterns."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

TERM_SYNONYMS: dict[str, tuple[str, ...]] = {
    "sci fi": ("science fiction", "scifi", "sf"),
    "film noir": ("noir",),
    "children s": ("children", "kids", "family"),
    "musical": ("musicals",),
}
"""Other words for a term (keys and values normalised as by :func:`normalise`)."""
IGNORED_TERMS = frozenset({"unknown", "other", "none", "misc", "n a", "na"})
"""Terms too generic to count as naming something."""
_YEAR_SUFFIX = re.compile(r"\s*\((?:\d{4}|[IVX]+)\)\s*$")
_ARTICLE_SUFFIX = re.compile(
    r"^(?P<head>.+),\s*(?P<article>the|a|an|la|le|les|il|el|das|der|die)$", re.IGNORECASE
)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
CJK = re.compile(r"[\u3400-\u9fff]")


def normalise(text: str) -> str:
    """Lower case, NFKC, every run of non-word characters a single space (CJK kept)."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("&", " and ")
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def singular(word: str) -> str:
    """A crude English singular: ``comedies`` -> ``comedy``, ``dresses`` -> ``dress``."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def singular_phrase(phrase: str) -> str:
    return " ".join(singular(w) for w in phrase.split())


def display_title(title: str) -> str:
    """``"Shawshank Redemption, The (1994)"`` -> ``"The Shawshank Redemption (1994)"``: a
    catalogue's sorting form as people write it (other titles unchanged)."""
    stripped = title.strip()
    year = _YEAR_SUFFIX.search(stripped)
    base = _YEAR_SUFFIX.sub("", stripped)
    moved = _ARTICLE_SUFFIX.match(base)
    if not moved:
        return stripped
    return f"{moved['article']} {moved['head']}" + (f" {year.group(0).strip()}" if year else "")


def title_aliases(title: str) -> set[str]:
    """Normalised ways of naming ``title``: as given, with or without a trailing ``(1995)``,
    with a trailing article moved to the front or dropped, and the part before a colon."""
    year = _YEAR_SUFFIX.search(title.strip())
    base = _YEAR_SUFFIX.sub("", title.strip())
    variants = {title, base}
    moved = _ARTICLE_SUFFIX.match(base)
    if moved:
        variants |= {f"{moved['article']} {moved['head']}", moved["head"]}
    for variant in list(variants):
        if ":" in variant and len(variant.split(":")[0].split()) >= 2:
            variants.add(variant.split(":")[0])
    if year:
        variants |= {f"{v} {year.group(0).strip()}" for v in list(variants)}
    return {n for n in (normalise(v) for v in variants) if n}


def term_aliases(term: str) -> set[str]:
    """Normalised ways of naming a tag or attribute: itself, its singular, its synonyms."""
    key = normalise(term)
    if not key:
        return set()
    out = {key, singular_phrase(key)}
    for synonym in TERM_SYNONYMS.get(key, ()):
        out |= {synonym, singular_phrase(synonym)}
    return out


def numbers_in(text: str) -> set[float]:
    """Every number written with digits in ``text`` (``1,000`` and ``1000`` are one)."""
    found = set()
    for match in _NUMBER.finditer(text):
        raw = match.group(0)
        cleaned = raw.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", raw) else raw
        try:
            found.add(float(cleaned.replace(",", ".")))
        except ValueError:
            continue
    return found


def is_distinctive_title(alias: str) -> bool:
    """Multi-word (or 4+ CJK characters): a one-word title is caught as a quote or a name."""
    if CJK.search(alias):
        return len(alias.replace(" ", "")) >= 4
    return len(alias.split()) >= 2


def _word_pattern(word: str, plural: bool) -> str:
    escaped = re.escape(word)
    if not plural or CJK.search(word):
        return escaped
    if word.endswith("y") and len(word) > 3:
        return re.escape(word[:-1]) + "(?:y|ies)"
    return escaped + "(?:e?s)?"


def alias_pattern(aliases: Iterable[str], *, plural: bool = False) -> re.Pattern[str] | None:
    """One case-insensitive pattern matching any normalised alias in raw text: words may be
    separated by any punctuation, and (with ``plural``) the last word may take a plural."""
    parts = []
    for alias in sorted(set(aliases), key=lambda a: (-len(a), a)):
        words = alias.split()
        if not words:
            continue
        body = r"[\W_]+".join(
            _word_pattern(w, plural and i == len(words) - 1) for i, w in enumerate(words)
        )
        parts.append(body)
    if not parts:
        return None
    return re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(parts) + r")(?![A-Za-z0-9])", re.IGNORECASE)
