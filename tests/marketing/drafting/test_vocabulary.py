"""The drafting schema admits every rule a person wrote for the evaluation set, refuses
what the shop cannot name, and passes as a llama.cpp grammar."""

from __future__ import annotations

import importlib.util
from typing import Any

import jsonschema_rs
import pytest

from recmind.marketing.drafting.examples import EXAMPLES
from recmind.marketing.drafting.vocabulary import FieldDoc, Vocabulary, rule_schema, schema_grammar


def test_every_expected_rule_of_the_evaluation_set_fits_the_schema(
    vocabulary: Vocabulary, requests_set: list[dict[str, Any]]
) -> None:
    validator = jsonschema_rs.validator_for(rule_schema(vocabulary))
    assert len(requests_set) >= 40
    assert {r["lang"] for r in requests_set} == {"en", "zh"}
    for request in requests_set:
        errors = [e.message for e in validator.iter_errors(request["expected"])]
        assert not errors, (request["id"], errors)


def test_worked_examples_fit_the_schema_of_their_imaginary_shop() -> None:
    shop = Vocabulary(
        fields=(
            FieldDoc("monetary_total", "number"),
            FieldDoc("order_count", "number"),
            FieldDoc("churn_risk", "number"),
            FieldDoc("expected_spend", "number"),
            FieldDoc("days_since_last_purchase", "number"),
            FieldDoc("attributes.region", "text", values=("North", "South", "East", "West")),
            FieldDoc("attributes.member_tier", "text", values=("basic", "silver", "gold")),
        ),
        categories=(
            "Books",
            "Books/Fantasy",
            "Books/Cooking",
            "Garden",
            "Garden/Seeds",
            "Toys/Puzzles",
            "Stationery",
        ),
        segments=("loyal",),
    )
    validator = jsonschema_rs.validator_for(rule_schema(shop))
    for text, rule in EXAMPLES:
        assert validator.is_valid(rule), text


def test_examples_are_not_taken_from_the_evaluation_set(
    requests_set: list[dict[str, Any]],
) -> None:
    asked = {r["text"] for r in requests_set}
    expected = [r["expected"] for r in requests_set]
    for text, rule in EXAMPLES:
        assert text not in asked
        assert rule not in expected


@pytest.mark.parametrize(
    ("rule", "why"),
    [
        ({"field": "favourite_colour", "op": "=", "value": "red"}, "unknown field"),
        ({"field": "monetary_total", "op": ">", "value": "lots"}, "text for a number"),
        ({"field": "monetary_total", "op": "contains", "value": "1"}, "text op on a number"),
        ({"field": "attributes.age", "op": "=", "value": "30-40"}, "a bucket that is not one"),
        (
            {"event": {"type": "purchase", "category": "GROCERY/CAVIAR"}, "measure": "exists"},
            "a category the shop does not have",
        ),
        ({"event": {"type": "purchase", "within_days": 0}, "measure": "exists"}, "empty window"),
        ({"event": {"type": "purchase"}, "measure": "count"}, "count without a comparison"),
        ({"segment": "whales"}, "unknown segment"),
        (
            {
                "funnel": {
                    "did": {"type": "add_to_cart", "within_days": 7},
                    "then_not": {"type": "purchase", "within_days": 2},
                    "within_hours": 2,
                }
            },
            "a window on the funnel's follow-up (its hours are the funnel's)",
        ),
        ({"all": []}, "empty all"),
        ({"not": {"consent": "sms"}}, "unknown consent"),
        ({"field": "monetary_total", "op": "between", "value": [1]}, "between one number"),
        (
            {"field": "attributes.kids_count", "op": "in", "value": ["1", "1", "1", "1", "1"]},
            "a list longer than the attribute's values (a repetition loop)",
        ),
    ],
)
def test_schema_refuses_what_the_shop_cannot_name(
    vocabulary: Vocabulary, rule: dict[str, Any], why: str
) -> None:
    assert not jsonschema_rs.validator_for(rule_schema(vocabulary)).is_valid(rule), why


@pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None, reason="llama-cpp-python is not installed"
)
def test_schema_converts_to_a_grammar_naming_the_shop(vocabulary: Vocabulary) -> None:
    grammar = schema_grammar(rule_schema(vocabulary))
    assert grammar.count("::=") > 20
    assert "root ::=" in grammar
    assert '\\"MEAT/BEEF\\"' in grammar and '\\"65+\\"' in grammar
    assert "favourite_colour" not in grammar
