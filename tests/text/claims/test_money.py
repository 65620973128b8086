"""Prices and amounts: the item's price, the price after the offer, the saving or a
policy's threshold, to the cent and in the items' currency, however it is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from recmind.text.claims import check

Bad = Callable[..., list[str]]


@pytest.mark.parametrize(
    "text",
    [
        "The Merino Crew Sweater is $89.",
        "The Merino Crew Sweater is $89.00.",
        "The Merino Crew Sweater is 89.00 USD.",
        "The Merino Crew Sweater is US$89.",
        "With WOOL20 the sweater comes to $71.20.",
        "Save $17.80 on the sweater with WOOL20.",
        "Tee and sweater together: $113.50.",
        "Gifts under $30: the Organic Cotton Tee.",
        "Tees from $19.60 with the code.",
    ],
)
def test_prices_the_facts_give_in_any_form(text: str, shop: dict[str, Any], bad: Bad) -> None:
    assert bad(text, shop) == []


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("The Merino Crew Sweater is just $79.", "$79"),
        ("The Merino Crew Sweater is €89.", "€89"),
        ("The Merino Crew Sweater is 89 EUR.", "89 EUR"),
        ("With the code the sweater is $69.20.", "$69.20"),
        ("Was $99, now $89: the Merino Crew Sweater.", "$99"),
        ("Gifts under $15: the Organic Cotton Tee.", "$15"),
        ("Save $20 on the sweater.", "$20"),
    ],
)
def test_wrong_prices_and_currencies(text: str, wrong: str, shop: dict[str, Any], bad: Bad) -> None:
    assert wrong in bad(text, shop, "price")


def test_chinese_prices(zh_shop: dict[str, Any], bad: Bad) -> None:
    assert bad("真丝睡衣套装售价599元，八折后到手价479.2元。", zh_shop) == []
    assert bad("纯棉T恤只要¥129，用SILK20立省25.8元。", zh_shop) == []
    assert bad("纯棉T恤只要99元。", zh_shop, "price") == ["99元"]
    assert bad("真丝睡衣套装原价699元。", zh_shop, "price") == ["699元"]
    assert bad("真丝睡衣套装售价$599。", zh_shop, "price") == ["$599"]
    assert bad("满99元包邮。", zh_shop) == []


def test_an_items_own_reduction_is_a_was_price(shop: dict[str, Any], bad: Bad) -> None:
    shop["offer"] = None
    shop["items"][1]["old_price"] = 30.0
    assert bad("The Organic Cotton Tee was $30, now $24.50: save $5.50.", shop) == []
    assert check("The tee is 18% off.", shop).ok


def test_thousands_separators_and_decimal_commas() -> None:
    facts = {"items": [{"item_id": "a", "title": "Sofa", "price": 1299.0, "currency": "EUR"}]}
    assert check("The Sofa: €1,299.00.", facts).ok
    assert check("The Sofa: 1.299,00 €... or €1299.", facts).ok
    facts["items"][0]["price"] = 12.99
    assert check("Only €12,99.", facts).ok
    assert not check("Only €12,49.", facts).ok


def test_a_price_cue_binds_to_the_amount_it_precedes() -> None:
    facts = {
        "items": [{"item_id": "c", "title": "洁面乳", "price": 89, "currency": "CNY"}],
        "offer": {"discount_percent": 50, "ends": "2025-08-08"},
    }
    assert check("洁面乳原价89元，五折后44.5元。", facts).ok
    assert not check("洁面乳原价44.5元。", facts).ok
