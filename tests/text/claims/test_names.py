"""Names and words the facts do not give: invented products (capitalised, quoted, offered
product types), leaked prompt words and slots, left-over figures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from recmind.text.claims import check

Bad = Callable[..., list[str]]


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("Complete the look with our Merino Beanie.", "Beanie"),
        ("Pair it with our matching wool scarf.", "scarf"),
        ("Meet the “Aurora Cardigan”, new this week.", "Aurora Cardigan"),
        ("Also try the Harbor Classic Oxford for work.", "Classic Oxford"),
    ],
)
def test_invented_products(text: str, wrong: str, shop: dict[str, Any], bad: Bad) -> None:
    assert any(wrong in found for found in bad(text, shop, "product")), check(text, shop).claims


@pytest.mark.parametrize(
    "text",
    [
        "Hi Maya, the Merino Crew Sweater from Harbor & Pine is back in your size.",
        "Summer Sale: Everything You Love, Now 20% Off",
        "Dear Maya, wear it with your favourite jeans.",
        "Shop Now and pick your colour.",
    ],
)
def test_names_the_facts_give_and_ordinary_words(text: str, shop: dict[str, Any], bad: Bad) -> None:
    assert bad(text, shop, "product") == []


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("搭配我们的真丝眼罩，睡得更香。", False),
        ("新品「云朵枕」同步上架。", False),
        ("云织Max睡衣同步开售。", False),
        ("真丝睡衣套装和纯棉T恤，一起入手。", True),
    ],
)
def test_chinese_products(text: str, ok: bool, zh_shop: dict[str, Any]) -> None:
    assert check(text, zh_shop).ok is ok, check(text, zh_shop).claims


@pytest.mark.parametrize(
    "text",
    [
        "The customer's tastes for a marketing team include drama.",
        "As an AI language model, I recommend the sweater.",
        "Here is the email: the sweater is 20% off.",
        "Based on the facts provided, the sweater suits you.",
        "Hi {first_name}, the sweater is waiting.",
        "Hi [Name], the sweater is waiting.",
        "Portrait: a fan of knitwear.",
        "作为一名营销团队的AI助手，我推荐这件毛衣。",
        "根据提供的信息，这件毛衣适合你。",
    ],
)
def test_prompt_leakage(text: str, shop: dict[str, Any]) -> None:
    verdict = check(text, shop)
    assert any(c.kind == "leakage" for c in verdict.unsupported), verdict.claims


def test_left_over_figures(shop: dict[str, Any], bad: Bad) -> None:
    assert bad("3 ways to wear the Merino Crew Sweater.", shop, "number") == ["3"]
    assert bad("Our 2 favourites: the sweater and the tee.", shop) == []  # two items
