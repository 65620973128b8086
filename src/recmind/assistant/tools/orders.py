"""``order_status``: the bound person's own orders, and nobody else's.

The person is the conversation's (``ToolContext.user_id``, vouched for by the shop's
backend), never an argument: the model can name an order id, not a person. The only read
is :func:`recmind.data.orders.orders_for_user`, filtered by that person, so an order id of
someone else's is answered exactly as an id that does not exist ("not found", the same
words), and the refusal is logged without looking the id up anywhere else.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from recmind.assistant.tools.base import (
    Arguments,
    Citation,
    Tool,
    ToolContext,
    ToolRefusedError,
    ToolResult,
)
from recmind.data.orders import MAX_PAGE, orders_for_user

logger = logging.getLogger(__name__)


class OrderStatusArgs(Arguments):
    """Which of the customer's own orders (all recent ones when no id is given)."""

    order_id: str | None = Field(
        default=None, min_length=1, max_length=255, description="The order's id, if given."
    )
    limit: int = Field(default=5, ge=1, le=20, description="Recent orders when no id is given.")


class OrderLine(BaseModel):
    item_id: str
    quantity: int
    unit_price: float


class OrderFacts(BaseModel):
    """One order as the store has it. Dates are ISO (UTC) and epoch seconds."""

    order_id: str
    status: str
    created_at: float
    placed_on: str
    lines: list[OrderLine]
    total: float | None
    currency: str | None
    carrier: str | None
    tracking_number: str | None
    expected_delivery: float | None
    expected_on: str | None


class OrdersResult(ToolResult):
    """The customer's orders asked for, newest first."""

    orders: list[OrderFacts]
    total_orders: int = Field(description="How many orders the customer has in all.")


def _day(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).date().isoformat()


def _facts(row: dict[str, object]) -> OrderFacts:
    created = float(row["created_at"])  # type: ignore[arg-type]
    expected = row.get("expected_delivery")
    return OrderFacts.model_validate(
        {
            **row,
            "placed_on": _day(created),
            "expected_on": _day(float(expected)) if expected is not None else None,  # type: ignore[arg-type]
        }
    )


NOT_FOUND = "no such order was found among your orders"
"""The one answer for an order id that is not the caller's (someone else's or nobody's):
the same words, without the id, so nothing in it depends on what was asked."""


def order_status(context: ToolContext, args: OrderStatusArgs) -> OrdersResult:
    user_id = context.user_id
    if user_id is None:
        logger.info(
            "order_status refused in conversation %s: anonymous caller",
            context.conversation_id,
        )
        raise ToolRefusedError(
            "unavailable", "orders can be looked up only for a signed-in customer"
        )
    limit = MAX_PAGE if args.order_id is not None else args.limit
    rows, total = orders_for_user(context.store, user_id, limit=limit)
    if args.order_id is not None:
        rows = [r for r in rows if r["order_id"] == args.order_id]
        if not rows:
            logger.warning(
                "order_status refused in conversation %s: order id asked for is not among "
                "the bound user's orders",
                context.conversation_id,
            )
            raise ToolRefusedError("not_found", NOT_FOUND)
    orders = [_facts(r) for r in rows]
    citations = [Citation(kind="order", id=o.order_id) for o in orders]
    citations += [Citation(kind="item", id=line.item_id) for o in orders for line in o.lines]
    return OrdersResult(orders=orders, total_orders=total, citations=list(dict.fromkeys(citations)))


ORDER_STATUS: Tool[OrderStatusArgs, OrdersResult] = Tool(
    name="order_status",
    description=(
        "The signed-in customer's own orders: status, lines, total, carrier, tracking and "
        "expected delivery. Give an order id for one order, or none for the latest ones."
    ),
    arguments=OrderStatusArgs,
    run=order_status,
)
