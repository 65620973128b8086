"""Request and response bodies of the campaign routes (``/v1/campaigns``).

A campaign's body is :class:`~recmind.marketing.campaigns.definition.CampaignDefinition`
itself (pydantic only, so the typed client needs nothing more): a mistake is a 422 whose
``loc`` names the field (``["body", "audience", "segment", "segment"]``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from recmind.marketing.campaigns.definition import CampaignDefinition, Text, check_moment

__all__ = [
    "CampaignDefinition",
    "CampaignList",
    "CampaignOut",
    "CampaignPreviewOut",
    "CampaignStats",
    "ScheduleIn",
    "TestSendIn",
    "TestSendOut",
]


class CampaignStats(BaseModel):
    """The campaign's messages in the outbox, by status and by skip reason."""

    messages: int
    by_status: dict[str, int]
    skipped_by_reason: dict[str, int]


class CampaignOut(BaseModel):
    """A stored campaign."""

    campaign_id: str
    name: str
    status: str = Field(description="draft, scheduled, sending, sent or cancelled.")
    definition: dict[str, Any] = Field(description="The campaign as stored (no schedule).")
    scheduled_at: float | None = Field(description="When it is due, epoch seconds.")
    created_at: float
    updated_at: float
    started_at: float | None
    finished_at: float | None
    last_error: str | None = Field(default=None, description="Why it could not run.")
    stats: CampaignStats


class CampaignList(BaseModel):
    campaigns: list[CampaignOut]


class ScheduleIn(BaseModel):
    """When to send: ISO 8601 with a time zone (now or earlier: at the worker's next round)."""

    at: datetime

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        check_moment(value)
        return value


class CampaignPreviewOut(BaseModel):
    """What one person would get (nothing is written)."""

    user_id: str
    channel: str
    template: str
    recipient: str | None
    items: list[str]
    skip_reason: str | None = Field(description="Why the message would be skipped, if so.")
    subject: str | None
    body_text: str | None
    body_html: str | None
    payload: dict[str, Any] | None


class TestSendIn(BaseModel):
    """Send ``user_id``'s message to ``to`` (an address of the shop's own)."""

    user_id: Text = Field(min_length=1, max_length=255)
    to: Text = Field(min_length=3, max_length=320)


class TestSendOut(BaseModel):
    message_id: str = Field(description="The outbox message (source kind test).")
    skip_reason: str | None = Field(description="Why it will not go out, if so.")
