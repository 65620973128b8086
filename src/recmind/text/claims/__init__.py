"""The claim checker: every factual claim of a text, verified against the facts given.

A message, an explanation or a portrait may state only what its facts say. :func:`check`
finds the claims of a text, English or Chinese (product names, prices and currencies,
discounts and codes, dates and deadlines, stock and scarcity, attributes, shipping, returns
and warranty promises, superlatives, popularity, ratings and sentiment, similarity between
titles, what the person did, leaked prompt words, and any figure left over) and judges each
against :class:`Facts`: ``Verdict(ok, claims)``, each claim ``{"text", "kind", "supported",
"reason"}``. A claim whose support is absent from the facts is unsupported.

One module per family of claims, run in order by :mod:`recmind.text.claims.check`.
"""

from __future__ import annotations

from recmind.text.claims.check import FINDERS, Verdict, check
from recmind.text.claims.document import Claim, ClaimKind
from recmind.text.claims.facts import Facts, HistoryFacts, ItemFacts, OfferFacts

__all__ = [
    "FINDERS",
    "Claim",
    "ClaimKind",
    "Facts",
    "HistoryFacts",
    "ItemFacts",
    "OfferFacts",
    "Verdict",
    "check",
]
