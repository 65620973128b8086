"""The customer-service assistant's tools, called by the model as constrained JSON.

Each tool validates its arguments (a pydantic model whose JSON schema the model is given)
before it runs, and returns typed facts read from the store with citations; an invalid call
or a refusal is a structured :class:`ToolError`, never an exception. ``order_status`` and
``recommend`` act for the conversation's bound person only (:class:`ToolContext`).

Modules: ``base`` (context, results, registry), ``items`` (item cards from the store),
``catalog`` (search_products, get_item, compare_items), ``orders`` (order_status),
``recommend``, ``policy`` (policy_lookup), ``handoff``, ``facts`` (results as the claim
checker's facts)::

    registry = default_registry()
    context = ToolContext(store, settings, conversation_id="c-1", user_id="u-17",
                          retriever=Retriever.load(store))
    outcome = registry.call(context, "get_item", {"item_id": "1078"})
    facts = to_facts([outcome])
"""

from __future__ import annotations

from recmind.assistant.tools.base import (
    Citation,
    PersonalRecommender,
    Tool,
    ToolContext,
    ToolError,
    ToolOutcome,
    ToolRefusedError,
    ToolRegistry,
    ToolResult,
)
from recmind.assistant.tools.catalog import (
    COMPARE_ITEMS,
    GET_ITEM,
    SEARCH_PRODUCTS,
    ComparisonResult,
    ItemResult,
    ProductsResult,
)
from recmind.assistant.tools.facts import to_facts
from recmind.assistant.tools.handoff import HANDOFF, HandoffResult
from recmind.assistant.tools.items import ItemCard, ReviewSummary, item_cards
from recmind.assistant.tools.orders import ORDER_STATUS, OrderFacts, OrdersResult
from recmind.assistant.tools.policy import POLICY_LOOKUP, Passage, PolicyResult
from recmind.assistant.tools.recommend import RECOMMEND, RecommendResult, popular_items


def default_registry() -> ToolRegistry:
    """The seven tools of issue 14, in the order the model is shown them."""
    return ToolRegistry(
        [
            SEARCH_PRODUCTS,
            GET_ITEM,
            COMPARE_ITEMS,
            ORDER_STATUS,
            RECOMMEND,
            POLICY_LOOKUP,
            HANDOFF,
        ]
    )


__all__ = [
    "Citation",
    "ComparisonResult",
    "HandoffResult",
    "ItemCard",
    "ItemResult",
    "OrderFacts",
    "OrdersResult",
    "Passage",
    "PersonalRecommender",
    "PolicyResult",
    "ProductsResult",
    "RecommendResult",
    "ReviewSummary",
    "Tool",
    "ToolContext",
    "ToolError",
    "ToolOutcome",
    "ToolRefusedError",
    "ToolRegistry",
    "ToolResult",
    "default_registry",
    "item_cards",
    "popular_items",
    "to_facts",
]
