"""The journey format's JSON Schema: every trigger and step type, durations as text or
seconds, and the store's templates and segments as choices."""

from __future__ import annotations

import re

import orjson

from recmind.marketing.journeys.json_schema import journey_json_schema
from recmind.marketing.journeys.validate import STEP_TYPES, TRIGGER_TYPES


def test_the_schema_covers_every_trigger_and_step() -> None:
    schema = journey_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "recmind journey"
    steps = schema["properties"]["steps"]["items"]["discriminator"]["mapping"]
    assert set(steps) == set(STEP_TYPES)
    triggers = schema["properties"]["trigger"]["discriminator"]["mapping"]
    assert set(triggers) == set(TRIGGER_TYPES)
    assert "``" not in orjson.dumps(schema).decode()
    assert schema["additionalProperties"] is False


def test_durations_take_text_or_seconds() -> None:
    defs = journey_json_schema()["$defs"]
    for spec in (
        defs["WaitStep"]["properties"]["duration"],
        defs["WaitForEventStep"]["properties"]["timeout"],
    ):
        kinds = [s.get("type") for s in spec["anyOf"]]
        assert "number" in kinds and "string" in kinds
        pattern = next(s["pattern"] for s in spec["anyOf"] if s.get("type") == "string")
        assert all(re.match(pattern, ok) for ok in ("30m", "2h", "3d", "1w", "90", "1.5h"))
        assert not any(re.match(pattern, bad) for bad in ("3 hours", "soon", "-1h"))
    assert {"type": "null"} in defs["WaitStep"]["properties"]["duration"]["anyOf"]


def test_templates_and_segments_become_choices() -> None:
    defs = journey_json_schema(templates=["b", "a"], segments=["vip"])["$defs"]
    assert defs["SendStep"]["properties"]["template"]["enum"] == ["a", "b"]
    assert defs["SegmentTrigger"]["properties"]["segment"]["enum"] == ["vip"]
    assert defs["Entry"]["properties"]["segment"]["anyOf"][0]["enum"] == ["vip"]
    assert "enum" not in journey_json_schema()["$defs"]["SendStep"]["properties"]["template"]
