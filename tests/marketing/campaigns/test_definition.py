"""The campaign format refuses what cannot be sent, naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from recmind.marketing.campaigns.definition import CampaignDefinition, UsersAudience


def campaign(**extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Spring",
        "audience": {"type": "segment", "segment": "regulars"},
        "template": "newsletter",
    }
    values.update(extra)
    return values


def problems(values: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        CampaignDefinition.model_validate(values)
    return [".".join(str(p) for p in e["loc"]) for e in caught.value.errors()]


def test_a_good_campaign() -> None:
    made = CampaignDefinition.model_validate(
        campaign(schedule_at="2025-04-01T09:00:00+02:00", context={"headline": "Hi"})
    )
    assert made.channel == "email" and made.recommendations.source == "personal"
    assert made.scheduled_at == 1743490800.0
    assert "schedule_at" not in made.stored()
    assert CampaignDefinition.model_validate(made.stored()).audience == made.audience
    users = UsersAudience(type="users", user_ids=["a", "b", "a"])
    assert users.user_ids == ["a", "b"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"audience": {"type": "segment"}}, "audience.segment.segment"),
        ({"audience": {"type": "everyone"}}, "audience"),
        ({"audience": {"type": "users", "user_ids": []}}, "audience.users.user_ids"),
        ({"audience": {"type": "buyers", "top": 10}}, "audience.buyers"),
        (
            {"audience": {"type": "buyers", "items": ["a"], "category": "b"}},
            "audience.buyers",
        ),
        ({"audience": {"type": "lookalike", "top": 10}}, "audience.lookalike"),
        ({"channel": "sms"}, "channel"),
        ({"template": ""}, "template"),
        ({"recommendations": {"source": "trigger_item"}}, "recommendations.source"),
        ({"recommendations": {"count": 21}}, "recommendations.count"),
        ({"schedule_at": "2025-04-01T09:00:00"}, "schedule_at"),
        ({"context": {"intro": "x" * 2001}}, "context"),
        ({"surprise": 1}, "surprise"),
        ({"name": "nul\x00byte"}, "name"),
        ({"context": {"intro": "bad \ud800"}}, "context.intro"),
        ({"audience": {"type": "users", "user_ids": ["a\x00"]}}, "audience.users.user_ids.0"),
    ],
)
def test_what_is_refused(change: dict[str, Any], field: str) -> None:
    assert field in problems(campaign(**change))
