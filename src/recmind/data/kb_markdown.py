"""Split a markdown document into passages by its headings.

Every passage keeps its heading path as its title (``"Returns > Refunds"``), so a passage
read on its own still says what it is about. A section longer than ``max_chars`` is cut at
paragraph boundaries (then sentence, then word boundaries), each part under the same title.
Passage ids are derived from the document id, the heading path, how many earlier sections
had that same path, and the part number: editing a section's words keeps its id, adding a
section elsewhere changes no other id, and re-importing a file replaces its passages
rather than duplicating them. Headings inside fenced code blocks are text, not headings.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

MAX_PASSAGE_CHARS = 1200
"""About 250 to 300 English words: small enough to cite, large enough to hold one rule."""
MIN_PASSAGE_CHARS = 200
TITLE_SEPARATOR = " > "

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")


@dataclass(frozen=True)
class Passage:
    """One passage of a knowledge-base document."""

    passage_id: str
    doc_id: str
    position: int
    """Its order in the document (0-based)."""
    title: str
    """The heading path, outermost first."""
    body: str


@dataclass(frozen=True)
class Section:
    """The text under one heading path (before splitting)."""

    path: tuple[str, ...]
    body: str


def passage_id(doc_id: str, title: str, occurrence: int, part: int) -> str:
    """The stable id of a passage (32 hex characters)."""
    key = "\x1f".join((doc_id, title, str(occurrence), str(part)))
    return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


def sections(text: str) -> list[Section]:
    """The document's sections in order: each heading path with the text right under it
    (text before the first heading has the empty path). Sections without text are left
    out."""
    found: list[Section] = []
    path: list[str] = []
    levels: list[int] = []
    body: list[str] = []
    fenced = False

    def close() -> None:
        content = "\n".join(body).strip()
        if content:
            found.append(Section(tuple(path), content))
        body.clear()

    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if heading is None:
            body.append(line)
            continue
        close()
        level = len(heading.group(1))
        while levels and levels[-1] >= level:
            levels.pop()
            path.pop()
        levels.append(level)
        path.append(heading.group(2).strip())
    close()
    return found


def title_of(text: str, fallback: str) -> str:
    """The document's title: its first top-level heading, else ``fallback``."""
    for section in sections(text):
        if section.path:
            return section.path[0]
    return fallback


_LEVELS = ((r"\n\s*\n", "\n\n"), (_SENTENCE_END.pattern, " "), (r"\s+", " "))
"""Boundaries to cut a long text at, coarsest first, and how pieces are joined back."""


def _pack(pieces: list[str], max_chars: int, joiner: str) -> list[str]:
    """Neighbouring pieces joined back while they fit."""
    packed: list[str] = []
    for piece in pieces:
        if packed and len(packed[-1]) + len(joiner) + len(piece) <= max_chars:
            packed[-1] = f"{packed[-1]}{joiner}{piece}"
        else:
            packed.append(piece)
    return packed


def pieces(text: str, max_chars: int) -> list[str]:
    """``text`` cut at the coarsest boundary (paragraph, sentence, word) that makes every
    piece fit, neighbours joined back while they fit; a word longer than ``max_chars`` is
    cut where it must be."""
    if len(text) <= max_chars:
        return [text]
    for pattern, joiner in _LEVELS:
        units = [u.strip() for u in re.split(pattern, text) if u.strip()]
        if len(units) > 1:
            cut = [piece for unit in units for piece in pieces(unit, max_chars)]
            return _pack(cut, max_chars, joiner)
    return [text[start : start + max_chars] for start in range(0, len(text), max_chars)]


def split_markdown(text: str, doc_id: str, *, max_chars: int = MAX_PASSAGE_CHARS) -> list[Passage]:
    """The passages of one document, in order."""
    if max_chars < MIN_PASSAGE_CHARS:
        raise ValueError(f"max_chars must be at least {MIN_PASSAGE_CHARS}, got {max_chars}")
    title = title_of(text, doc_id)
    seen: dict[str, int] = {}
    passages: list[Passage] = []
    for section in sections(text):
        heading = TITLE_SEPARATOR.join(section.path) if section.path else title
        occurrence = seen.get(heading, 0)
        seen[heading] = occurrence + 1
        for part, body in enumerate(pieces(section.body, max_chars)):
            passages.append(
                Passage(
                    passage_id=passage_id(doc_id, heading, occurrence, part),
                    doc_id=doc_id,
                    position=len(passages),
                    title=heading,
                    body=body,
                )
            )
    return passages
