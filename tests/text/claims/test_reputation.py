"""Superlatives, popularity, ratings and sentiment need their support in the facts."""

from __future__ import annotations

from typing import Any

import pytest

from recmind.text.claims import check


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Our best-selling sweater: the Merino Crew Sweater.", True),
        ("The Merino Crew Sweater, our #1 knit.", True),
        ("The Merino Crew Sweater is a customer favourite.", True),
        ("Rated 4.7 stars by 2,300 customers.", True),
        ("Loved by thousands: the Merino Crew Sweater.", True),
        ("The Merino Crew Sweater is top-rated.", True),
        ("Customers rave about the Merino Crew Sweater.", True),
        ("The Organic Cotton Tee is our best-selling tee.", False),
        ("The Organic Cotton Tee is hugely popular.", False),
        ("Rated 4.9 stars by our customers.", False),
        ("Over 10,000 happy customers wear the sweater.", False),
        ("The Organic Cotton Tee has rave reviews.", False),
        ("The best-selling sweater on the market.", False),
        ("The world's softest tee.", False),
        ("The softest tee you will ever own.", False),
        ("Award-winning knitwear.", False),
        ("Dermatologists' top pick.", False),
        ("Guaranteed lowest prices.", False),
    ],
)
def test_english_reputation(text: str, ok: bool, shop: dict[str, Any]) -> None:
    assert check(text, shop).ok is ok, check(text, shop).claims


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("真丝睡衣套装是本店的热销款。", True),
        ("真丝睡衣套装是本店销量第一的爆款。", False),
        ("上万名顾客好评如潮。", False),
        ("全网最低价。", False),
        ("专业人士的首选。", False),
        ("荣获年度最佳设计大奖。", False),
        ("最近上新的T恤。", False),
    ],
)
def test_chinese_reputation(text: str, ok: bool, zh_shop: dict[str, Any]) -> None:
    assert check(text, zh_shop).ok is ok, check(text, zh_shop).claims


def test_many_people_needs_counts(shop: dict[str, Any]) -> None:
    assert check("Many customers chose the Merino Crew Sweater.", shop).ok
    assert not check("Many customers chose the Organic Cotton Tee.", shop).ok
    assert not check(
        "很多顾客都喜欢纯棉T恤。", {"items": [{"item_id": "t", "title": "纯棉T恤"}]}
    ).ok
