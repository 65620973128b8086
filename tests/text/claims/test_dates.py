"""Dates and deadlines against the offer's end: explicit dates, weekdays, relative days
(with the current time), times, sale events and time limits, English and Chinese."""

from __future__ import annotations

from typing import Any

import pytest

from recmind.text.claims import check


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("20% off until Sunday, November 30.", True),
        ("20% off until 30 November.", True),
        ("20% off until Nov 30th, 2025.", True),
        ("Sale ends 2025-11-30.", True),
        ("Sale ends Sunday.", True),
        ("Sale ends this weekend.", True),
        ("Sale ends in 3 days.", True),
        ("Last chance: ends Sunday at midnight.", True),
        ("Limited time: 20% off.", True),
        ("Sale ends Friday.", False),
        ("Sale ends November 29.", False),
        ("Sale ends tonight!", False),
        ("Sale ends tomorrow.", False),
        ("20% off through December.", False),
        ("Sale ends 30 November 2024.", False),
        ("Black Friday: 20% off.", True),
        ("Boxing Day deal: 20% off.", False),
    ],
)
def test_english_dates(text: str, ok: bool, shop: dict[str, Any]) -> None:
    assert check(text, shop).ok is ok, check(text, shop).claims


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("八折优惠6月18日截止。", True),
        ("本周三前下单享八折。", True),
        ("优惠后天结束。", True),
        ("限时八折。", True),
        ("八折优惠今晚24点截止！", False),
        ("八折活动持续到6月30日。", False),
        ("活动本周日结束。", False),
        ("618大促，全场八折。", True),
        ("双十一八折。", False),
    ],
)
def test_chinese_dates(text: str, ok: bool, zh_shop: dict[str, Any]) -> None:
    assert check(text, zh_shop).ok is ok, check(text, zh_shop).claims


def test_relative_dates_need_the_current_time(shop: dict[str, Any]) -> None:
    assert check("Sale ends in 3 days.", shop).ok
    del shop["now"]
    verdict = check("Sale ends in 3 days.", shop)
    assert not verdict.ok and "current time" in verdict.unsupported[0].reason
    assert check("Sale ends Sunday.", shop).ok  # a weekday is checked against the end itself


def test_no_offer_no_deadline(shop: dict[str, Any]) -> None:
    shop["offer"] = None
    assert not check("Free shipping ends on March 3.", shop).ok
    assert not check("Hurry, limited time only!", shop).ok
    assert check("Add it to your routine today.", shop).ok  # "today" without a deadline


def test_an_end_with_a_time(shop: dict[str, Any]) -> None:
    shop["offer"]["ends"] = "2025-11-30T20:00:00"
    assert check("Ends Sunday at 8pm.", shop).ok
    assert not check("Ends Sunday at midnight.", shop).ok
