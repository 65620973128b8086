"""The JSON Schema of the journey format, for editors (completion and checks as one types;
VS Code's YAML extension reads it from a ``# yaml-language-server: $schema=...`` line).

It is the pydantic models' schema with what they cannot say themselves: a duration is
written as seconds *or* text such as ``30m`` (the models turn it into seconds before their
schema sees it). Given the store's template names and segment ids, those fields become
lists to choose from. The schema helps while writing; :func:`recmind.marketing.journeys.
validate.load_journey` remains the judge (references, loops, rules, templates).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, get_args, get_origin

import orjson
from pydantic import BaseModel, BeforeValidator

from recmind.marketing.journeys import definition as model

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
DURATION_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "number", "minimum": 0, "description": "Seconds."},
        {
            "type": "string",
            "pattern": r"^\s*\d+(\.\d+)?\s*[smhdw]?\s*$",
            "description": "30m, 2h, 3d, 1w (s, m, h, d, w) or seconds.",
        },
    ]
}


def _parses_duration(metadata: Iterable[Any]) -> bool:
    return any(
        isinstance(meta, BeforeValidator) and meta.func is model.parse_duration for meta in metadata
    )


def _is_duration(field: Any) -> bool:
    """A ``Duration`` field, or an optional one (``Duration | None``)."""
    if _parses_duration(field.metadata):
        return True
    return any(
        get_origin(arg) is Annotated and _parses_duration(arg.__metadata__)
        for arg in get_args(field.annotation)
    )


def _duration_fields() -> dict[str, list[str]]:
    """Model name -> its fields that hold a duration."""
    out: dict[str, list[str]] = {}
    for value in vars(model).values():
        if isinstance(value, type) and issubclass(value, BaseModel):
            names = [n for n, f in value.model_fields.items() if _is_duration(f)]
            if names:
                out[value.__name__] = names
    return out


def _durations(schema: dict[str, Any]) -> None:
    for name, fields in _duration_fields().items():
        properties = schema["$defs"].get(name, {}).get("properties", {})
        for field in fields:
            spec = properties.get(field)
            if spec is None:
                continue
            if "anyOf" in spec:  # optional: {anyOf: [number, null]}
                spec["anyOf"] = [
                    *DURATION_SCHEMA["anyOf"],
                    *(s for s in spec["anyOf"] if s.get("type") != "number"),
                ]
            else:
                spec.pop("type", None)
                spec.update(orjson.loads(orjson.dumps(DURATION_SCHEMA)))


def _choices(spec: dict[str, Any], names: list[str]) -> None:
    """Make a string property (or the string branch of an optional one) one of ``names``."""
    targets = spec.get("anyOf", [spec])
    for target in targets:
        if target.get("type") == "string":
            target["enum"] = names


def _plain(schema: Any) -> Any:
    """Descriptions without the double backticks of the docstrings they come from."""
    if isinstance(schema, dict):
        return {
            key: value.replace("``", "`")
            if key == "description" and isinstance(value, str)
            else _plain(value)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_plain(value) for value in schema]
    return schema


def journey_json_schema(
    *, templates: Iterable[str] | None = None, segments: Iterable[str] | None = None
) -> dict[str, Any]:
    """The JSON Schema of a journey file. ``templates`` and ``segments`` (names known to a
    store) turn those fields into lists to choose from."""
    schema: dict[str, Any] = model.JourneyDefinition.model_json_schema()
    _durations(schema)
    defs = schema["$defs"]
    if templates is not None:
        _choices(defs["SendStep"]["properties"]["template"], sorted(templates))
    if segments is not None:
        names = sorted(segments)
        _choices(defs["SegmentTrigger"]["properties"]["segment"], names)
        _choices(defs["Entry"]["properties"]["segment"], names)
    defs["ConditionStep"]["properties"]["rule"]["description"] = (
        "A segment rule for this one person, now: {all: [...]}, {any: [...]}, {not: RULE}, "
        "{field, op, value}, {event: {type, within_days?, ...}, measure, op?, value?}, "
        "{segment: ID}, {consent: email} (see `recmind segments`)."
    )
    out: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "title": "recmind journey",
        **{k: v for k, v in schema.items() if k != "title"},
    }
    plain: dict[str, Any] = _plain(out)
    return plain
