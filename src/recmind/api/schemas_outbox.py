"""Response bodies of the outbox routes (``/v1/outbox``) and of a person's on-site messages
(``/v1/users/{user_id}/messages``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

OutboxStatus = Literal["pending", "sending", "handoff", "sent", "dead", "skipped"]
OutboxChannel = Literal["email", "webhook", "onsite"]


class OutboxMessageOut(BaseModel):
    """One outbox row (the list leaves out the bodies; one message has them)."""

    message_id: str
    idempotency_key: str
    user_id: str
    channel: OutboxChannel
    source_kind: str
    source_id: str
    enrolment_id: str | None = None
    step_id: str | None = None
    recipient: str | None = None
    subject: str | None = None
    status: OutboxStatus
    skip_reason: str | None = Field(default=None, description="Why a rule skipped it.")
    attempts: int
    next_attempt_at: float | None = Field(
        default=None, description="When a pending message is due (epoch seconds)."
    )
    last_error: str | None = Field(
        default=None, description="The last failure, a deferral's reason, or a recovery note."
    )
    created_at: float
    sent_at: float | None = None
    read_at: float | None = None
    claimed_by: str | None = None
    claimed_until: float | None = None
    items: list[str] = Field(default_factory=list, description="Items the message shows.")
    body_text: str | None = None
    body_html: str | None = None
    payload: dict[str, Any] | None = None


class OutboxPage(BaseModel):
    total: int
    offset: int
    limit: int
    messages: list[OutboxMessageOut]


class OutboxStatsOut(BaseModel):
    total: int
    by_status: dict[str, int]
    by_channel: dict[str, dict[str, int]]
    due_now: int = Field(description="Pending messages due at this moment.")
    oldest_due_seconds: float | None = Field(
        description="How long the longest-waiting due message has waited."
    )
    skip_reasons: dict[str, int] = Field(description="The commonest skip reasons, with counts.")
    dead_reasons: dict[str, int] = Field(description="The commonest dead-letter reasons.")


class RetriedOut(BaseModel):
    retried: int = Field(description="Dead messages made due again.")


class OnsiteMessageOut(BaseModel):
    """A delivered on-site message as the shop shows it."""

    message_id: str
    subject: str | None
    body_text: str | None
    body_html: str | None
    payload: dict[str, Any]
    items: list[str]
    source_kind: str
    source_id: str
    sent_at: float
    read_at: float | None


class OnsiteMessageList(BaseModel):
    user_id: str
    unread: int = Field(description="Messages in this list not yet marked read.")
    messages: list[OnsiteMessageOut]


class ReadOut(BaseModel):
    message_id: str
    read_at: float
