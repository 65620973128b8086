"""Unsubscribe (at once, idempotent, only the message's channel), clicks and opens; a bad
token or an unknown message records nothing."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from tests.marketing.policy.people import add_users, message_row, policy_settings, write_messages

from recmind.data.schema import message_events, suppressions
from recmind.data.store import Store
from recmind.marketing.policy.decide import Send, Skip, decide
from recmind.marketing.tracking.actions import (
    UnknownMessageError,
    click,
    opened,
    unsubscribe,
    unsubscribe_from_mail,
)
from recmind.marketing.tracking.links import (
    InvalidTokenError,
    click_url,
    open_url,
    unsubscribe_mailto,
    unsubscribe_url,
)


def _token(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[1]


def _events(store: Store) -> list[tuple[str, str]]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(message_events.c.kind, message_events.c.user_id).order_by(message_events.c.kind)
        ).all()
    return [(r.kind, r.user_id) for r in rows]


def _suppressions(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(suppressions)).scalar_one())


def test_unsubscribe_stops_the_next_message_at_once(store: Store) -> None:
    settings = policy_settings()
    add_users(store, "u1")
    sent = message_row("u1", status="sent", sent_at=10.0)
    queued = message_row("u1")
    write_messages(store, sent, queued)
    assert decide(store, settings, queued, now=20.0) == Send()
    token = _token(unsubscribe_url(settings, sent["message_id"]))
    done = unsubscribe(store, settings, token, now=30.0, via="one-click")
    assert done.new and done.recipient.user_id == "u1" and done.recipient.channel == "email"
    assert decide(store, settings, queued, now=31.0) == Skip("suppressed:unsubscribed")
    assert decide(store, settings, message_row("u1", channel="onsite"), now=31.0) == Send()
    again = unsubscribe(store, settings, token, now=40.0, via="page")
    assert not again.new
    assert _events(store) == [("unsubscribe", "u1")]
    assert _suppressions(store) == 1


def test_clicks_and_opens_are_recorded_each_time(store: Store) -> None:
    settings = policy_settings()
    sent = message_row("u1", status="sent", sent_at=10.0)
    write_messages(store, sent)
    link = click_url(settings, sent["message_id"], "https://shop.example.com/items/1")
    assert click(store, settings, _token(link), now=11.0) == "https://shop.example.com/items/1"
    click(store, settings, _token(link), now=12.0)
    opened(store, settings, _token(open_url(settings, sent["message_id"])), now=13.0)
    assert _events(store) == [("click", "u1"), ("click", "u1"), ("open", "u1")]


def test_bad_tokens_and_unknown_messages_record_nothing(store: Store) -> None:
    settings = policy_settings()
    sent = message_row("u1", status="sent", sent_at=10.0)
    write_messages(store, sent)
    token = _token(unsubscribe_url(settings, sent["message_id"]))
    with pytest.raises(InvalidTokenError):
        unsubscribe(store, settings, token[:-2] + "zz", now=1.0, via="page")
    with pytest.raises(InvalidTokenError):
        opened(store, settings, token, now=1.0)  # an unsubscribe token is not an open token
    gone = _token(unsubscribe_url(settings, "f" * 32))
    with pytest.raises(UnknownMessageError):
        unsubscribe(store, settings, gone, now=1.0, via="page")
    assert _events(store) == []
    assert _suppressions(store) == 0


def test_the_mailto_subject_unsubscribes(store: Store) -> None:
    settings = policy_settings(unsubscribe_mailbox="unsub@shop.example.com")
    sent = message_row("u1", status="sent", sent_at=10.0)
    write_messages(store, sent)
    mailto = unsubscribe_mailto(settings, sent["message_id"])
    assert mailto is not None
    from urllib.parse import unquote

    subject = unquote(mailto.split("subject=", 1)[1])
    assert unsubscribe_from_mail(store, settings, subject, now=5.0).new
    with pytest.raises(InvalidTokenError):
        unsubscribe_from_mail(store, settings, "please stop", now=5.0)
    assert _suppressions(store) == 1
