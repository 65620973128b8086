"""Worked examples shown to the model before the request (few-shot turns).

They come from an imaginary bookshop (its categories and attributes below), never from the
shop being drafted for and never from the evaluation set in ``benchmarks/data``: they teach
the rule format and the house conventions (a quiet spell is a ``not`` around ``exists``,
lifetime money is ``monetary_total`` while money in a window is an event ``sum``, a range of
bucketed attribute values is an ``in`` list of every bucket inside it, a percentage is a
fraction), in English and Chinese.
"""

from __future__ import annotations

from typing import Any, Final

EXAMPLE_SHOP: Final = (
    "Books, Books/Fantasy, Books/Cooking, Garden, Garden/Seeds, Toys/Puzzles, Stationery; "
    "attributes.region (North, South, East, West), attributes.member_tier (basic, silver, gold)"
)
"""What the imaginary shop of the examples sells and knows about people."""

EXAMPLES: Final[tuple[tuple[str, dict[str, Any]], ...]] = (
    (
        "readers who bought fantasy books in the last 45 days",
        {
            "event": {"type": "purchase", "category": "Books/Fantasy", "within_days": 45},
            "measure": "exists",
        },
    ),
    (
        "超过120天没有买过任何东西的顾客",
        {"not": {"event": {"type": "purchase", "within_days": 120}, "measure": "exists"}},
    ),
    (
        "gold members who opted in to email and spent over 250 in the last 60 days",
        {
            "all": [
                {"field": "attributes.member_tier", "op": "=", "value": "gold"},
                {"consent": "email"},
                {
                    "event": {"type": "purchase", "within_days": 60},
                    "measure": "sum",
                    "op": ">",
                    "value": 250,
                },
            ]
        },
    ),
    (
        "累计消费不到80元、下单次数少于3次的客户",
        {
            "all": [
                {"field": "monetary_total", "op": "<", "value": 80},
                {"field": "order_count", "op": "<", "value": 3},
            ]
        },
    ),
    (
        "people who put something in the basket in the last 14 days and did not check out "
        "within a day",
        {
            "funnel": {
                "did": {"type": "add_to_cart", "within_days": 14},
                "then_not": {"type": "purchase"},
                "within_hours": 24,
            }
        },
    ),
    (
        "买过园艺或益智玩具、但从来没买过种子的人",
        {
            "all": [
                {
                    "any": [
                        {"event": {"type": "purchase", "category": "Garden"}, "measure": "exists"},
                        {
                            "event": {"type": "purchase", "category": "Toys/Puzzles"},
                            "measure": "exists",
                        },
                    ]
                },
                {
                    "not": {
                        "event": {"type": "purchase", "category": "Garden/Seeds"},
                        "measure": "exists",
                    }
                },
            ]
        },
    ),
    (
        "customers from the north or east who browsed at least 4 times this past week",
        {
            "all": [
                {"field": "attributes.region", "op": "in", "value": ["North", "East"]},
                {
                    "event": {"type": "view", "within_days": 7},
                    "measure": "count",
                    "op": ">=",
                    "value": 4,
                },
            ]
        },
    ),
    (
        "流失风险低于20%、预计未来消费超过150的客户",
        {
            "all": [
                {"field": "churn_risk", "op": "<", "value": 0.2},
                {"field": "expected_spend", "op": ">", "value": 150},
            ]
        },
    ),
    (
        "members above the basic tier whose last order was 10 to 40 days ago",
        {
            "all": [
                {"field": "attributes.member_tier", "op": "in", "value": ["silver", "gold"]},
                {"field": "days_since_last_purchase", "op": "between", "value": [10, 40]},
            ]
        },
    ),
    (
        "最近30天买过单价超过25元的烹饪书的顾客",
        {
            "event": {
                "type": "purchase",
                "category": "Books/Cooking",
                "min_price": 25,
                "within_days": 30,
            },
            "measure": "exists",
        },
    ),
    (
        "loyal customers (the built-in segment) who bought stationery 2 to 5 times this year",
        {
            "all": [
                {"segment": "loyal"},
                {
                    "event": {"type": "purchase", "category": "Stationery", "within_days": 365},
                    "measure": "count",
                    "op": "between",
                    "value": [2, 5],
                },
            ]
        },
    ),
    (
        "没有同意接收邮件的客户",
        {"not": {"consent": "email"}},
    ),
)
