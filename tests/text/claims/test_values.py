"""Attribute values stated as one choice among alternatives (``values.py``), origins named
past the facts' place, genres said of an item, model names past a title, and a reply's thanks
for a review."""

from __future__ import annotations

from typing import Any

import pytest

from recmind.text.claims import check


def _gadget() -> dict[str, Any]:
    return {
        "items": [
            {
                "item_id": "sp",
                "title": "Pulse Mini Speaker",
                "price": 49.99,
                "currency": "GBP",
                "stock": 40,
                "attributes": {
                    "bluetooth": "5.3",
                    "waterproof_rating": "IPX7",
                    "colours": ["teal", "black"],
                },
            },
            {
                "item_id": "oil",
                "title": "Rosehip Face Oil",
                "price": 38.0,
                "currency": "GBP",
                "stock": 5,
                "attributes": {
                    "fragrance_free": True,
                    "skin_type": "dry and normal skin",
                    "fit": "regular",
                },
            },
        ],
        "offer": None,
        "policies": {},
    }


def _tea() -> dict[str, Any]:
    return {
        "items": [
            {
                "item_id": "pe",
                "title": "古树普洱饼",
                "price": 198,
                "currency": "CNY",
                "stock": 6,
                "attributes": {"产地": "云南临沧", "类型": "生茶", "等级": "特级"},
            },
            {
                "item_id": "tr",
                "title": "阔腿裤",
                "price": 199,
                "currency": "CNY",
                "stock": 2,
                "attributes": {"面料": "棉麻混纺"},
            },
            {
                "item_id": "sh",
                "title": "衬衫",
                "price": 259,
                "currency": "CNY",
                "stock": 2,
                "attributes": {"面料": "100%亚麻"},
            },
        ],
        "offer": None,
        "policies": {},
    }


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Bluetooth 5.3 keeps you connected.", True),
        ("Bluetooth 5.0 keeps you connected.", False),
        ("Rated IPX7 for a dunk in the pool.", True),
        ("Rated IPX4 against splashes.", False),
        ("The speaker comes in teal or black.", True),
        ("Available in teal, black and coral.", False),
        ("Available in teal and black, with a strap and a pouch.", True),
        ("The face oil suits dry and normal skin.", True),
        ("Formulated for oily, acne-prone skin.", False),
        ("The face oil has a light lavender scent.", False),
        ("The face oil is fragrance-free.", True),
        ("A regular price of £38 for the face oil.", True),
    ],
)
def test_english_values(text: str, ok: bool) -> None:
    assert check(text, _gadget()).ok is ok, check(text, _gadget()).claims


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("普洱为生茶，特级。", True),
        ("普洱为熟茶，口感醇厚。", False),
        ("一级普洱，回甘明显。", False),
        ("普洱产自云南临沧。", True),
        ("普洱产自云南临沧古树茶园。", True),
        ("普洱产自云南西双版纳。", False),
        ("阔腿裤为纯棉材质。", False),
        ("阔腿裤是棉麻混纺面料。", True),
        ("衬衫采用纯亚麻面料。", True),
    ],
)
def test_chinese_values(text: str, ok: bool) -> None:
    assert check(text, _tea()).ok is ok, check(text, _tea()).claims


def _film() -> dict[str, Any]:
    return {
        "items": [{"item_id": "h", "title": "Heat (1995)", "tags": ["Crime", "Thriller"]}],
        "offer": None,
        "policies": {},
        "history": [{"title": "The Godfather (1972)", "rating": 5, "tags": ["Crime", "Drama"]}],
    }


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Like The Godfather, Heat is a sweeping family drama.", False),
        ("Like The Godfather, Heat is a gripping crime thriller.", True),
        ("You loved the drama of The Godfather; Heat is another crime film.", True),
    ],
)
def test_genre_said_of_the_item(text: str, ok: bool) -> None:
    assert check(text, _film()).ok is ok, check(text, _film()).claims


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Meet the Pulse Max.", False),
        ("Want bigger sound? Meet the Pulse Mini Pro.", False),
        ("Meet the Pulse Mini.", True),
        ("The Pulse Mini Guide | Shop Now", True),
    ],
)
def test_model_names_past_a_title(text: str, ok: bool) -> None:
    assert check(text, _gadget()).ok is ok, check(text, _gadget()).claims


@pytest.mark.parametrize(
    "text",
    [
        "Thanks for the five-star review! We're glad the speaker suits you.",
        "Thank you so much for your lovely review.",
    ],
)
def test_thanks_for_a_review_is_no_claim(text: str) -> None:
    assert check(text, _gadget()).ok, check(text, _gadget()).claims


def test_chinese_thanks_for_a_review_is_no_claim() -> None:
    assert check("感谢您的好评！欢迎再次光临。", _tea()).ok


def test_praise_is_still_a_claim() -> None:
    assert not check("好评如潮的普洱。", _tea()).ok
    assert not check("Customers rave about the speaker.", _gadget()).ok


def _pets() -> dict[str, Any]:
    return {
        "items": [
            {
                "item_id": "df",
                "title": "Grain-Free Salmon Dog Food",
                "price": 119.95,
                "currency": "AUD",
                "stock": 9,
                "attributes": {"grain_free": True, "life_stage": "adult", "无酒精": True},
            },
            {
                "item_id": "bk",
                "title": "Project Hail Mary",
                "price": 18.99,
                "currency": "AUD",
                "stock": 40,
                "attributes": {"format": "paperback"},
            },
        ],
        "offer": None,
        "policies": {},
    }


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Made for adult dogs.", True),
        ("The dog food is formulated for puppies.", False),
        ("Project Hail Mary, in paperback.", True),
        ("Project Hail Mary, now in hardcover.", False),
        ("Grain-free, like every bag.", True),
        ("The dog food is packed with wholesome grain.", False),
        ("狗粮不含酒精。", True),
        ("狗粮添加酒精。", False),
        ("Also try our Grain-Free Lamb Dog Food.", False),
        ("Our Grain-Free Salmon Dog Food, in a big bag.", True),
    ],
)
def test_life_stage_format_free_of_and_models(text: str, ok: bool) -> None:
    assert check(text, _pets()).ok is ok, check(text, _pets()).claims


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("The speaker comes in a handy carry case.", False),
        ("Every speaker ships with a shoulder strap.", False),
        ("In case you missed it: the Pulse Mini Speaker is £49.99.", True),
        ("A limited-edition face oil.", False),
        ("Rated IPX7.", True),
    ],
)
def test_accessories_and_limited_editions(text: str, ok: bool) -> None:
    assert check(text, _gadget()).ok is ok, check(text, _gadget()).claims


def test_limited_edition_the_facts_give() -> None:
    facts = _gadget()
    facts["items"][0]["attributes"]["edition"] = "limited edition of 500"
    assert check("The limited-edition Pulse Mini Speaker.", facts).ok


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("龙井RMB368。", True),
        ("龙井已售出5万罐。", False),
        ("龙井已售出3000罐。", True),
        ("龙井限量发售。", False),
        ("龙井附赠收纳袋。", False),
    ],
)
def test_chinese_counts_money_codes_and_gifts(text: str, ok: bool) -> None:
    facts = {
        "items": [
            {
                "item_id": "lj",
                "title": "西湖龙井",
                "price": 368,
                "currency": "CNY",
                "stock": 15,
                "sold_count": 3200,
            }
        ],
        "offer": {"discount_percent": 10, "code": "TEA88", "ends": "2025-04-05"},
        "policies": {},
    }
    assert check(text, facts).ok is ok, check(text, facts).claims


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Over two thousand happy customers.", True),
        ("Over fifty thousand happy customers.", False),
        ("5k+ happy customers.", False),
    ],
)
def test_counts_in_words_and_thousands(text: str, ok: bool, shop: dict[str, Any]) -> None:
    assert check(text, shop).ok is ok, check(text, shop).claims
