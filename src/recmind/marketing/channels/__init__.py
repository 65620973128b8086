"""Delivery channels of the outbox, as small plugins registered by name: ``email`` (SMTP,
:mod:`~recmind.marketing.channels.email_smtp`), ``webhook`` (signed HTTP POST,
:mod:`~recmind.marketing.channels.webhook`) and ``onsite`` (shown through the API,
:mod:`~recmind.marketing.channels.onsite`). See :mod:`recmind.marketing.channels.base` for
what a channel is and how to add one."""

from __future__ import annotations

from recmind.marketing.channels import email_smtp, onsite, webhook
from recmind.marketing.channels.base import (
    ChannelFactory,
    ChannelSession,
    Handoff,
    Outcome,
    OutcomeKind,
    UnknownChannelError,
    channel_names,
    open_channel,
    register_channel,
)

BUILT_IN = (email_smtp.NAME, webhook.NAME, onsite.NAME)

__all__ = [
    "BUILT_IN",
    "ChannelFactory",
    "ChannelSession",
    "Handoff",
    "Outcome",
    "OutcomeKind",
    "UnknownChannelError",
    "channel_names",
    "email_smtp",
    "onsite",
    "open_channel",
    "register_channel",
    "webhook",
]
