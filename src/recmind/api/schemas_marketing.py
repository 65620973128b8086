"""Request and response bodies of the marketing routes (segments, customers)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

RULE_DOC = (
    "A segment rule (JSON): {all: [...]}, {any: [...]}, {not: RULE}, {field, op, value}, "
    "{event: {type, item_ids?, category?, min_price?, max_price?, within_days?}, measure, "
    "op?, value?}, {funnel: {did, then_not, within_hours, within_days?}}, {segment: ID}, "
    "{consent: 'email'}. Problems come back as 422 naming the rule path."
)
RULE_EXAMPLE = {
    "all": [
        {"field": "days_since_last_purchase", "op": ">", "value": 60},
        {"event": {"type": "view", "within_days": 30}, "measure": "exists"},
    ]
}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SegmentIn(_In):
    """A new segment."""

    name: str = Field(min_length=1, max_length=200)
    rule: dict[str, Any] = Field(description=RULE_DOC, examples=[RULE_EXAMPLE])
    description: str | None = Field(default=None, max_length=2000)
    segment_id: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$",
        description="Choose the id (default: a slug of the name).",
    )


class SegmentUpdate(_In):
    """Fields to change; a changed rule is a new version."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    rule: dict[str, Any] | None = Field(default=None, description=RULE_DOC)
    description: str | None = Field(default=None, max_length=2000)


class PreviewIn(_In):
    """A rule to preview (nothing is stored)."""

    rule: dict[str, Any] = Field(description=RULE_DOC, examples=[RULE_EXAMPLE])
    as_of: float | None = Field(
        default=None, description="Evaluation moment, epoch seconds (default now)."
    )
    sample: int = Field(default=10, ge=0, le=100, description="People in the sample.")


class SegmentOut(BaseModel):
    segment_id: str
    name: str
    description: str | None
    rule: dict[str, Any]
    in_words: str = Field(description="The rule in plain English.")
    version: int
    builtin: bool
    created_at: float
    updated_at: float
    refreshed_at: float | None = Field(description="Moment of the last membership refresh.")
    members: int = Field(description="People in the segment at the last refresh.")


class SegmentList(BaseModel):
    segments: list[SegmentOut]


class CategoryCount(BaseModel):
    category: str
    count: int


class PreviewOut(BaseModel):
    as_of: float
    count: int = Field(description="People the rule selects.")
    customers: int = Field(description="Every customer known at as_of.")
    share: float
    description: str = Field(description="The rule in plain English.")
    sample: list[dict[str, Any]] = Field(description="Some members with a few features.")
    distributions: dict[str, dict[str, Any]] = Field(
        description="Per feature: set, mean, min, p25, median, p75, max, histogram."
    )
    top_categories: list[CategoryCount]
    features_as_of: float | None = Field(description="Moment of the feature snapshot.")
    seconds: float


class RefreshOut(BaseModel):
    segment_id: str
    as_of: float
    members: int
    entered: int
    exited: int
    seconds: float


class MemberOut(BaseModel):
    user_id: str
    entered_at: float


class MembersPage(BaseModel):
    segment_id: str
    total: int
    offset: int
    limit: int
    members: list[MemberOut]


class MembershipOut(BaseModel):
    segment_id: str
    name: str
    entered_at: float


class CustomerOut(BaseModel):
    """What is known and expected of one customer."""

    user_id: str
    profile: dict[str, Any] | None = Field(description="The user's row, if there is one.")
    features: dict[str, Any] | None = Field(description="The customer_features row.")
    predictions: dict[str, Any] | None = Field(description="The customer_predictions row.")
    segments: list[MembershipOut] = Field(description="Segments the customer is in now.")
