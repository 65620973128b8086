"""Names the facts give: item and history titles, the brand, the person, the offer's name.
Each mention is a supported product claim and its span is marked as a name, so the numbers
and words inside a title ("Trailblazer 2 Tent", "30W快充充电器") are not read as claims of
their own (phrases around it still are)."""

from __future__ import annotations

from recmind.text.claims.document import Document
from recmind.text.claims.known import Known
from recmind.text.grounding.matching import normalise


def find(doc: Document, known: Known) -> None:
    """Record and claim every mention of a title or name the facts give."""
    if known.title_pattern is not None:
        for match in doc.free_matches(known.title_pattern):
            where = known.item_at(normalise(match.group()))
            what = "an item in the facts" if where and where[0] == "item" else "in their history"
            doc.record(match.start(), match.end(), "product", True, what, cover=False)
            doc.names.append(match.span())
    if known.name_pattern is not None:
        for match in doc.free_matches(known.name_pattern):
            doc.names.append(match.span())
