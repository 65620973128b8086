"""Frequency caps: parsing (a bad cap fails when the settings load) and counting the
outbox's sent messages in a sliding window."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from tests.marketing.policy.people import message_row, write_messages

from recmind.config import Settings
from recmind.data.store import Store
from recmind.marketing.policy.caps import Cap, CapCounter, CapError, parse_cap, parse_caps

DAY = 86400.0
NOW = 100 * DAY


def test_parse() -> None:
    assert parse_cap("email:2/1d") == Cap("email", 2, DAY, "email:2/1d")
    assert parse_cap(" *:8/7d ") == Cap("*", 8, 7 * DAY, "*:8/7d")
    assert parse_cap("webhook:1/12h").window_seconds == 12 * 3600.0
    for bad in ("email:2", "email:two/1d", "email:2/1w", "email:2/0d", "2/1d", ""):
        with pytest.raises(CapError):
            parse_cap(bad)


@pytest.mark.parametrize(
    ("cap", "message"),
    [
        ("email:2/1w", "is not CHANNEL:COUNT/WINDOW"),
        ("sms:2/1d", "unknown channel 'sms'"),
        ("email:2/0h", "window must be longer than zero"),
    ],
)
def test_a_bad_cap_fails_when_the_settings_load(cap: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as raised:
        Settings(marketing={"caps": ["email:2/1d", cap]})
    assert "marketing.caps" in str(raised.value)


def test_counts_sent_and_handoff_in_the_window_only(store: Store) -> None:
    rows = [
        message_row("u1", status="sent", sent_at=NOW - 3600),
        message_row("u1", status="handoff", sent_at=NOW - 7200),
        message_row("u1", status="sent", sent_at=NOW - 2 * DAY),  # outside 1d, inside 7d
        message_row("u1", status="pending", created_at=NOW - 60),
        message_row("u1", status="skipped", created_at=NOW - 60),
        message_row("u1", status="dead", created_at=NOW - 60),
        message_row("u1", status="sent", sent_at=NOW - 60, source_kind="test"),
        message_row("u1", channel="webhook", status="sent", sent_at=NOW - 60),
        message_row("u2", status="sent", sent_at=NOW - 30 * DAY),
    ]
    write_messages(store, *rows)
    caps = parse_caps(["email:2/1d", "email:3/7d", "*:5/7d"])
    with store.engine.connect() as connection:
        counter = CapCounter.load(connection, caps, ["u1", "u2", "u3"], now=NOW)
    reached = counter.reached("u1", "email")
    assert reached is not None and reached.text == "email:2/1d"
    assert counter.reached("u1", "webhook") is None  # 4 of *:5/7d: 3 email + 1 webhook
    counter.record("u1", "webhook")
    assert counter.reached("u1", "webhook") is not None
    assert counter.reached("u2", "email") is None
    assert counter.reached("u3", "email") is None


def test_messages_let_through_in_the_batch_count(store: Store) -> None:
    with store.engine.connect() as connection:
        counter = CapCounter.load(connection, parse_caps(["email:2/1d"]), ["u1"], now=NOW)
    assert counter.reached("u1", "email") is None
    counter.record("u1", "email")
    assert counter.reached("u1", "email") is None
    counter.record("u1", "email")
    assert counter.reached("u1", "email") is not None
    assert counter.reached("u1", "onsite") is None


def test_a_zero_cap_allows_nothing() -> None:
    counter = CapCounter(parse_caps(["webhook:0/1d"]), {})
    assert counter.reached("anyone", "webhook") is not None
    assert counter.reached("anyone", "email") is None
