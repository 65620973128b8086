"""The suppression list: add (idempotent), remove, list, and `*` covering every channel."""

from __future__ import annotations

import pytest

from recmind.data.store import Store
from recmind.marketing.policy.suppression import (
    SuppressionError,
    add_suppression,
    is_suppressed,
    list_suppressions,
    remove_suppression,
)


def test_add_is_idempotent_and_keeps_the_first_reason(store: Store) -> None:
    assert add_suppression(store, "u1", "email", "bounced", now=1.0, source="smtp 550")
    assert not add_suppression(store, "u1", "email", "unsubscribed", now=2.0)
    found = is_suppressed(store, "u1", "email")
    assert found is not None
    assert (found.reason, found.created_at, found.source) == ("bounced", 1.0, "smtp 550")
    assert is_suppressed(store, "u1", "webhook") is None


def test_star_covers_every_channel(store: Store) -> None:
    add_suppression(store, "u2", "*", "complained", now=1.0)
    for channel in ("email", "webhook", "onsite"):
        found = is_suppressed(store, "u2", channel)
        assert found is not None and found.channel == "*"


def test_remove_and_list(store: Store) -> None:
    for n, reason in enumerate(("unsubscribed", "bounced", "manual")):
        add_suppression(store, f"u{n}", "email", reason, now=float(n))
    total, page = list_suppressions(store)
    assert total == 3
    assert [s.user_id for s in page] == ["u2", "u1", "u0"]
    total, page = list_suppressions(store, reason="bounced")
    assert (total, [s.user_id for s in page]) == (1, ["u1"])
    total, page = list_suppressions(store, limit=1, offset=1)
    assert (total, [s.user_id for s in page]) == (3, ["u1"])
    assert remove_suppression(store, "u1", "email")
    assert not remove_suppression(store, "u1", "email")
    assert is_suppressed(store, "u1", "email") is None
    assert list_suppressions(store, user_id="u0")[0] == 1


def test_unknown_reason_or_channel_is_refused(store: Store) -> None:
    with pytest.raises(SuppressionError, match="unknown reason 'spam'"):
        add_suppression(store, "u1", "email", "spam", now=1.0)
    with pytest.raises(SuppressionError, match="unknown channel 'sms'"):
        add_suppression(store, "u1", "sms", "manual", now=1.0)
    with pytest.raises(SuppressionError, match="not a storable user id"):
        add_suppression(store, "u\x00", "email", "manual", now=1.0)
