"""The claim checker behind generated explanations and portraits.

:class:`FactChecker` is a :class:`~recmind.text.grounding.GroundingChecker` (titles and tags
of the catalogue the facts do not name, invented names, numbers) that also runs
:func:`~recmind.text.claims.check` when the facts carry claim facts
(:class:`SupportedFacts`): popularity, similarity, sentiment, superlatives, the person's
history and leaked prompt words then need support too. Each unsupported claim becomes a
``claim`` violation, so :func:`~recmind.text.grounding.generate_grounded` retries with it
as feedback and falls back to the template like before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from recmind.text.claims.check import check
from recmind.text.claims.facts import Facts as ClaimFacts
from recmind.text.grounding.checker import Facts, GroundingChecker, GroundingReport, Violation


@dataclass(frozen=True)
class SupportedFacts(Facts):
    """What a generated text may name (titles, terms, numbers) and the facts its claims
    are checked against."""

    claims: ClaimFacts | None = None

    @classmethod
    def supported(
        cls,
        claims: ClaimFacts,
        *,
        titles: Iterable[str] = (),
        terms: Iterable[str] = (),
    ) -> SupportedFacts:
        """Facts whose numbers include the claim facts' ratings and counts."""
        numbers: list[float] = []
        for item in claims.items:
            values = (item.average_rating, item.rating_count, item.positive_count)
            numbers += [float(v) for v in values if v is not None]
        numbers += [float(e.rating) for e in claims.history if e.rating is not None]
        numbers += [e.rating_scale for e in claims.history if e.rating is not None]
        base = Facts.of(titles=titles, terms=terms, numbers=numbers)
        return cls(base.titles, base.terms, base.numbers, claims)


class FactChecker(GroundingChecker):
    """A grounding checker that also verifies every claim (see the module docstring)."""

    def check(self, text: str, facts: Facts) -> GroundingReport:
        report = super().check(text, facts)
        claims = facts.claims if isinstance(facts, SupportedFacts) else None
        if claims is None or not text.strip():
            return report
        verdict = check(text, claims)
        found = tuple(
            Violation("claim", c.text, f"{c.kind}: {c.reason}") for c in verdict.unsupported
        )
        return replace(report, violations=(*report.violations, *found)) if found else report
