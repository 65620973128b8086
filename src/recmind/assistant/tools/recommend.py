"""``recommend``: the served model's list for the bound person; popular items otherwise.

The person's list comes through :class:`~recmind.assistant.tools.base.PersonalRecommender`
(the serving layer's ``ServedRecommender``: the same list ``GET /v1/users/{id}/
recommendations`` gives). An anonymous conversation, or one without a served model, gets
the items most taken up in the store lately (events of the last :data:`POPULAR_DAYS` days,
all time when there are none).
"""

from __future__ import annotations

from pydantic import Field
from sqlalchemy import func, select

from recmind.assistant.tools.base import Arguments, Citation, Tool, ToolContext, ToolResult
from recmind.assistant.tools.items import ItemCard, ordered_cards
from recmind.data.schema import events, items
from recmind.data.store import Store

POPULAR_DAYS = 30.0
OVERFETCH = 10


class RecommendArgs(Arguments):
    """Suggestions for the customer."""

    count: int = Field(default=5, ge=1, le=10, description="How many items.")
    in_stock: bool = Field(default=True, description="Only items in stock now.")


class RecommendResult(ToolResult):
    """Suggested items, best first, with the store's present prices."""

    items: list[ItemCard]
    personalised: bool = Field(description="From the person's own history (else popular).")


def popular_items(store: Store, *, now: float, count: int, in_stock: bool) -> list[str]:
    """The items most taken up lately (all time when nothing happened lately)."""
    taken = func.count(events.c.event_id)
    query = (
        select(events.c.item_id, taken)
        .join(items, items.c.item_id == events.c.item_id)
        .group_by(events.c.item_id)
        .order_by(taken.desc(), events.c.item_id)
        .limit(count)
    )
    if in_stock:
        query = query.where(items.c.stock > 0)
    recent = query.where(events.c.timestamp >= now - POPULAR_DAYS * 86_400)
    with store.engine.connect() as connection:
        found = [str(r[0]) for r in connection.execute(recent)]
        if not found:
            found = [str(r[0]) for r in connection.execute(query)]
    return found


def recommend(context: ToolContext, args: RecommendArgs) -> RecommendResult:
    now = context.now()
    ids: list[str] = []
    personalised = False
    if context.user_id is not None and context.recommender is not None:
        ids = context.recommender(
            context.user_id,
            source="personal",
            count=args.count,
            trigger_item=None,
            in_stock_only=args.in_stock,
            now=now,
        )
        personalised = bool(ids)
    if not ids:
        ids = popular_items(
            context.store, now=now, count=args.count + OVERFETCH, in_stock=args.in_stock
        )
    cards = ordered_cards(context.store, ids, context.currency)
    if args.in_stock:  # the store is asked last: sold out a second ago is not suggested
        cards = [c for c in cards if c.in_stock]
    cards = cards[: args.count]
    return RecommendResult(
        items=cards,
        personalised=personalised,
        citations=[Citation(kind="item", id=c.item_id) for c in cards],
    )


RECOMMEND: Tool[RecommendArgs, RecommendResult] = Tool(
    name="recommend",
    description=(
        "Items to suggest to this customer, from their own history when they are signed "
        "in (else what is popular), with current prices and stock."
    ),
    arguments=RecommendArgs,
    run=recommend,
)
