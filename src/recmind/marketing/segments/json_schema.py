"""A JSON Schema of the rule format for constrained decoding (a grammar for the LLM).

Field names are an enum of the catalogue, split by type so that each field only takes
the operators and values its type allows; categories and segment ids are enums too. The
tree is unrolled to a fixed depth (``depth`` levels of all/any/not, then leaves only)
instead of a recursive ``$ref``: simpler for grammar converters such as llama.cpp's
``json_schema_to_gbnf`` and it keeps a drafted rule from nesting without end. What the
schema accepts still goes through :func:`recmind.marketing.segments.validate_rule`.
"""

from __future__ import annotations

from typing import Any

import orjson

from recmind.data.bundle import EVENT_TYPES
from recmind.marketing.segments.catalogue import Catalogue, FieldSpec
from recmind.marketing.segments.rules import COMPARE_OPS, NO_VALUE_OPS

DEFAULT_DEPTH = 3
ORDER_OPS = ["<", "<=", ">", ">="]


def _obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


def _names(fields: list[FieldSpec]) -> dict[str, Any]:
    return {"type": "string", "enum": [f.name for f in fields]}


def _field_conditions(catalogue: Catalogue) -> list[dict[str, Any]]:
    by_type: dict[str, list[FieldSpec]] = {}
    for spec in catalogue.fields:
        kind: str = "number" if spec.type in ("integer", "number") else spec.type
        if spec.allowed is not None and spec.type == "text":
            kind = "enum"
        by_type.setdefault(kind, []).append(spec)
    number = {"type": "number"}
    moment = {"anyOf": [{"type": "number"}, {"type": "string", "format": "date"}]}
    out: list[dict[str, Any]] = [
        _obj({"field": _names(list(catalogue.fields)), "op": {"enum": list(NO_VALUE_OPS)}})
    ]
    for kind, value in (("number", number), ("time", moment)):
        if kind not in by_type:
            continue
        names = _names(by_type[kind])
        out.append(_obj({"field": names, "op": {"enum": list(COMPARE_OPS)}, "value": value}))
        out.append(
            _obj(
                {
                    "field": names,
                    "op": {"const": "between"},
                    "value": {"type": "array", "items": value, "minItems": 2, "maxItems": 2},
                }
            )
        )
    if "text" in by_type:
        names = _names(by_type["text"])
        text = {"type": "string"}
        out.append(_obj({"field": names, "op": {"enum": ["=", "!=", "contains"]}, "value": text}))
        out.append(
            _obj(
                {
                    "field": names,
                    "op": {"enum": ["in", "not in"]},
                    "value": {"type": "array", "items": text, "minItems": 1},
                }
            )
        )
    for spec in by_type.get("enum", []):
        allowed = {"type": "string", "enum": [str(v) for v in spec.allowed or ()]}
        name = {"const": spec.name}
        out.append(_obj({"field": name, "op": {"enum": ["=", "!="]}, "value": allowed}))
        out.append(
            _obj(
                {
                    "field": name,
                    "op": {"enum": ["in", "not in"]},
                    "value": {"type": "array", "items": allowed, "minItems": 1},
                }
            )
        )
    if "boolean" in by_type:
        names = _names(by_type["boolean"])
        out.append(
            _obj({"field": names, "op": {"enum": ["=", "!="]}, "value": {"type": "boolean"}})
        )
    return out


def _event_spec(catalogue: Catalogue, windowed: bool = True) -> dict[str, Any]:
    properties: dict[str, Any] = {"type": {"enum": list(catalogue.event_types or EVENT_TYPES)}}
    if catalogue.categories:
        properties["category"] = {"type": "string", "enum": list(catalogue.categories)}
    properties["item_ids"] = {"type": "array", "items": {"type": "string"}, "minItems": 1}
    properties["min_price"] = {"type": "number", "minimum": 0}
    properties["max_price"] = {"type": "number", "minimum": 0}
    if windowed:
        properties["within_days"] = {"type": "number", "exclusiveMinimum": 0}
    return _obj(properties, ["type"])


def _leaves(catalogue: Catalogue) -> list[dict[str, Any]]:
    event = {"$ref": "#/$defs/event_spec"}
    leaves = _field_conditions(catalogue)
    leaves.append(
        _obj(
            {
                "event": event,
                "measure": {"enum": ["count", "sum"]},
                "op": {"enum": list(COMPARE_OPS)},
                "value": {"type": "number"},
            }
        )
    )
    leaves.append(_obj({"event": event, "measure": {"const": "exists"}}))
    funnel = _obj(
        {
            "did": event,
            "then_not": {"$ref": "#/$defs/follow_up_spec"},
            "within_hours": {"type": "number", "exclusiveMinimum": 0},
            "within_days": {"type": "number", "exclusiveMinimum": 0},
        },
        ["did", "then_not", "within_hours"],
    )
    leaves.append(_obj({"funnel": funnel}))
    if catalogue.segments:
        leaves.append(_obj({"segment": {"enum": sorted(catalogue.segments)}}))
    leaves.append(_obj({"consent": {"const": "email"}}))
    return leaves


def rule_json_schema(catalogue: Catalogue, depth: int = DEFAULT_DEPTH) -> dict[str, Any]:
    """The JSON Schema of a rule over ``catalogue``, with at most ``depth`` levels of
    all/any/not above the conditions (``depth=0``: one condition)."""
    defs: dict[str, Any] = {
        "event_spec": _event_spec(catalogue),
        "follow_up_spec": _event_spec(catalogue, windowed=False),
        "leaf": {"anyOf": _leaves(catalogue)},
    }
    below = "leaf"
    for level in range(1, depth + 1):
        name = f"rule_{level}"
        ref = {"$ref": f"#/$defs/{below}"}
        defs[name] = {
            "anyOf": [
                ref,
                _obj({"all": {"type": "array", "items": ref}}),
                _obj({"any": {"type": "array", "items": ref, "minItems": 1}}),
                _obj({"not": ref}),
            ]
        }
        below = name
    # The root is the top level itself, not a "$ref" to it: llama.cpp's converter does not
    # look inside "$defs" beside a root "$ref".
    top = defs.pop(below)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "recmind segment rule",
        "$defs": defs,
        **top,
    }
    # A tree of fresh objects: converters that rewrite "$ref" in place (llama.cpp's does)
    # must not meet the same dict twice.
    tree: dict[str, Any] = orjson.loads(orjson.dumps(schema))
    return tree
