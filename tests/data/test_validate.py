"""Entity validation: reasons, the first-problem rule, settings, extra columns."""

from __future__ import annotations

import pandas as pd
import pytest

from recmind.config import Settings
from recmind.data.validate import REASONS, ValidationContext, validate

NOW = 1_800_000_000.0


def _ctx(**overrides: float) -> ValidationContext:
    settings = Settings(**overrides)  # type: ignore[arg-type]
    return ValidationContext.from_settings(settings, known_items=pd.Index(["i1"]), now=NOW)


def _rejected(
    entity: str, rows: list[dict[str, object]], **overrides: float
) -> list[tuple[int, str, str]]:
    result = validate(entity, pd.DataFrame(rows, dtype=object), _ctx(**overrides))
    return [tuple(r) for r in result.rejected.itertuples(index=False, name=None)]


def test_first_problem_wins() -> None:
    rows = [{"user_id": None, "item_id": "i99", "event_type": "like", "timestamp": "x"}]
    assert _rejected("events", rows) == [(0, "user_id", "missing_required")]
    rows = [{"user_id": "u", "item_id": "i99", "event_type": "like", "timestamp": NOW * 2}]
    assert _rejected("events", rows) == [(0, "event_type", "unknown_event_type")]
    rows = [{"user_id": "u", "item_id": "i99", "event_type": "view", "timestamp": NOW * 2}]
    assert _rejected("events", rows) == [(0, "timestamp", "future_timestamp")]


def test_future_tolerance_and_rating_range_come_from_settings() -> None:
    row = {
        "user_id": "u",
        "item_id": "i1",
        "event_type": "rating",
        "timestamp": NOW + 100,
        "value": 10,
    }
    assert _rejected("events", [row]) == [(0, "value", "rating_out_of_range")]
    assert _rejected("events", [row], rating_max=10.0) == []
    assert _rejected("events", [row], rating_max=10.0, future_tolerance_seconds=50.0) == [
        (0, "timestamp", "future_timestamp")
    ]


def test_event_types_are_case_insensitive_and_searches_need_no_item() -> None:
    rows = [
        {"user_id": "u", "event_type": " Search ", "timestamp": NOW, "query": "shoes"},
        {"user_id": "u", "event_type": "VIEW", "item_id": "i1", "timestamp": NOW},
    ]
    result = validate("events", pd.DataFrame(rows), _ctx())
    assert result.rejected.empty
    assert result.clean["event_type"].tolist() == ["search", "view"]
    assert result.clean["query"].tolist() == ["shoes", None]


def test_search_naming_an_unknown_item_is_rejected() -> None:
    rows = [{"user_id": "u", "event_type": "search", "item_id": "nope", "timestamp": NOW}]
    assert _rejected("events", rows) == [(0, "item_id", "unknown_item")]


def test_unmapped_user_and_item_columns_go_into_attributes() -> None:
    users = pd.DataFrame(
        {"user_id": ["a", "b"], "age": [31, None], "attributes": ['{"vip": true}', None]}
    )
    result = validate("users", users, _ctx())
    assert result.clean["attributes"].tolist() == [{"age": 31.0, "vip": True}, None]
    assert "attributes" in result.present
    items = pd.DataFrame({"item_id": ["i"], "title": ["T"], "colour": ["red"]})
    assert validate("items", items, _ctx()).clean.loc[0, "attributes"] == {"colour": "red"}


def test_present_lists_only_the_columns_given() -> None:
    items = pd.DataFrame({"item_id": ["i"], "title": ["T"], "price": ["1"]})
    assert validate("items", items, _ctx()).present == ("item_id", "title", "price")


@pytest.mark.parametrize("reason", sorted(REASONS))
def test_every_reason_has_a_sentence(reason: str) -> None:
    assert REASONS[reason].format(field="price")
