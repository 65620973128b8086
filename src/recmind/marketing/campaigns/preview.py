"""A campaign's (or a bare template's) message for one person, before anyone gets it.

:func:`preview` renders what the person would receive (their recommendations, the store's
facts, the real links) and writes nothing. :func:`test_send` puts the same message in the
outbox for a given address, with source kind ``test`` and a key of its own, so it goes out
through the real channel (SMTP with its headers, the webhook) exactly as the campaign's
messages will, without counting as the campaign's message to that person.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from recmind.marketing.campaigns.definition import CampaignRecommendations
from recmind.marketing.campaigns.repository import Campaign
from recmind.marketing.content.compose import NO_ADDRESS, OutboxComposer, Skipped
from recmind.marketing.copy.options import CopyOptions
from recmind.marketing.messages import (
    Channel,
    MessageRequest,
    OutboxMessage,
    RenderedMessage,
    SourceKind,
    campaign_key,
)

_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Preview:
    """What the person would get: the ``message`` (None when it would be skipped, with
    ``skip_reason``), its ``recipient`` and ``items``."""

    user_id: str
    channel: Channel
    template: str
    recipient: str | None
    items: list[str]
    message: RenderedMessage | None
    skip_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        message = self.message
        return {
            "user_id": self.user_id,
            "channel": self.channel,
            "template": self.template,
            "recipient": self.recipient,
            "items": self.items,
            "skip_reason": self.skip_reason,
            "subject": message.subject if message else None,
            "body_text": message.body_text if message else None,
            "body_html": message.body_html if message else None,
            "payload": dict(message.payload) if message else None,
        }


@dataclass(frozen=True)
class MessageSource:
    """What a preview or a test send renders: a campaign, or a template with a channel,
    recommendations and context of its own."""

    source_id: str
    template: str
    channel: Channel = "email"
    recommendations: CampaignRecommendations = field(default_factory=CampaignRecommendations)
    context: dict[str, str] | None = None
    copy: CopyOptions | None = None

    @classmethod
    def of(cls, campaign_or_template: Campaign | str) -> MessageSource:
        if isinstance(campaign_or_template, str):
            return cls(
                source_id=f"template:{campaign_or_template}"[:64], template=campaign_or_template
            )
        definition = campaign_or_template.definition
        return cls(
            source_id=campaign_or_template.campaign_id,
            template=definition.template,
            channel=definition.channel,
            recommendations=definition.recommendations,
            context=dict(definition.context),
            copy=definition.copy_options,
        )

    def request(self, user_id: str, key: str, kind: SourceKind) -> MessageRequest:
        slot = self.recommendations
        return MessageRequest(
            idempotency_key=key,
            user_id=user_id,
            channel=self.channel,
            source_kind=kind,
            source_id=self.source_id,
            template=self.template,
            recommendation_source=slot.source,
            recommendation_count=slot.count,
            in_stock_only=slot.in_stock_only,
            context=dict(self.context or {}),
            copy=self.copy,
        )


def preview(
    composer: OutboxComposer,
    campaign_or_template: Campaign | str,
    user_id: str,
    *,
    now: float,
) -> Preview:
    """The message ``user_id`` would get (every part rendered; nothing written). For a
    campaign, its links are the ones the real message will carry."""
    source = MessageSource.of(campaign_or_template)
    key = (
        f"preview:{source.source_id}:{user_id}"
        if isinstance(campaign_or_template, str)
        else campaign_key(source.source_id, user_id)
    )
    request = source.request(user_id, key, "campaign")
    (outcome,) = composer.prepare([request], now=now, preview=True)
    if isinstance(outcome, Skipped):
        return Preview(
            user_id,
            source.channel,
            source.template,
            outcome.recipient,
            list(outcome.items),
            None,
            outcome.reason,
        )
    assert isinstance(outcome, OutboxMessage)
    missing = source.channel == "email" and not outcome.recipient
    return Preview(
        user_id,
        source.channel,
        source.template,
        outcome.recipient,
        list(outcome.rendered.items),
        outcome.rendered,
        NO_ADDRESS if missing else None,
    )


def test_send(
    composer: OutboxComposer,
    campaign_or_template: Campaign | str,
    user_id: str,
    to_address: str,
    *,
    now: float,
) -> tuple[str, str | None]:
    """Queue ``user_id``'s message for ``to_address`` (source kind ``test``); returns its
    message id and, when it cannot go out, why (it is then a skipped outbox row)."""
    source = MessageSource.of(campaign_or_template)
    if source.channel == "email" and not _ADDRESS.match(to_address):
        raise ValueError(f"to: {to_address!r} is not an email address")
    key = f"test:{source.source_id}:{user_id}:{uuid.uuid4().hex}"
    request = source.request(user_id, key, "test")
    result = composer.compose([request], now=now, recipients={key: to_address})
    return request.message_id, next(iter(result.skipped), None)
