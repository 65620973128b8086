"""Request and response bodies of the journey routes (``/v1/journeys``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

JOURNEY_DOC = (
    "A journey (the format of a journey file; `GET /v1/journeys/schema` gives its JSON "
    "Schema): `{id, name, description?, trigger, entry?, goal?, steps}`. Send it as JSON "
    "(`application/json`) or as the YAML file itself (`application/yaml`). Problems come "
    'back as 422, one per problem, `loc` the path (`["body", "steps", 2, "timeout"]`) and '
    "`msg` naming the step id and the field in words."
)
JOURNEY_EXAMPLE: dict[str, Any] = {
    "id": "cart-abandonment",
    "name": "Cart abandonment",
    "trigger": {"type": "event", "event": "add_to_cart"},
    "entry": {"mode": "once_per", "days": 7},
    "goal": {"event": "purchase"},
    "steps": [
        {"id": "pause", "type": "wait", "duration": "1h"},
        {
            "id": "bought",
            "type": "wait_for_event",
            "event": "purchase",
            "timeout": "3h",
            "on_event": "exit",
            "on_timeout": "remind",
        },
        {
            "id": "remind",
            "type": "send",
            "channel": "email",
            "template": "cart_abandonment",
            "recommendations": {"source": "trigger_item", "count": 3},
        },
    ],
}


class JourneyStatsOut(BaseModel):
    """What happened in the journey (every version)."""

    entered: int = Field(description="Enrolments ever.")
    active: int = Field(description="People in the journey now.")
    completed: int = Field(description="Went through to the end.")
    exited: int = Field(description="Left early (goal, unsubscribed, erased, ...).")
    exited_by_reason: dict[str, int]
    at_step: dict[str, int] = Field(description="People in the journey now, by step id.")


class VersionInfo(BaseModel):
    version: int
    created_at: float


class JourneyOut(BaseModel):
    journey_id: str
    name: str
    version: int = Field(description="The version shown.")
    latest_version: int
    status: Literal["active", "paused", "archived"]
    created_at: float
    updated_at: float
    definition: dict[str, Any] = Field(description="The definition, durations in seconds.")
    stats: JourneyStatsOut


class JourneyDetail(JourneyOut):
    versions: list[VersionInfo]


class JourneyApplied(JourneyOut):
    outcome: Literal["created", "updated", "unchanged"] = Field(
        description="created (version 1), updated (a new version) or unchanged."
    )


class JourneyList(BaseModel):
    journeys: list[JourneyOut]


class JourneyVersionOut(VersionInfo):
    definition: dict[str, Any]


class JourneyVersions(BaseModel):
    journey_id: str
    versions: list[JourneyVersionOut]


class JourneyChecked(BaseModel):
    """A journey that passed every check (nothing stored)."""

    journey_id: str
    name: str
    steps: int
    definition: dict[str, Any]
