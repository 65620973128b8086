"""Item cards read from the store: the facts ``get_item``, ``compare_items``,
``search_products`` and ``recommend`` return. Prices and stock are the store's values at
the moment of the call, never an index's or a model's."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import orjson
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from recmind.data.schema import item_facts, items, reviews
from recmind.data.store import Store

_CHUNK = 500


class ReviewSummary(BaseModel):
    """What the stored reviews say in figures (never their text: it is user-written)."""

    count: int = 0
    average_rating: float | None = None
    positive_share: float | None = Field(
        default=None, description="Share of positive reviews, from the stored sentiment facts."
    )


class ItemCard(BaseModel):
    """One item as the store has it now."""

    item_id: str
    title: str
    category: str | None = None
    price: float | None = None
    currency: str
    stock: int | None = None
    in_stock: bool | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    description: str | None = None
    reviews: ReviewSummary = Field(default_factory=ReviewSummary)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _attributes(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        loaded = orjson.loads(text)
    except orjson.JSONDecodeError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _summaries(store: Store, wanted: list[str]) -> dict[str, ReviewSummary]:
    counts: dict[str, tuple[int, float | None]] = {}
    shares: dict[str, float] = {}
    rated = select(reviews.c.item_id, func.count(), func.avg(reviews.c.rating)).group_by(
        reviews.c.item_id
    )
    stored = select(item_facts.c.item_id, item_facts.c.value).where(
        item_facts.c.fact == "sentiment"
    )
    with store.engine.connect() as connection:
        for chunk in _chunks(wanted):
            for item_id, count, mean in connection.execute(
                rated.where(reviews.c.item_id.in_(chunk))
            ):
                counts[str(item_id)] = (int(count), _number(mean))
            for item_id, value in connection.execute(stored.where(item_facts.c.item_id.in_(chunk))):
                loaded = orjson.loads(value)
                share = loaded.get("positive_share") if isinstance(loaded, dict) else None
                if isinstance(share, int | float):
                    shares[str(item_id)] = float(share)
    out = {}
    for item_id in wanted:
        count, mean = counts.get(item_id, (0, None))
        out[item_id] = ReviewSummary(
            count=count,
            average_rating=None if mean is None else round(mean, 2),
            positive_share=shares.get(item_id),
        )
    return out


def item_cards(store: Store, item_ids: Iterable[str], currency: str) -> dict[str, ItemCard]:
    """The cards of the items the store has, by id (unknown ids are absent)."""
    wanted = [str(i) for i in dict.fromkeys(item_ids)]
    if not wanted:
        return {}
    rows: list[Any] = []
    with store.engine.connect() as connection:
        for chunk in _chunks(wanted):
            rows += connection.execute(select(items).where(items.c.item_id.in_(chunk))).all()
    summaries = _summaries(store, [str(r.item_id) for r in rows])
    cards = {}
    for row in rows:
        stock = _number(row.stock)
        cards[str(row.item_id)] = ItemCard(
            item_id=str(row.item_id),
            title=row.title,
            category=row.category,
            price=_number(row.price),
            currency=currency,
            stock=None if stock is None else int(stock),
            in_stock=None if stock is None else stock > 0,
            attributes=_attributes(row.attributes),
            description=row.description,
            reviews=summaries[str(row.item_id)],
        )
    return cards


def ordered_cards(store: Store, item_ids: list[str], currency: str) -> list[ItemCard]:
    """The cards in the order of ``item_ids``, those the store does not have left out."""
    cards = item_cards(store, item_ids, currency)
    return [cards[i] for i in dict.fromkeys(item_ids) if i in cards]
