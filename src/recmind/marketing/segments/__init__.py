"""Segments: rule trees over profiles, features, predictions, events and other segments,
validated against a field catalogue and compiled to one SQL query that runs in the store
(SQLite or PostgreSQL); stored with versions, previewed, materialised with entered/exited
times, exported as CSV.

- :mod:`.rules`: the rule format (pydantic models) and :func:`parse_rule`;
- :mod:`.catalogue`: the fields a rule may name (:func:`field_catalogue`, :func:`load_catalogue`);
- :mod:`.validate`: :func:`validate_rule` / :func:`check_rule` (errors name the rule path);
- :mod:`.json_schema`: :func:`rule_json_schema` for constrained LLM decoding;
- :mod:`.describe`: :func:`describe`, a rule in plain English;
- :mod:`.compiler`: :func:`compile_rule`, the SQL.
"""

from recmind.marketing.segments.catalogue import (
    Catalogue,
    FieldSpec,
    field_catalogue,
    load_catalogue,
)
from recmind.marketing.segments.compiler import compile_rule, count_query
from recmind.marketing.segments.describe import describe
from recmind.marketing.segments.json_schema import rule_json_schema
from recmind.marketing.segments.rules import (
    Rule,
    RuleError,
    RuleProblem,
    parse_rule,
    rule_to_json,
)
from recmind.marketing.segments.validate import check_rule, validate_rule

__all__ = [
    "Catalogue",
    "FieldSpec",
    "Rule",
    "RuleError",
    "RuleProblem",
    "check_rule",
    "compile_rule",
    "count_query",
    "describe",
    "field_catalogue",
    "load_catalogue",
    "parse_rule",
    "rule_json_schema",
    "rule_to_json",
    "validate_rule",
]
