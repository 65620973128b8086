"""What a draft may name, and the JSON schema that confines the model to it.

A :class:`Vocabulary` is the shop's side of the contract: the fields of the segment field
catalogue (with what each means), the shop's real category names, the event types, the
stored segments' ids, and for a few low-cardinality profile attributes the values they take.
It holds no customer's data: names, descriptions and shared vocabularies only, which is all
that ever reaches the prompt.

:func:`rule_schema` turns it into a JSON schema of the segment rule format that is narrower
than the format itself (each field kind gets only the operators and value types that fit it;
categories, attribute values, event types and segment ids are enumerations), so that
grammar-constrained decoding (llama.cpp turns the schema into a GBNF grammar) can only emit
rules that name real things. Time fields are left to their ``days_since_*`` forms.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

FieldKind = Literal["number", "text", "bool", "time"]

COMPARE_OPS = ("<", "<=", ">", ">=", "=", "!=")
TEXT_OPS = ("=", "!=", "contains")
LIST_OPS = ("in", "not in")
PRESENCE_OPS = ("is set", "is not set")
EVENT_TYPES = ("view", "click", "add_to_cart", "purchase", "rating", "search")
MAX_LIST = 8
"""Most items of a drafted list (rules under all/any, free text values): a small model that
starts repeating itself is stopped by the grammar instead of running to its token limit."""


@dataclass(frozen=True)
class FieldDoc:
    """One field a rule may test.

    Attributes:
        name: As rules spell it (``monetary_total``, ``attributes.age``).
        kind: ``number``, ``text``, ``bool`` or ``time`` (epoch seconds).
        description: What it means, for the model and for people.
        values: For a text field with a small shared vocabulary, the values it takes.
    """

    name: str
    kind: FieldKind
    description: str = ""
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    """Everything a drafted rule may name in one shop."""

    fields: tuple[FieldDoc, ...]
    categories: tuple[str, ...] = ()
    event_types: tuple[str, ...] = EVENT_TYPES
    segments: tuple[str, ...] = ()
    currency: str = ""
    notes: tuple[str, ...] = field(default=())

    def by_kind(self, kind: FieldKind) -> list[FieldDoc]:
        return [f for f in self.fields if f.kind == kind]

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


def _object(properties: dict[str, Any], required: Iterable[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def _pair(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item, "minItems": 2, "maxItems": 2}


def _number_rules(names: list[str]) -> list[dict[str, Any]]:
    if not names:
        return []
    field_enum = {"enum": names}
    return [
        _object(
            {"field": field_enum, "op": {"enum": list(COMPARE_OPS)}, "value": {"type": "number"}},
            ("field", "op", "value"),
        ),
        _object(
            {"field": field_enum, "op": {"const": "between"}, "value": _pair({"type": "number"})},
            ("field", "op", "value"),
        ),
    ]


def _text_rules(fields: list[FieldDoc]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    free = [f.name for f in fields if not f.values]
    if free:
        rules.append(
            _object(
                {
                    "field": {"enum": free},
                    "op": {"enum": list(TEXT_OPS)},
                    "value": {"type": "string"},
                },
                ("field", "op", "value"),
            )
        )
        rules.append(
            _object(
                {
                    "field": {"enum": free},
                    "op": {"enum": list(LIST_OPS)},
                    "value": {
                        "type": "array",
                        "items": {"type": "string"},
                        "minItems": 1,
                        "maxItems": MAX_LIST,
                    },
                },
                ("field", "op", "value"),
            )
        )
    for doc in fields:
        if not doc.values:
            continue
        values = {"enum": list(doc.values)}
        rules.append(
            _object(
                {"field": {"const": doc.name}, "op": {"enum": ["=", "!="]}, "value": values},
                ("field", "op", "value"),
            )
        )
        rules.append(
            _object(
                {
                    "field": {"const": doc.name},
                    "op": {"enum": list(LIST_OPS)},
                    "value": {
                        "type": "array",
                        "items": values,
                        "minItems": 1,
                        "maxItems": len(doc.values),
                    },
                },
                ("field", "op", "value"),
            )
        )
    return rules


def _event_spec(vocabulary: Vocabulary, *, window: bool = True) -> dict[str, Any]:
    """Which events: a type, optionally a category, a price range and (``window``) the
    last N days. A funnel's follow-up has no window of its own (the funnel's hours are)."""
    properties: dict[str, Any] = {"type": {"enum": list(vocabulary.event_types)}}
    if vocabulary.categories:
        properties["category"] = {"enum": list(vocabulary.categories)}
    properties["min_price"] = {"type": "number"}
    properties["max_price"] = {"type": "number"}
    if window:
        properties["within_days"] = {"type": "integer", "minimum": 1}
    return _object(properties, ("type",))


def rule_schema(vocabulary: Vocabulary) -> dict[str, Any]:
    """The JSON schema of a segment rule that names only what ``vocabulary`` holds.

    Lists are bounded (an enumerated attribute's list by its number of values, others by
    :data:`MAX_LIST`), so greedy decoding cannot loop on one value until it is cut off.

    Every rule it admits is in the shared rule format (see ``recmind.marketing.segments``);
    the converse does not hold (item ids, time comparisons and text ``contains`` on
    enumerated attributes are left out: a person writes those by hand).
    """
    spec = {"$ref": "#/$defs/event_spec"}
    rule = {"$ref": "#/$defs/rule"}
    alternatives: list[dict[str, Any]] = [
        _object(
            {"all": {"type": "array", "items": rule, "minItems": 1, "maxItems": MAX_LIST}}, ("all",)
        ),
        _object(
            {"any": {"type": "array", "items": rule, "minItems": 1, "maxItems": MAX_LIST}}, ("any",)
        ),
        _object({"not": rule}, ("not",)),
    ]
    alternatives += _number_rules([f.name for f in vocabulary.by_kind("number")])
    alternatives += _text_rules(vocabulary.by_kind("text"))
    flags = [f.name for f in vocabulary.by_kind("bool")]
    if flags:
        alternatives.append(
            _object(
                {
                    "field": {"enum": flags},
                    "op": {"enum": ["=", "!="]},
                    "value": {"type": "boolean"},
                },
                ("field", "op", "value"),
            )
        )
    alternatives.append(
        _object(
            {"field": {"enum": vocabulary.field_names()}, "op": {"enum": list(PRESENCE_OPS)}},
            ("field", "op"),
        )
    )
    alternatives += [
        _object({"event": spec, "measure": {"const": "exists"}}, ("event", "measure")),
        _object(
            {
                "event": spec,
                "measure": {"enum": ["count", "sum"]},
                "op": {"enum": list(COMPARE_OPS)},
                "value": {"type": "number"},
            },
            ("event", "measure", "op", "value"),
        ),
        _object(
            {
                "event": spec,
                "measure": {"enum": ["count", "sum"]},
                "op": {"const": "between"},
                "value": _pair({"type": "number"}),
            },
            ("event", "measure", "op", "value"),
        ),
        _object(
            {
                "funnel": _object(
                    {
                        "did": spec,
                        "then_not": {"$ref": "#/$defs/follow_up"},
                        "within_hours": {"type": "number"},
                        "within_days": {"type": "integer", "minimum": 1},
                    },
                    ("did", "then_not", "within_hours"),
                )
            },
            ("funnel",),
        ),
        _object({"consent": {"const": "email"}}, ("consent",)),
    ]
    if vocabulary.segments:
        alternatives.append(_object({"segment": {"enum": list(vocabulary.segments)}}, ("segment",)))
    return {
        "$defs": {
            "rule": {"anyOf": alternatives},
            "event_spec": _event_spec(vocabulary),
            "follow_up": _event_spec(vocabulary, window=False),
        },
        # not a bare root "$ref": llama.cpp's converter would then skip "$defs"
        "anyOf": [rule],
    }


def schema_grammar(schema: dict[str, Any]) -> str:
    """The GBNF grammar llama.cpp derives from ``schema`` (what constrains local decoding).

    Raises:
        ValueError: The schema uses something the converter cannot express.
        ImportError: llama-cpp-python is not installed.
    """
    import json

    from llama_cpp.llama_grammar import json_schema_to_gbnf

    grammar: str = json_schema_to_gbnf(json.dumps(schema))
    return grammar
