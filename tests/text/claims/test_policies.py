"""Shop promises: free shipping and its threshold, returns, warranties, other services."""

from __future__ import annotations

from typing import Any

import pytest

from recmind.text.claims import check


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Free shipping on orders over $75.", True),
        ("Spend $75 or more and shipping is on us.", True),
        ("The Merino Crew Sweater ships free.", True),
        ("Free shipping!", False),
        ("Free shipping on every order, no minimum.", False),
        ("Free shipping on orders over $50.", False),
        ("Free next-day delivery over $75.", False),
        ("30-day returns, no questions asked.", True),
        ("You have 30 days to return it.", True),
        ("Return it within 60 days for a full refund.", False),
        ("Free returns for 30 days.", False),
        ("Return it anytime, no fuss.", False),
        ("Returns accepted at any time.", False),
        ("Come back anytime: 30-day returns.", True),
        ("Backed by a 2-year warranty.", True),
        ("A lifetime warranty on every sweater.", False),
        ("A 3-year guarantee.", False),
        ("Love it or your money back.", False),
        ("Price match guaranteed.", False),
        ("Free gift wrapping on every order.", False),
        ("Our team answers 24/7.", False),
    ],
)
def test_english_policies(text: str, ok: bool, shop: dict[str, Any]) -> None:
    assert check(text, shop).ok is ok, check(text, shop).claims


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("满99元包邮，7天无理由退货。", True),
        ("真丝睡衣套装包邮。", True),
        ("整机保修一年。", True),
        ("全场包邮，无门槛。", False),
        ("30天无理由退货。", False),
        ("两年质保。", False),
        ("让你可以随时更换或退货。", False),
        ("不满意想退就退。", False),
        ("终身保修。", False),
        ("下单即发，次日达。", False),
        ("支持30天价保。", False),
    ],
)
def test_chinese_policies(text: str, ok: bool, zh_shop: dict[str, Any]) -> None:
    assert check(text, zh_shop).ok is ok, check(text, zh_shop).claims


def test_other_policies_by_their_key(shop: dict[str, Any]) -> None:
    shop["policies"] |= {"free_returns": True, "gift_wrap": True, "warranty": "lifetime"}
    del shop["policies"]["warranty_years"]
    assert check("Free returns within 30 days, free gift wrapping.", shop).ok
    assert check("A lifetime warranty on every sweater.", shop).ok
    assert not check("A 2-year warranty.", shop).ok
    shop["policies"] = {}
    assert not check("30-day returns.", shop).ok
