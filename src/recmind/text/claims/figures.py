"""Figures no other finder explained: any number left in the text must be one the facts
state (a price, a count, a size, a year in a title, the number of items)."""

from __future__ import annotations

import re

from recmind.text.claims.document import Document
from recmind.text.claims.known import Known
from recmind.text.claims.numbers import close, parse_number

_FIGURE = re.compile(r"(?<![A-Za-z0-9_.])\d+(?:[.,]\d+)*(?![A-Za-z_.]*\d)")


def find(doc: Document, known: Known) -> None:
    """Record every figure left unexplained."""
    for match in doc.free_matches(_FIGURE):
        value = parse_number(match.group())
        if value is None:
            continue
        ok = any(close(value, n, 0.005) for n in known.numbers)
        doc.record(
            *match.span(), "number", ok, "a figure of the facts" if ok else "a figure no fact gives"
        )
