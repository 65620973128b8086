"""A text being checked: its normalised form, its sentences, the spans already claimed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

ClaimKind = Literal[
    "product",
    "price",
    "discount",
    "code",
    "date",
    "stock",
    "attribute",
    "policy",
    "superlative",
    "popularity",
    "sentiment",
    "similarity",
    "history",
    "leakage",
    "number",
    "quote",
]
"""What a claim is about."""
CJK = re.compile(r"[\u3400-\u9fff]")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$|[\"'”’)\]])|[。！？;；\n]+")


@dataclass(frozen=True)
class Claim:
    """One factual claim of a text and the verdict on it.

    Attributes:
        text: The words that make the claim.
        kind: What it is about.
        supported: Whether the facts support it.
        reason: Why (the fact it matches, or what is missing or different).
        start: Where it starts in the checked text (after normalisation).
        end: Where it ends.
    """

    text: str
    kind: ClaimKind
    supported: bool
    reason: str
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict[str, object]:
        """The claim as ``recmind copy check`` prints it."""
        return {
            "text": self.text,
            "kind": self.kind,
            "supported": self.supported,
            "reason": self.reason,
        }


def prepare(text: str) -> str:
    """NFKC (full-width digits, ``％``, ``：``, ``，`` become ASCII), straight apostrophes,
    one space for any run of spaces (newlines kept)."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("’", "'").replace("‘", "'").replace("\u00a0", " ")
    return re.sub(r"[ \t]+", " ", text)


class Document:
    """A prepared text, split into sentences, with the spans earlier finders claimed."""

    def __init__(self, text: str) -> None:
        self.original = text
        self.text = prepare(text)
        self.covered: list[tuple[int, int]] = []
        self.names: list[tuple[int, int]] = []
        """Spans of titles and names the facts give: words and numbers inside them are not
        claims, but a phrase around them ("only one Summit Down Jacket left") still is."""
        self.claims: list[Claim] = []
        self.sentences = list(self._sentences())

    def _sentences(self) -> Iterator[tuple[int, int]]:
        start = 0
        for match in _SENTENCE_END.finditer(self.text):
            before = self.text[max(0, match.start() - 4) : match.start()]
            if match.group() == "." and re.search(r"\b(?:Mr|Mrs|Ms|Dr|St|vs|No|Nov|Dec)$", before):
                continue
            if match.end() > start:
                yield start, match.end()
            start = match.end()
        if start < len(self.text):
            yield start, len(self.text)

    @property
    def chinese(self) -> bool:
        """Mostly Chinese: more CJK characters than Latin letters."""
        cjk = len(CJK.findall(self.text))
        return cjk > 0 and cjk >= len(re.findall(r"[A-Za-z]", self.text)) / 2

    def sentence(self, position: int) -> tuple[int, int]:
        """The span of the sentence around ``position``."""
        for start, end in self.sentences:
            if start <= position < end:
                return start, end
        return self.sentences[-1] if self.sentences else (0, len(self.text))

    def sentence_text(self, position: int) -> str:
        start, end = self.sentence(position)
        return self.text[start:end]

    def is_free(self, start: int, end: int, *, over_names: bool = False) -> bool:
        """No earlier finder claimed any of ``[start, end)`` (nor is it inside a given name,
        unless ``over_names``)."""
        spans = self.covered if over_names else [*self.covered, *self.names]
        return not any(start < e and s < end for s, e in spans)

    def cover(self, start: int, end: int) -> None:
        self.covered.append((start, end))

    def record(
        self,
        start: int,
        end: int,
        kind: ClaimKind,
        supported: bool,
        reason: str,
        *,
        cover: bool = True,
    ) -> Claim:
        """Add a claim over ``[start, end)`` (and, with ``cover``, claim the span)."""
        found = Claim(self.text[start:end].strip(), kind, supported, reason, start, end)
        self.claims.append(found)
        if cover:
            self.cover(start, end)
        return found

    def free_matches(
        self, pattern: re.Pattern[str], *, over_names: bool = False
    ) -> Iterator[re.Match[str]]:
        """Matches of ``pattern`` that overlap no claimed span (see :meth:`is_free`)."""
        for match in pattern.finditer(self.text):
            if match.end() > match.start() and self.is_free(*match.span(), over_names=over_names):
                yield match
