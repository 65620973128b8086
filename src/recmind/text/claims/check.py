"""``check(text, facts)``: every factual claim of a text, each judged against the facts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from recmind.text.claims import (
    attributes,
    codes,
    dates,
    discounts,
    figures,
    history,
    leakage,
    money,
    names,
    policies,
    products,
    reputation,
    stock,
    titles,
    values,
)
from recmind.text.claims.document import Claim, Document
from recmind.text.claims.facts import Facts
from recmind.text.claims.known import Known

Finder = Callable[[Document, Known], None]
FINDERS: tuple[Finder, ...] = (
    leakage.find,
    titles.find,
    names.find_quotes,
    codes.find,
    policies.find,
    dates.find,
    discounts.find,
    money.find,
    stock.find,
    history.find,
    reputation.find,
    values.find,
    attributes.find,
    products.find,
    names.find,
    figures.find,
)
"""In order: each claims its spans, so a later finder does not read them again (a code's
digits are not a figure; a price's currency is not a name)."""


@dataclass(frozen=True)
class Verdict:
    """The claims of one text and whether all are supported.

    Attributes:
        ok: Every claim is supported.
        claims: The claims, in the order the text makes them.
        text: The text checked.
    """

    ok: bool
    claims: tuple[Claim, ...]
    text: str = ""

    @property
    def unsupported(self) -> tuple[Claim, ...]:
        return tuple(c for c in self.claims if not c.supported)

    def to_dict(self) -> dict[str, Any]:
        """``{"ok": bool, "claims": [{"text", "kind", "supported", "reason"}]}``."""
        return {"ok": self.ok, "claims": [c.to_dict() for c in self.claims]}

    def feedback(self) -> str:
        """The unsupported claims in words, to ask a writer for a corrected text."""
        return "; ".join(f"{c.text!r} ({c.kind}): {c.reason}" for c in self.unsupported)


def check(text: str, facts: Facts | Mapping[str, Any]) -> Verdict:
    """Extract the factual claims of ``text`` and verify each against ``facts``.

    Args:
        text: A message, English or Chinese.
        facts: A :class:`Facts` or a mapping in the facts-file form.
    """
    model = facts if isinstance(facts, Facts) else Facts.model_validate(facts)
    doc = Document(text)
    known = Known(model)
    for finder in FINDERS:
        finder(doc, known)
    claims = tuple(sorted(doc.claims, key=lambda c: (c.start, c.end)))
    return Verdict(all(c.supported for c in claims), claims, text)
