"""What the store cannot hold is caught before it gets there."""

from __future__ import annotations

import pytest

from recmind.data.online_checks import field_problem, message, text_problem


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("user_id", "ok", None),
        ("user_id", "x" * 255, None),
        ("user_id", "x" * 256, "too_long"),
        ("user_id", 10**300, "too_long"),
        ("language", "l" * 33, "too_long"),
        ("title", "a\x00", "invalid_text"),
        ("title", "\ud800", "invalid_text"),
        ("attributes", {"k": ["fine", "bad\x00"]}, "invalid_text"),
        ("stock", 2**63, "too_large"),
        ("stock", 2**63 - 1, None),
        ("title", None, None),
    ],
)
def test_field_problem(name: str, value: object, reason: str | None) -> None:
    assert field_problem(name, value) == reason


def test_deep_nesting_is_refused() -> None:
    value: object = "leaf"
    for _ in range(100):
        value = [value]
    assert text_problem(value)


def test_messages_name_the_field() -> None:
    assert message("too_long", "user_id") == "user_id is longer than 255 characters"
    assert message("unknown_item", "item_id") == "item_id is not in the catalogue"
