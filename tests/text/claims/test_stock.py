"""Stock and scarcity: counts equal the stock, scarcity words need a low stock, "plenty"
a high one, "sold out" none, "back in stock" a restock; about the item the sentence names."""

from __future__ import annotations

from typing import Any

import pytest

from recmind.text.claims import check


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Only 4 left of the Merino Crew Sweater!", True),
        ("Just four sweaters remain.", True),
        ("Fewer than 5 sweaters left in stock.", True),
        ("The sweater is selling fast.", True),
        ("Tees: plenty in stock.", True),
        ("The Organic Cotton Tee is in stock and ready to ship.", True),
        ("Only 2 sweaters left!", False),
        ("Only one Merino Crew Sweater left.", False),
        ("The Organic Cotton Tee is almost sold out.", False),
        ("Tees are flying off the shelves.", False),
        ("The sweater is sold out.", False),
        ("The Merino Crew Sweater is back in stock!", False),
        ("We have plenty of sweaters in stock.", False),
    ],
)
def test_english_stock(text: str, ok: bool, shop: dict[str, Any]) -> None:
    assert check(text, shop).ok is ok, check(text, shop).claims


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("真丝睡衣套装仅剩5件，手慢无。", True),
        ("睡衣库存紧张。", True),
        ("纯棉T恤现货充足。", True),
        ("纯棉T恤库存告急，仅剩3件！", False),
        ("真丝睡衣套装已经售罄。", False),
        ("睡衣只剩最后2件！", False),
        ("纯棉T恤即将售罄。", False),
    ],
)
def test_chinese_stock(text: str, ok: bool, zh_shop: dict[str, Any]) -> None:
    assert check(text, zh_shop).ok is ok, check(text, zh_shop).claims


def test_unknown_stock_supports_nothing(shop: dict[str, Any]) -> None:
    for item in shop["items"]:
        item["stock"] = None
    verdict = check("In stock now.", shop)
    assert not verdict.ok and verdict.unsupported[0].reason == "the facts give no stock for it"


def test_restocked_and_the_low_stock_line(shop: dict[str, Any]) -> None:
    shop["items"][0]["restocked"] = True
    assert check("The Merino Crew Sweater is back in stock!", shop).ok
    shop["low_stock"] = 3
    assert not check("The sweater is selling fast.", shop).ok
