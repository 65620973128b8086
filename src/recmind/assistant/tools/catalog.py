"""Catalogue tools: ``search_products``, ``get_item`` and ``compare_items``.

Search goes through the assistant's :class:`~recmind.assistant.retrieval.Retriever`
(filters on the store's present prices and stock); every item is then read as a card from
the store, so the price and stock a result carries are the store's at the call.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field, model_validator

from recmind.assistant.retrieval import Filters
from recmind.assistant.tools.base import (
    Arguments,
    Citation,
    Tool,
    ToolContext,
    ToolRefusedError,
    ToolResult,
)
from recmind.assistant.tools.items import ItemCard, item_cards, ordered_cards

ItemId = Field(min_length=1, max_length=255, description="An item id from an earlier result.")


class SearchProductsArgs(Arguments):
    """Find products by words, with optional conditions."""

    query: str = Field(min_length=1, max_length=500, description="What the customer wants.")
    category: str | None = Field(
        default=None, max_length=255, description="Only this category (or a sub-category)."
    )
    min_price: float | None = Field(default=None, ge=0, le=1e9, description="Lowest price.")
    max_price: float | None = Field(default=None, ge=0, le=1e9, description="Highest price.")
    in_stock: bool = Field(default=False, description="Only items in stock now.")
    top: int = Field(default=5, ge=1, le=10, description="How many products at most.")

    @model_validator(mode="after")
    def _range(self) -> Self:
        if (
            self.min_price is not None
            and self.max_price is not None
            and self.min_price > self.max_price
        ):
            raise ValueError("min_price is above max_price")
        return self


class ProductsResult(ToolResult):
    """Products matching a search, best first, with the store's present prices."""

    items: list[ItemCard]


def _cite(cards: list[ItemCard]) -> list[Citation]:
    return [Citation(kind="item", id=c.item_id) for c in cards]


def search_products(context: ToolContext, args: SearchProductsArgs) -> ProductsResult:
    if context.retriever is None:
        raise ToolRefusedError("unavailable", "product search is not available right now")
    filters = Filters(
        category=args.category or None,
        min_price=args.min_price,
        max_price=args.max_price,
        in_stock=args.in_stock,
    )
    hits = context.retriever.search(
        args.query, kinds=["product"], filters=filters, top=args.top, language=context.language
    )
    cards = ordered_cards(context.store, [h.source for h in hits], context.currency)
    return ProductsResult(items=cards, citations=_cite(cards))


class GetItemArgs(Arguments):
    """One item's price, stock, attributes and review figures."""

    item_id: str = ItemId


class ItemResult(ToolResult):
    """One item as the store has it now."""

    item: ItemCard


def get_item(context: ToolContext, args: GetItemArgs) -> ItemResult:
    card = item_cards(context.store, [args.item_id], context.currency).get(args.item_id)
    if card is None:
        raise ToolRefusedError("not_found", f"no item {args.item_id!r} in the catalogue")
    return ItemResult(item=card, citations=_cite([card]))


class CompareItemsArgs(Arguments):
    """Two to four items side by side."""

    item_ids: list[str] = Field(
        min_length=2, max_length=4, description="The items to compare (2 to 4 ids)."
    )

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        if len(set(self.item_ids)) != len(self.item_ids):
            raise ValueError("the same item is named twice")
        if any(not i or len(i) > 255 for i in self.item_ids):
            raise ValueError("an item id is empty or longer than 255 characters")
        return self


class ComparisonResult(ToolResult):
    """The items, and each attribute any of them has, per item (None: not given)."""

    items: list[ItemCard]
    attributes: dict[str, dict[str, Any]]


def compare_items(context: ToolContext, args: CompareItemsArgs) -> ComparisonResult:
    cards = ordered_cards(context.store, args.item_ids, context.currency)
    missing = [i for i in args.item_ids if i not in {c.item_id for c in cards}]
    if missing:
        raise ToolRefusedError("not_found", f"no item {missing[0]!r} in the catalogue")
    names = sorted({name for card in cards for name in card.attributes})
    table = {name: {c.item_id: c.attributes.get(name) for c in cards} for name in names}
    return ComparisonResult(items=cards, attributes=table, citations=_cite(cards))


SEARCH_PRODUCTS: Tool[SearchProductsArgs, ProductsResult] = Tool(
    name="search_products",
    description=(
        "Search the catalogue by words (English or Chinese), optionally within a category, "
        "a price range or in stock only. Returns products with their current price and stock."
    ),
    arguments=SearchProductsArgs,
    run=search_products,
)
GET_ITEM: Tool[GetItemArgs, ItemResult] = Tool(
    name="get_item",
    description="One item's current price, currency, stock, attributes and review figures.",
    arguments=GetItemArgs,
    run=get_item,
)
COMPARE_ITEMS: Tool[CompareItemsArgs, ComparisonResult] = Tool(
    name="compare_items",
    description="Compare 2 to 4 items side by side: price, stock and every attribute.",
    arguments=CompareItemsArgs,
    run=compare_items,
)
