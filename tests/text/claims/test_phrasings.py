"""Claim classes a second held-out batch showed unread: dates in dotted and slashed forms and
after an abbreviated weekday, amounts in words, prompt words about "the user", price-match
and free-gift promises in other words."""

from __future__ import annotations

from typing import Any

import pytest

from recmind.text.claims import check


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("WOOL20 ends Sun 30 Nov.", True),
        ("WOOL20 ends Sat 29 Nov.", False),
        ("Offer ends 30.11.2025.", True),
        ("Offer ends 2025.11.30.", True),
        ("Offer ends 2025.12.05.", False),
        ("Offer ends 2025/12/5.", False),
        ("Offer ends 30/11/2025.", True),
        ("Offer ends 11/30/2025.", True),
        ("Offer ends 11/30/2026.", False),
    ],
)
def test_date_forms(text: str, ok: bool, shop: dict[str, Any]) -> None:
    assert check(text, shop).ok is ok, check(text, shop).claims


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("The sweater is eighty-nine dollars.", True),
        ("The sweater is just seventy-nine dollars.", False),
        ("The tee: twenty-four dollars and fifty cents.", True),
        ("The tee: twenty dollars.", False),
        ("It weighs two pounds.", True),  # a weight, not money, in a dollar shop
    ],
)
def test_amounts_in_words(text: str, ok: bool, shop: dict[str, Any]) -> None:
    assert check(text, shop).ok is ok, check(text, shop).claims


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("睡衣套装五百九十九元。", True),
        ("睡衣套装四百九十九元。", False),
    ],
)
def test_chinese_amounts_in_words(text: str, ok: bool, zh_shop: dict[str, Any]) -> None:
    assert check(text, zh_shop).ok is ok, check(text, zh_shop).claims


@pytest.mark.parametrize(
    "text",
    [
        "Based on the user profile provided, you will love this sweater.",
        "The customer's preferences suggest the Merino Crew Sweater.",
        "Using the given details, here is the sweater for you.",
    ],
)
def test_prompt_words_about_the_user(text: str, shop: dict[str, Any]) -> None:
    assert any(c.kind == "leakage" and not c.supported for c in check(text, shop).claims)


@pytest.mark.parametrize(
    "text", ["根据提供的用户数据，为您推荐真丝睡衣套装。", "结合用户画像，推荐纯棉T恤。"]
)
def test_chinese_prompt_words_about_the_user(text: str, zh_shop: dict[str, Any]) -> None:
    assert any(c.kind == "leakage" and not c.supported for c in check(text, zh_shop).claims)


def test_your_history_is_not_prompt_words(shop: dict[str, Any]) -> None:
    assert not any(c.kind == "leakage" for c in check("Picked for you: the tee.", shop).claims)


@pytest.mark.parametrize(
    ("text", "policy", "ok"),
    [
        ("Found it cheaper? We'll match any lower price.", None, False),
        ("Found it cheaper? We'll match any lower price.", {"price_match": True}, True),
        ("A free gift with every order.", None, False),
        ("Free socks with every sweater.", None, False),
        ("Free socks with every sweater.", {"free_gift": "socks"}, True),
    ],
)
def test_price_match_and_gifts(
    text: str, policy: dict[str, Any] | None, ok: bool, shop: dict[str, Any]
) -> None:
    shop["policies"].update(policy or {})
    assert check(text, shop).ok is ok, check(text, shop).claims


@pytest.mark.parametrize(
    ("text", "policy", "ok"),
    [
        ("购买即赠精美礼品一份。", None, False),
        ("下单送小样。", None, False),
        ("下单送小样。", {"赠品": "小样"}, True),
    ],
)
def test_chinese_gifts(
    text: str, policy: dict[str, Any] | None, ok: bool, zh_shop: dict[str, Any]
) -> None:
    zh_shop["policies"].update(policy or {})
    assert check(text, zh_shop).ok is ok, check(text, zh_shop).claims


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("20% off until 30.11.", True),
        ("20% off until 29.11.", False),
        ("Free shipping from $75.", True),
        ("Free shipping from $50.", False),
    ],
)
def test_day_month_with_dots_and_shipping_from(text: str, ok: bool, shop: dict[str, Any]) -> None:
    assert check(text, shop).ok is ok, check(text, shop).claims


@pytest.mark.parametrize(
    "text",
    [
        "Here is a recommendation for the reader: the Merino Crew Sweater.",
        "Based on their history, the sweater suits them.",
    ],
)
def test_the_reader_in_the_third_person(text: str, shop: dict[str, Any]) -> None:
    assert any(c.kind == "leakage" and not c.supported for c in check(text, shop).claims)
