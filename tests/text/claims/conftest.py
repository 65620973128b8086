"""Facts of a small English shop and a small Chinese one, and a helper that checks a text
and returns its claims by kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from recmind.text.claims import Claim, Verdict, check

Facts = dict[str, Any]


def _shop() -> Facts:
    return {
        "items": [
            {
                "item_id": "sw",
                "title": "Merino Crew Sweater",
                "price": 89.0,
                "currency": "USD",
                "stock": 4,
                "attributes": {
                    "material": "100% merino wool",
                    "colour": "charcoal",
                    "sizes": ["S", "M", "L", "XL"],
                    "care": "hand wash",
                    "machine_washable": False,
                    "weight": "450 g",
                },
                "bestseller_rank": 1,
                "average_rating": 4.7,
                "rating_count": 2300,
                "review_sentiment": 0.9,
            },
            {
                "item_id": "tee",
                "title": "Organic Cotton Tee",
                "price": 24.5,
                "currency": "USD",
                "stock": 120,
                "attributes": {"material": "organic cotton", "colour": "white"},
            },
        ],
        "offer": {"discount_percent": 20, "code": "WOOL20", "ends": "2025-11-30"},
        "policies": {"free_shipping_over": 75, "returns_days": 30, "warranty_years": 2},
        "brand": "Harbor & Pine",
        "recipient": "Maya",
        "now": "2025-11-27T09:00:00",
    }


def _zh_shop() -> Facts:
    return {
        "items": [
            {
                "item_id": "pj",
                "title": "真丝睡衣套装",
                "price": 599,
                "currency": "CNY",
                "stock": 5,
                "attributes": {"面料": "100%桑蚕丝", "颜色": "香槟色", "尺码": ["S", "M", "L"]},
                "bestseller_rank": 3,
            },
            {
                "item_id": "tee",
                "title": "纯棉T恤",
                "price": 129,
                "currency": "CNY",
                "stock": 200,
                "attributes": {"面料": "纯棉", "颜色": "白色"},
            },
        ],
        "offer": {"discount_percent": 20, "code": "SILK20", "ends": "2025-06-18"},
        "policies": {"free_shipping_over": 99, "returns_days": 7, "warranty_years": 1},
        "brand": "云织",
        "now": "2025-06-16T10:00:00",
    }


@pytest.fixture
def shop() -> Facts:
    """An English shop: a merino sweater (4 left, the best-seller) and a cotton tee, 20% off
    with WOOL20 until Sunday 30 November 2025 (now: Thursday the 27th), free shipping over
    $75, 30-day returns, a 2-year warranty."""
    return _shop()


@pytest.fixture
def zh_shop() -> Facts:
    """A Chinese shop: silk pyjamas (5 left) and a cotton tee, 八折 with SILK20 until
    Wednesday 18 June 2025 (now: Monday the 16th), 满99包邮, 7-day returns."""
    return _zh_shop()


Judge = Callable[[str, Facts], Verdict]


@pytest.fixture
def judge() -> Judge:
    return check


def unsupported(verdict: Verdict, kind: str | None = None) -> list[Claim]:
    return [c for c in verdict.claims if not c.supported and (kind is None or c.kind == kind)]


@pytest.fixture
def bad() -> Callable[..., list[str]]:
    """``bad(text, facts, kind=None)``: the texts of the unsupported claims (of ``kind``)."""

    def run(text: str, facts: Facts, kind: str | None = None) -> list[str]:
        return [c.text for c in unsupported(check(text, facts), kind)]

    return run
