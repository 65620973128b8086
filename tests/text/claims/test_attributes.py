"""Attributes against the items' facts: materials, colours, features (with synonyms,
implications and English-Chinese equivalents), ``False`` attributes, negation, measures,
sizes, capacity, origin, "new"; about the item the sentence names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from recmind.text.claims import check

Bad = Callable[..., list[str]]


@pytest.mark.parametrize(
    "text",
    [
        "A merino wool sweater in charcoal grey.",
        "Pure wool, hand wash only.",  # merino wool implies wool
        "The Organic Cotton Tee is white.",
        "The Merino Crew Sweater weighs 450 g and comes in sizes S to XL.",
        "It is not machine washable.",
        "The sweater is knit from merino (羊毛).",
    ],
)
def test_attributes_the_facts_give(text: str, shop: dict[str, Any], bad: Bad) -> None:
    assert bad(text, shop) == []


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("Our Merino Crew Sweater is made from a soft cashmere blend.", "cashmere blend"),
        ("The Organic Cotton Tee comes in black.", "black"),
        ("Machine-wash the Merino Crew Sweater on a gentle cycle.", "Machine-wash"),
        ("The Merino Crew Sweater is waterproof.", "waterproof"),
        ("The Merino Crew Sweater weighs 300 g.", "300 g"),
        ("The Merino Crew Sweater comes in sizes S to XXL.", "sizes S to XXL"),
        ("Made in Italy from the finest yarn.", "Made in Italy"),
        ("The Organic Cotton Tee is a new arrival.", "new arrival"),
        ("The sweater is genuine leather trimmed.", "genuine leather"),
    ],
)
def test_wrong_or_invented_attributes(
    text: str, wrong: str, shop: dict[str, Any], bad: Bad
) -> None:
    assert wrong in bad(text, shop, "attribute")


def test_the_sentence_decides_which_item(shop: dict[str, Any], bad: Bad) -> None:
    assert bad("The Organic Cotton Tee is charcoal.", shop, "attribute") == ["charcoal"]
    assert bad("Charcoal or white, your pick.", shop) == []  # no item named: any item


def test_false_attributes_are_denials(shop: dict[str, Any]) -> None:
    verdict = check("The sweater is machine washable.", shop)
    assert not verdict.ok and "not machine washable" in verdict.unsupported[0].reason


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("真丝睡衣套装采用100%桑蚕丝，香槟色，S、M、L三个尺码。", True),
        ("Silk pyjamas in champagne.", True),
        ("真丝睡衣套装采用顶级羊绒面料。", False),
        ("纯棉T恤有黑色、白色两种颜色。", False),
        ("睡衣套装从S到XXL都有。", False),
        ("纯棉T恤可机洗。", False),
        ("新款纯棉T恤。", False),
    ],
)
def test_chinese_attributes(text: str, ok: bool, zh_shop: dict[str, Any]) -> None:
    assert check(text, zh_shop).ok is ok, check(text, zh_shop).claims


def test_measures_capacity_and_origin_in_chinese() -> None:
    facts = {
        "items": [
            {
                "item_id": "t",
                "title": "紫砂壶",
                "attributes": {"容量": "200毫升", "产地": "宜兴", "尺寸": "140×80厘米"},
            },
            {"item_id": "k", "title": "Trail Tent", "attributes": {"capacity": "2-person"}},
        ]
    }
    assert check("紫砂壶容量200毫升，产自宜兴，140×80厘米。", facts).ok
    assert not check("紫砂壶容量300毫升。", facts).ok
    assert not check("紫砂壶产自景德镇。", facts).ok
    assert check("The Trail Tent sleeps two.", facts).ok
    assert not check("The Trail Tent sleeps three.", facts).ok


def test_genres_only_where_the_facts_speak_of_genres(shop: dict[str, Any]) -> None:
    assert check("Take action: 20% off with WOOL20.", shop).ok
    films = {"items": [{"item_id": "f", "title": "Fargo (1996)", "tags": ["Crime", "Drama"]}]}
    assert check("Fargo is a crime drama.", films).ok
    assert not check("Fargo is a romantic comedy.", films).ok


def test_capacity_is_a_number_of_persons() -> None:
    tent = {
        "items": [
            {
                "item_id": "t",
                "title": "Trail Tent",
                "attributes": {"capacity": "2-person", "season": "3-season"},
            }
        ]
    }
    assert check("The Trail Tent sleeps two.", tent).ok
    assert not check("The Trail Tent sleeps three.", tent).ok  # not the 3 of "3-season"


def test_titles_mixing_latin_and_chinese_name_their_item() -> None:
    facts = {
        "items": [
            {"item_id": "s", "title": "疾风跑鞋X1", "stock": 6},
            {"item_id": "t", "title": "速干运动T恤", "stock": 80},
        ]
    }
    assert not check("速干T恤库存告急。", facts).ok  # the T恤 has 80
    assert check("跑鞋库存告急。", facts).ok
