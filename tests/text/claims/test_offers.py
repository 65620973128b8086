"""Discounts and codes: the offer's percentage however written (``20% off``, ``八折``,
``a fifth off``), multi-buys only when the offer names them, sales only with an offer, and
the offer's code exactly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from recmind.text.claims import check

Bad = Callable[..., list[str]]


@pytest.mark.parametrize(
    "text",
    [
        "Take 20% off the Merino Crew Sweater with code WOOL20.",
        "Save 20 percent with WOOL20.",
        "Save 20% on the Merino Crew Sweater with WOOL20.",
        "20% Offer on the Merino Crew Sweater: WOOL20",
        "Our sale is on: a fifth off everything.",
        "Enter WOOL20 at checkout.",
        "Use code: WOOL20",
    ],
)
def test_the_offer_as_given(text: str, shop: dict[str, Any], bad: Bad) -> None:
    assert bad(text, shop) == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Take 25% off the Merino Crew Sweater.", "discount"),
        ("Save 40% on the Merino Crew Sweater.", "discount"),
        ("Half price on every tee!", "discount"),
        ("Buy one Organic Cotton Tee, get the second one free.", "discount"),
        ("BOGO on tees this week.", "discount"),
        ("Use code WOOL25 for 20% off.", "code"),
        ("Use code wool20 for 20% off.", "code"),
        ("Enter MERINO20 at checkout.", "code"),
        ("No code needed: 20% off.", "code"),
    ],
)
def test_invented_or_wrong_offers(text: str, kind: str, shop: dict[str, Any], bad: Bad) -> None:
    assert bad(text, shop, kind)


def test_no_offer_means_no_sale_no_code_no_discount(shop: dict[str, Any], bad: Bad) -> None:
    shop["offer"] = None
    assert bad("The sweater is on sale this week.", shop, "discount") == ["on sale"]
    assert bad("Use code WOOL20 at checkout.", shop, "code") == ["WOOL20"]
    assert bad("Don't miss these deals.", shop, "discount") == ["deals"]
    assert bad("Enjoy 10% off.", shop, "discount") == ["10%"]


def test_shares_of_a_material_are_not_discounts(shop: dict[str, Any], bad: Bad) -> None:
    assert bad("Knit from 100% merino wool.", shop) == []
    assert bad("Knit from 80% merino wool.", shop, "attribute") == ["80%"]


def test_technical_names_are_not_codes(bad: Bad) -> None:
    facts = {
        "items": [
            {"item_id": "e", "title": "AeroBuds", "attributes": {"rating": "IPX4", "port": "USB-C"}}
        ]
    }
    assert bad("AeroBuds are IPX4 rated and charge over USB-C.", facts) == []


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("真丝睡衣套装限时八折，使用优惠码SILK20。", True),
        ("全场8折。", True),
        ("使用SILK20可享七折优惠。", False),
        ("睡衣套装第二件半价。", False),
        ("买一送一，仅限本周。", False),
        ("满300减50。", False),
        ("下单时输入优惠码SILK30即可享受八折。", False),
        ("无需优惠码，直接八折。", False),
    ],
)
def test_chinese_discounts_and_codes(text: str, ok: bool, zh_shop: dict[str, Any]) -> None:
    assert check(text, zh_shop).ok is ok


def test_offer_without_code_and_eight_point_five(zh_shop: dict[str, Any]) -> None:
    zh_shop["offer"] = {"discount_percent": 15, "code": None, "ends": "2025-06-18"}
    assert check("全场八五折，无需优惠码。", zh_shop).ok
    assert check("全场85折。", zh_shop).ok
    assert not check("全场九折。", zh_shop).ok


def test_a_multibuy_the_offer_names(shop: dict[str, Any]) -> None:
    shop["offer"] = {"name": "buy one, get one free", "ends": "2025-11-30"}
    assert check("Buy one, get one free on every tee.", shop).ok
