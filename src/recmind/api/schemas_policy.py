"""Request and response bodies of consent, suppressions and marketing reports (the
``marketing`` scope)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from recmind.api.stored_text import StoredText

ChannelName = Literal["email", "webhook", "onsite"]
SuppressionChannel = Literal["email", "webhook", "onsite", "*"]
SuppressionReason = Literal["unsubscribed", "bounced", "complained", "manual"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConsentIn(_In):
    """A person's word on one channel (it wins over the profile's ``consent_email``)."""

    channel: ChannelName
    granted: bool
    source: StoredText | None = Field(
        default=None, max_length=500, description="Where the word came from (a form, a call)."
    )


class ConsentOut(BaseModel):
    channel: str
    granted: bool
    source: Literal["consents", "profile", "default"] = Field(
        description="consents: a recorded word; profile: users.consent_email; default: the "
        "channel's rule (email and webhook no, on-site yes)."
    )
    updated_at: float | None
    note: str | None = Field(description="The recorded word's source.")


class ConsentList(BaseModel):
    user_id: str
    consents: list[ConsentOut]


class SuppressionIn(_In):
    """Keep a person from a channel (``*``: every channel)."""

    user_id: StoredText = Field(min_length=1, max_length=255)
    channel: SuppressionChannel = "*"
    reason: SuppressionReason = "manual"
    source: StoredText | None = Field(default=None, max_length=500)


class SuppressionOut(BaseModel):
    user_id: str
    channel: str
    reason: str
    created_at: float
    source: str | None


class SuppressionPage(BaseModel):
    total: int
    offset: int
    limit: int
    suppressions: list[SuppressionOut]


class GroupOut(BaseModel):
    people: int
    converted: int
    rate: float | None


class HoldoutOut(BaseModel):
    """Conversion of the treated against the global holdout, for people who would have been
    eligible (see ``recmind.marketing.tracking.attribution``)."""

    treated: GroupOut
    holdout: GroupOut
    difference: float | None = Field(description="Treated rate minus holdout rate.")
    ci_low: float | None
    ci_high: float | None
    confidence: float
    p_value: float | None = Field(description="Fisher's exact test.")


class StageOut(BaseModel):
    stage: str
    people: int
    unreliable: bool


class ReportOut(BaseModel):
    """One journey's or campaign's figures over a period."""

    kind: Literal["journey", "campaign"]
    id: str
    name: str | None
    since: float
    until: float
    entered: int = Field(description="Enrolments (journey) or people written to (campaign).")
    messages: int
    sent: int
    sent_people: int
    waiting: int
    failed: int
    skipped: dict[str, int] = Field(description="Skipped messages by reason.")
    skipped_total: int
    deferred: int = Field(description="Messages quiet hours held back at least once.")
    opened: int
    opened_people: int
    opens_unreliable: bool = Field(description="Always true: proxies open mail by themselves.")
    clicked: int
    clicked_people: int
    unsubscribed: int
    converted: int = Field(description="People with a purchase attributed (last touch).")
    purchases: int
    revenue: float
    holdout: HoldoutOut | None
    funnel: list[StageOut]


class ReportList(BaseModel):
    reports: list[ReportOut]
