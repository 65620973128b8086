"""Validation against the catalogue: each problem names the rule path and the value."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import insert

from recmind.data.schema import items, users
from recmind.data.store import Store
from recmind.marketing.segments import (
    Catalogue,
    RuleError,
    check_rule,
    field_catalogue,
    load_catalogue,
    parse_rule,
)
from recmind.marketing.segments.catalogue import static_fields

CATALOGUE = Catalogue(
    fields=tuple(static_fields(("Books", "Books/Fiction", "Music"))),
    categories=("Books", "Books/Fiction", "Music"),
    segments={"a": "A", "b": "B"},
)


def problems(data: Any, **options: Any) -> list[tuple[str, str, Any]]:
    with pytest.raises(RuleError) as caught:
        check_rule(data, CATALOGUE, **options)
    return [(p.where, p.message, p.value) for p in caught.value.problems]


def test_unknown_field_suggests_near_names() -> None:
    [(where, message, value)] = problems(
        {"all": [{"field": "monetary_totl", "op": ">", "value": 1}]}
    )
    assert where == "rule.all[0].field"
    assert "monetary_total" in message
    assert value == "monetary_totl"


@pytest.mark.parametrize(
    ("rule", "where", "words"),
    [
        ({"field": "email", "op": "<", "value": "a"}, "rule.op", "does not apply to text"),
        ({"field": "order_count", "op": "contains", "value": "1"}, "rule.op", "applies to text"),
        ({"field": "consent_email", "op": "in", "value": [True]}, "rule.op", "boolean"),
        ({"field": "order_count", "op": ">", "value": "3"}, "rule.value", "must be a number"),
        ({"field": "consent_email", "op": "=", "value": 1}, "rule.value", "true or false"),
        ({"field": "created_at", "op": "<", "value": "last year"}, "rule.value", "moment"),
        ({"field": "order_count", "op": "is set", "value": 3}, "rule.value", "takes no value"),
        ({"field": "order_count", "op": ">"}, "rule.value", "needs a value"),
        ({"field": "order_count", "op": "between", "value": [5, 1]}, "rule.value", "low <= high"),
        ({"field": "order_count", "op": "between", "value": 5}, "rule.value", "[low, high]"),
        ({"field": "order_count", "op": "in", "value": []}, "rule.value", "non-empty list"),
        ({"field": "order_count", "op": ">", "value": [1]}, "rule.value", "not a list"),
        ({"field": "top_category", "op": "=", "value": "Films"}, "rule.value", "Books"),
        ({"field": "preferred_hour", "op": "=", "value": 24}, "rule.value", "not a value"),
        (
            {"field": "rfm_recency_score", "op": "in", "value": [1, 6]},
            "rule.value[1]",
            "not a value",
        ),
        ({"any": []}, "rule.any", "at least one"),
        (
            {"event": {"type": "view", "within_days": 0}, "measure": "exists"},
            "rule.event.within_days",
            "window",
        ),
        (
            {
                "event": {"type": "view", "within_days": -3},
                "measure": "count",
                "op": ">",
                "value": 1,
            },
            "rule.event.within_days",
            "window",
        ),
        (
            {"event": {"type": "view", "min_price": 50, "max_price": 10}, "measure": "exists"},
            "rule.event.max_price",
            "below min_price",
        ),
        (
            {"event": {"type": "view", "category": "Film"}, "measure": "exists"},
            "rule.event.category",
            "no item has this category",
        ),
        (
            {"event": {"type": "view", "item_ids": []}, "measure": "exists"},
            "rule.event.item_ids",
            "at least one",
        ),
        ({"event": {"type": "view"}, "measure": "count"}, "rule.op", "needs an op"),
        (
            {"event": {"type": "view"}, "measure": "exists", "op": ">", "value": 1},
            "rule.op",
            "takes no op",
        ),
        (
            {"event": {"type": "view"}, "measure": "count", "op": "contains", "value": 1},
            "rule.op",
            "compares with",
        ),
        (
            {
                "funnel": {
                    "did": {"type": "add_to_cart"},
                    "then_not": {"type": "purchase", "within_days": 3},
                    "within_hours": 2,
                }
            },
            "rule.funnel.then_not.within_days",
            "within_hours",
        ),
        (
            {
                "funnel": {
                    "did": {"type": "add_to_cart"},
                    "then_not": {"type": "purchase"},
                    "within_hours": 0,
                }
            },
            "rule.funnel.within_hours",
            "more than 0",
        ),
        ({"segment": "nope"}, "rule.segment", "unknown segment"),
    ],
)
def test_each_problem_is_named(rule: dict[str, Any], where: str, words: str) -> None:
    found = problems({"all": [{"consent": "email"}, rule]})
    assert len(found) == 1, found
    path, message, _ = found[0]
    assert path == where.replace("rule", "rule.all[1]", 1)
    assert words in message


def test_all_problems_are_reported_at_once() -> None:
    found = problems(
        {
            "all": [
                {"field": "nope", "op": "=", "value": 1},
                {"event": {"type": "view", "within_days": 0}, "measure": "exists"},
            ]
        }
    )
    assert [f[0] for f in found] == ["rule.all[0].field", "rule.all[1].event.within_days"]


def test_values_outside_the_catalogue_pass_when_not_checked() -> None:
    rule = {"field": "top_category", "op": "=", "value": "Films"}
    assert check_rule(rule, CATALOGUE, check_values=False) == parse_rule(rule)


def test_attributes_are_typed_by_the_value() -> None:
    for value in (3, "x", True):
        check_rule({"field": "attributes.anything", "op": "=", "value": value}, CATALOGUE)
    check_rule({"field": "attributes.size", "op": ">", "value": 3}, CATALOGUE)
    assert problems({"field": "attributes.size", "op": ">", "value": "L"})[0][0] == "rule.op"


def test_cycles_of_segments_are_refused() -> None:
    stored = {
        "a": parse_rule({"segment": "b"}),
        "b": parse_rule({"all": [{"consent": "email"}, {"segment": "c"}]}),
        "c": parse_rule({"consent": "email"}),
    }
    # c may not refer to a: a -> b -> c -> a
    [(where, message, value)] = problems({"segment": "a"}, rules_of=stored.get, segment_id="c")
    assert where == "rule.segment"
    assert "a -> b -> c" in message
    assert value == "a"
    assert problems({"segment": "c"}, rules_of=stored.get, segment_id="c")[0][1] == (
        "a segment cannot contain itself"
    )
    check_rule({"segment": "c"}, CATALOGUE, rules_of=stored.get, segment_id="a")


def test_the_catalogue_of_a_store(sqlite_store: Store) -> None:
    with sqlite_store.engine.begin() as connection:
        connection.execute(
            insert(items),
            [
                {"item_id": "1", "title": "a", "category": "Books/Fiction/Crime | Music"},
                {"item_id": "2", "title": "b", "category": "Toys"},
                {"item_id": "3", "title": "c", "category": None},
            ],
        )
        connection.execute(
            insert(users),
            [
                {
                    "user_id": "p1",
                    "email": "p1@secret.example",
                    "attributes": '{"age": 30, "city": "Rome", "vip": true}',
                },
                {
                    "user_id": "p2",
                    "email": None,
                    "attributes": '{"age": 41, "city": "Oslo", "vip": false}',
                },
            ],
        )
    catalogue = load_catalogue(sqlite_store)
    assert catalogue.categories == (
        "Books",
        "Books/Fiction",
        "Books/Fiction/Crime",
        "Music",
        "Toys",
    )
    fields = {spec.name: spec for spec in field_catalogue(sqlite_store)}
    assert fields["attributes.age"].type == "number"
    assert fields["attributes.city"].type == "text"
    assert fields["attributes.vip"].type == "boolean"
    assert fields["top_category"].allowed == catalogue.categories
    assert fields["days_since_last_purchase"].source == "derived"
    assert fields["churn_risk"].source == "prediction"
    assert {"user_id", "computed_at", "as_of", "category_shares"}.isdisjoint(fields)
    assert all(spec.description for spec in fields.values())
    text = orjson.dumps(catalogue.model_dump()).decode()
    for private in ("secret.example", "Rome", "Oslo", "p1"):
        assert private not in text  # names and categories only: no customer data
