"""The rule format: shapes, round trips, errors that name the rule path, the English
rendering, and the JSON Schema for constrained decoding."""

from __future__ import annotations

import json
from typing import Any

import pytest
from llama_cpp.llama_grammar import LlamaGrammar, json_schema_to_gbnf

from recmind.marketing.segments import (
    Catalogue,
    RuleError,
    describe,
    parse_rule,
    rule_json_schema,
    rule_to_json,
)
from recmind.marketing.segments.builtins import BUILTINS
from recmind.marketing.segments.catalogue import static_fields
from recmind.marketing.segments.rules import AllRule, EventRule, NotRule, render_path

NESTED = {
    "all": [
        {"field": "monetary_total", "op": ">=", "value": 100},
        {
            "any": [
                {"consent": "email"},
                {"not": {"event": {"type": "purchase", "within_days": 30}, "measure": "exists"}},
            ]
        },
        {"segment": "champions"},
        {
            "funnel": {
                "did": {"type": "add_to_cart"},
                "then_not": {"type": "purchase"},
                "within_hours": 2,
            }
        },
    ]
}


def problems(data: Any) -> list[tuple[str, str]]:
    with pytest.raises(RuleError) as caught:
        parse_rule(data)
    return [(p.where, p.message) for p in caught.value.problems]


def test_round_trip_keeps_the_json_form() -> None:
    rule = parse_rule(NESTED)
    assert isinstance(rule, AllRule)
    assert rule_to_json(rule) == NESTED
    assert parse_rule(json.dumps(NESTED)) == rule
    inner = rule.all[1]
    assert isinstance(inner.any[1], NotRule)  # type: ignore[union-attr]
    assert isinstance(inner.any[1].not_, EventRule)  # type: ignore[union-attr]


def test_errors_name_the_rule_path() -> None:
    bad = {
        "all": [
            {"field": "x", "op": "~"},
            {"any": [{"event": {"type": "buy"}, "measure": "exists"}]},
        ]
    }
    found = problems(bad)
    assert found[0][0] == "rule.all[0].op"
    assert found[1][0] == "rule.all[1].any[0].event.type"
    assert "purchase" in found[1][1]


def test_a_rule_has_exactly_one_shape() -> None:
    assert problems({"field": "x", "event": {}})[0][0] == "rule"
    assert "exactly one" in problems({"not": {"colour": 1}})[0][1]
    assert problems({"not": {"colour": 1}})[0][0] == "rule.not"
    assert problems([1])[0][0] == "rule"


def test_unknown_keys_and_missing_parts_are_named() -> None:
    found = dict(problems({"consent": "email", "extra": 1}))
    assert found["rule.extra"] == "unknown key"
    found = dict(problems({"funnel": {"did": {"type": "view"}}}))
    assert found["rule.funnel.then_not"] == "missing"
    assert found["rule.funnel.within_hours"] == "missing"


def test_values_keep_their_json_type() -> None:
    rule = parse_rule({"field": "attributes.vip", "op": "=", "value": True})
    assert rule_to_json(rule)["value"] is True
    rule = parse_rule({"field": "order_count", "op": "in", "value": [1, 2.5]})
    assert rule_to_json(rule)["value"] == [1, 2.5]
    assert render_path(("all", 2, "event", "within_days")) == "rule.all[2].event.within_days"


def test_describe_reads_as_english() -> None:
    text = describe(parse_rule(NESTED))
    assert text == (
        "monetary total is at least 100 and (agreed to marketing e-mail or not (purchased "
        'in the last 30 days)) and is in segment "champions" and added to cart and '
        "then had not purchased within 2 hours"
    )
    count = {
        "event": {"type": "view", "category": "Books", "within_days": 7},
        "measure": "count",
        "op": ">=",
        "value": 3,
    }
    assert describe(parse_rule(count)) == (
        'viewed an item in category "Books" at least 3 times in the last 7 days'
    )
    spend = {"event": {"type": "purchase"}, "measure": "sum", "op": "between", "value": [10, 50]}
    assert describe(parse_rule(spend)) == "spent between 10 and 50 on purchases (ever)"
    assert describe(parse_rule({"all": []})) == "everyone"
    listed = {"field": "top_category", "op": "in", "value": ["Books", "Music"]}
    assert describe(parse_rule(listed)) == 'top category is one of "Books" or "Music"'
    moment = {"field": "created_at", "op": "<", "value": 0}
    assert describe(parse_rule(moment)) == "created at is less than 1970-01-01 00:00 UTC"


def _catalogue() -> Catalogue:
    categories = ("Books", "Books/Fiction", "Music")
    return Catalogue(
        fields=tuple(static_fields(categories)),
        categories=categories,
        segments={"champions": "Champions"},
    )


@pytest.mark.parametrize("depth", [0, 1, 3])
def test_the_json_schema_converts_to_a_llama_cpp_grammar(depth: int) -> None:
    schema = rule_json_schema(_catalogue(), depth)
    grammar = json_schema_to_gbnf(json.dumps(schema))
    assert "root ::=" in grammar
    assert '"\\"monetary_total\\""' in grammar
    assert LlamaGrammar.from_string(grammar, verbose=False) is not None


def _field_enums(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        field = node.get("properties", {}).get("field")
        if field is not None:
            found |= set(field.get("enum", [field.get("const")]))
        for value in node.values():
            found |= _field_enums(value)
    elif isinstance(node, list):
        for value in node:
            found |= _field_enums(value)
    return found


def test_the_schema_names_exactly_the_catalogue_fields() -> None:
    catalogue = _catalogue()
    schema = rule_json_schema(catalogue)
    assert _field_enums(schema) == {spec.name for spec in catalogue.fields}
    text = json.dumps(schema)
    assert '"Books/Fiction"' in text
    assert '"champions"' in text
    assert "rule_3" not in schema["$defs"]  # the top level is the root itself
    assert set(schema["$defs"]) == {"event_spec", "follow_up_spec", "leaf", "rule_1", "rule_2"}


def test_builtin_rules_parse_and_describe() -> None:
    for segment_id, (_, _, rule) in BUILTINS.items():
        assert describe(parse_rule(rule)), segment_id
