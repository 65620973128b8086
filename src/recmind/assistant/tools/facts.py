"""Tool results as the claim checker's :class:`~recmind.text.claims.Facts`, so an answer
can be checked against exactly what the tools returned.

Items become ``items`` (price, currency, stock, attributes, category as a tag, review
figures); policy passages become ``policies`` keyed by their heading path, with their text;
orders become ``terms`` (id, status, carrier, tracking number, dates, total, lines as
words with their figures). Failed calls give nothing: no fact is read from an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from recmind.assistant.tools.base import ToolOutcome, ToolResult
from recmind.assistant.tools.catalog import ComparisonResult, ItemResult, ProductsResult
from recmind.assistant.tools.items import ItemCard
from recmind.assistant.tools.orders import OrderFacts, OrdersResult
from recmind.assistant.tools.policy import PolicyResult
from recmind.assistant.tools.recommend import RecommendResult
from recmind.text.claims.facts import Facts, ItemFacts


def _cards(result: ToolResult) -> list[ItemCard]:
    if isinstance(result, ProductsResult | ComparisonResult | RecommendResult):
        return list(result.items)
    if isinstance(result, ItemResult):
        return [result.item]
    return []


def item_facts(card: ItemCard) -> ItemFacts:
    """One card as the checker's item."""
    return ItemFacts(
        item_id=card.item_id,
        title=card.title,
        price=card.price,
        currency=card.currency,
        stock=card.stock,
        attributes=dict(card.attributes),
        tags=[card.category] if card.category else [],
        average_rating=card.reviews.average_rating,
        rating_count=card.reviews.count or None,
        review_sentiment=card.reviews.positive_share,
    )


def order_terms(order: OrderFacts) -> list[str]:
    """The words and figures an answer may use about one order."""
    terms = [f"order {order.order_id}", order.order_id, order.status, order.placed_on]
    terms += [t for t in (order.carrier, order.tracking_number, order.expected_on) if t]
    if order.total is not None:
        terms.append(f"total {order.total:.2f} {order.currency or ''}".strip())
    terms += [f"{line.quantity} x {line.item_id} at {line.unit_price:.2f}" for line in order.lines]
    return terms


def to_facts(
    outcomes: Iterable[ToolOutcome], *, now: datetime | None = None, brand: str | None = None
) -> Facts:
    """Everything the successful calls returned, as one :class:`Facts` (the latest card of
    an item wins: it holds the store's newest price)."""
    items: dict[str, ItemFacts] = {}
    policies: dict[str, Any] = {}
    terms: list[str] = []
    for outcome in outcomes:
        result = outcome.result
        if outcome.error is not None or result is None:
            continue
        for card in _cards(result):
            items[card.item_id] = item_facts(card)
        if isinstance(result, PolicyResult):
            for passage in result.passages:
                policies[passage.title] = passage.text
        if isinstance(result, OrdersResult):
            for order in result.orders:
                terms += order_terms(order)
    return Facts(
        items=list(items.values()),
        policies=policies,
        terms=list(dict.fromkeys(terms)),
        now=now,
        brand=brand,
    )
