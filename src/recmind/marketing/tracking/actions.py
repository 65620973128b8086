"""What the public tracking routes do: unsubscribe at once, record a click or an open.

Each starts from a verified token (:mod:`recmind.marketing.tracking.links`) and the outbox
row of its message, which names the person and the channel. Nothing is written for a token
that does not verify or whose message is unknown (never written, or erased with its person).

An unsubscribe adds an ``unsubscribed`` suppression for the message's channel and records an
``unsubscribe`` event, in one transaction: the next send-time decision sees it, so nothing
more goes out on that channel, whatever is already queued. Repeating it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from recmind.config import Settings
from recmind.data.schema import outbox
from recmind.data.store import Store
from recmind.data.write_lock import write_lock
from recmind.marketing.policy.suppression import add_suppression_in
from recmind.marketing.tracking.events import MessageEvent, record_events_in
from recmind.marketing.tracking.links import InvalidTokenError, verify_token


class UnknownMessageError(LookupError):
    """A valid token for a message the store no longer holds."""


@dataclass(frozen=True)
class Recipient:
    """Whom a message went to, on which channel."""

    message_id: str
    user_id: str
    channel: str


@dataclass(frozen=True)
class Unsubscribed:
    recipient: Recipient
    new: bool
    """False when the person was already suppressed on the channel."""


def recipient_of(store: Store, message_id: str) -> Recipient:
    with store.engine.connect() as connection:
        row = connection.execute(
            select(outbox.c.user_id, outbox.c.channel).where(outbox.c.message_id == message_id)
        ).first()
    if row is None:
        raise UnknownMessageError("this message is no longer known here")
    return Recipient(message_id, str(row.user_id), str(row.channel))


def unsubscribe(
    store: Store, settings: Settings, token: str, *, now: float, via: str
) -> Unsubscribed:
    """Suppress the message's recipient on its channel (``via``: ``one-click``, ``page`` or
    ``mailto``, kept as the suppression's source)."""
    link = verify_token(settings, token, "unsubscribe")
    recipient = recipient_of(store, link.message_id)
    with write_lock(store), store.engine.begin() as connection:
        new = add_suppression_in(
            connection,
            recipient.user_id,
            recipient.channel,
            "unsubscribed",
            now=now,
            source=f"{via}:{recipient.message_id}",
        )
        event = MessageEvent(recipient.message_id, recipient.user_id, "unsubscribe", now)
        record_events_in(connection, [event])
    return Unsubscribed(recipient, new)


def click(store: Store, settings: Settings, token: str, *, now: float) -> str:
    """Record a click; the signed target URL to redirect to."""
    link = verify_token(settings, token, "click")
    if link.target is None:  # pragma: no cover: click tokens are made with a target
        raise InvalidTokenError("this link has no target")
    recipient = recipient_of(store, link.message_id)
    with write_lock(store), store.engine.begin() as connection:
        record_events_in(
            connection,
            [MessageEvent(recipient.message_id, recipient.user_id, "click", now, link.target)],
        )
    return link.target


def opened(store: Store, settings: Settings, token: str, *, now: float) -> None:
    """Record an open (unreliable: see :mod:`recmind.marketing.tracking.events`)."""
    link = verify_token(settings, token, "open")
    recipient = recipient_of(store, link.message_id)
    with write_lock(store), store.engine.begin() as connection:
        record_events_in(
            connection, [MessageEvent(recipient.message_id, recipient.user_id, "open", now)]
        )


def unsubscribe_from_mail(
    store: Store, settings: Settings, subject: str, *, now: float
) -> Unsubscribed:
    """For whatever reads ``marketing.unsubscribe_mailbox``: the subject of a ``mailto:``
    unsubscribe (``unsubscribe <token>``) suppresses like the one-click POST."""
    words = subject.split()
    if len(words) != 2 or words[0].lower() != "unsubscribe":
        raise InvalidTokenError("the subject is not 'unsubscribe <token>'")
    return unsubscribe(store, settings, words[1], now=now, via="mailto")
