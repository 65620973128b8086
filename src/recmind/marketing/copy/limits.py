"""Length limits of every kind of copy, measured on the filled text, and the cut that keeps
a text within them at a word boundary, never inside a slot.

Search ads count characters the way ad platforms do: a wide (CJK) character counts twice,
so a Chinese headline holds 15 characters in its 30. An SMS is one GSM-7 message (160
characters), or 70 when it needs Unicode (any Chinese). Everything else counts characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from recmind.marketing.copy.slots import SLOT

ELLIPSIS = "…"
SMS_GSM = 160
SMS_UNICODE = 70
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)
_CJK_BREAK = re.compile(r"[\u3000-\u303f\uff00-\uffef\u3400-\u9fff]")


def char_count(text: str) -> int:
    return len(text)


def ad_width(text: str) -> int:
    """Characters as ad platforms count them: wide (CJK) ones twice."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def sms_limit(text: str) -> int:
    """One SMS: 160 GSM-7 characters, or 70 when the text needs Unicode."""
    return SMS_GSM if all(c in _GSM7 for c in text) else SMS_UNICODE


@dataclass(frozen=True)
class Limit:
    """How long one part may be: ``chars`` at most, counted by ``measure``; an over-long
    text is cut at a word boundary (with an ellipsis when ``ellipsis``)."""

    chars: int
    measure: Callable[[str], int] = char_count
    ellipsis: bool = False

    def fits(self, text: str) -> bool:
        return self.measure(text) <= self.chars


def _units(text: str, values: Mapping[str, str | None]) -> list[tuple[str, str]]:
    """``(source, filled)`` pieces: a slot whole, else one character."""
    out: list[tuple[str, str]] = []
    at = 0
    for match in SLOT.finditer(text):
        out += [(c, c) for c in text[at : match.start()]]
        key = match.group(1) if match.group(2) is None else f"{match.group(1)}:{match.group(2)}"
        out.append((match.group(0), values.get(key) or ""))
        at = match.end()
    out += [(c, c) for c in text[at:]]
    return out


def _breakable(before: str, after: str) -> bool:
    """Whether a cut between two pieces is at a word boundary."""
    return after.isspace() or before.isspace() or bool(_CJK_BREAK.match(before[-1:] or " "))


def cut_to(text: str, limit: Limit, values: Mapping[str, str | None]) -> str:
    """``text`` (with slots) shortened so that, filled with ``values``, it fits ``limit``:
    cut at the last word boundary that fits, never inside a slot, trailing punctuation
    dropped, an ellipsis added where the limit says. Returns ``text`` when it fits."""
    units = _units(text, values)
    filled = "".join(f for _, f in units)
    if limit.fits(filled):
        return text
    tail = ELLIPSIS if limit.ellipsis else ""
    best = 0
    for end in range(1, len(units)):
        if not _breakable(units[end - 1][0], units[end][0]):
            continue
        head = "".join(f for _, f in units[:end]).rstrip(" ,;:-–—，、；：")
        if limit.fits(head + tail):
            best = end
        elif limit.measure(head) > limit.chars:
            break
    source = _without_dangling("".join(s for s, _ in units[:best]).rstrip(" ,;:-–—，、；："))
    return source + tail if source else ""


DANGLING = frozenset(
    {
        *("a", "an", "the", "and", "or", "but", "with", "of", "for", "to", "our", "your"),
        *("in", "on", "at", "by", "from", "is", "are", "this", "that", "its", "their"),
        *("as", "so", "than", "into"),
    }
)
"""Words a cut text must not end on ("Layer up with our" is cut back to "Layer up")."""


def _without_dangling(text: str) -> str:
    words = text.split(" ")
    while len(words) > 1 and words[-1].lower() in DANGLING:
        words.pop()
    return " ".join(words).rstrip(" ,;:-–—")
