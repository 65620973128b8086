"""What the parts of the marketing engine hand each other when a message is to be sent.

The flow of one message::

    journey step / campaign  --MessageRequest-->  compose (recommendations, render, links)
        --> outbox row (status pending, keyed by idempotency_key)
        --> delivery worker: policy decision (consent, suppression, caps, quiet hours,
            holdout) --> channel (email over SMTP, webhook, on-site) --> sent | retry | dead

A message's id is derived from its idempotency key, so the links rendered into it (tracked
clicks, one-click unsubscribe) can name it before the row exists, and writing the same
message twice is a no-op.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from recmind.marketing.copy.options import CopyOptions

Channel = Literal["email", "webhook", "onsite"]
CHANNELS: tuple[Channel, ...] = ("email", "webhook", "onsite")
SourceKind = Literal["journey", "campaign", "test"]
RecommendationSource = Literal[
    "personal", "trigger_item", "similar", "complements", "new_arrivals", "replenish"
]

_NAMESPACE = uuid.UUID("5d1c3f7e-6a55-4f0e-9b8e-7a3c2b1d0e9f")


def message_id_for(idempotency_key: str) -> str:
    """The message id of ``idempotency_key`` (a UUID5 hex: stable, 32 characters)."""
    return uuid.uuid5(_NAMESPACE, idempotency_key).hex


def journey_key(journey_id: str, enrolment_id: str, step_id: str) -> str:
    return f"journey:{journey_id}:{enrolment_id}:{step_id}"


def campaign_key(campaign_id: str, user_id: str) -> str:
    return f"campaign:{campaign_id}:{user_id}"


@dataclass(frozen=True)
class MessageRequest:
    """A message to compose for one person (before recommendations and rendering)."""

    idempotency_key: str
    user_id: str
    channel: Channel
    source_kind: SourceKind
    source_id: str
    template: str
    recommendation_source: RecommendationSource = "personal"
    recommendation_count: int = 4
    in_stock_only: bool = True
    trigger_item: str | None = None
    enrolment_id: str | None = None
    step_id: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    copy: CopyOptions | None = None
    """Generated copy instead of the template's words (:mod:`recmind.marketing.copy`)."""

    @property
    def message_id(self) -> str:
        return message_id_for(self.idempotency_key)


@dataclass(frozen=True)
class RenderedMessage:
    """A message ready for the outbox: every fact in it came from the store."""

    subject: str
    body_text: str
    body_html: str
    payload: Mapping[str, Any]
    items: Sequence[str]


class Recommender(Protocol):
    """Items for a person's message (the served model behind it in ``recmind worker``)."""

    def __call__(
        self,
        user_id: str,
        *,
        source: RecommendationSource,
        count: int,
        trigger_item: str | None,
        in_stock_only: bool,
        now: float,
    ) -> list[str]: ...


class MessageComposer(Protocol):
    """Composes a request (recommendations, rendering, links) and writes it to the outbox;
    True when a new row was written, False when the key was already there."""

    def __call__(self, request: MessageRequest, *, now: float) -> bool: ...


@dataclass(frozen=True)
class OutboxMessage:
    """One row for the outbox (``recmind.marketing.outbox.store.enqueue``): rendered, with
    its recipient (an email address, the webhook's person id, or the user id on-site)."""

    idempotency_key: str
    user_id: str
    channel: Channel
    source_kind: SourceKind
    source_id: str
    recipient: str | None
    rendered: RenderedMessage
    enrolment_id: str | None = None
    step_id: str | None = None
    not_before: float | None = None

    @property
    def message_id(self) -> str:
        return message_id_for(self.idempotency_key)
