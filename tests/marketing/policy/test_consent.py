"""Per-channel consent: a consents row wins; email needs a recorded yes; webhook needs a
row; on-site is allowed unless withdrawn."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.marketing.policy.people import add_users

from recmind.data.schema import users
from recmind.data.store import Store
from recmind.marketing.policy.consent import (
    ConsentError,
    get_consents,
    has_consent,
    set_consent,
)


def test_defaults_without_a_consents_row(store: Store) -> None:
    add_users(store, "yes", consent_email=True)
    add_users(store, "no", consent_email=False)
    add_users(store, "unknown", consent_email=None)
    assert has_consent(store, "yes", "email")
    assert not has_consent(store, "no", "email")
    assert not has_consent(store, "unknown", "email")
    assert not has_consent(store, "nobody", "email")
    for person in ("yes", "no", "unknown", "nobody"):
        assert not has_consent(store, person, "webhook")
        assert has_consent(store, person, "onsite")
    by_channel = {c.channel: c for c in get_consents(store, "yes")}
    assert by_channel["email"].source == "profile"
    assert by_channel["webhook"].source == "default"


def test_a_consents_row_wins_and_email_updates_the_profile(store: Store) -> None:
    add_users(store, "u1", consent_email=True)
    set_consent(store, "u1", "email", False, now=5.0, source="preference centre")
    assert not has_consent(store, "u1", "email")
    with store.engine.connect() as connection:
        assert connection.execute(select(users.c.consent_email)).scalar_one() is False
    set_consent(store, "u1", "webhook", True, now=6.0)
    set_consent(store, "u1", "onsite", False, now=7.0)
    assert has_consent(store, "u1", "webhook")
    assert not has_consent(store, "u1", "onsite")
    email = next(c for c in get_consents(store, "u1") if c.channel == "email")
    assert (email.granted, email.source, email.updated_at, email.note) == (
        False,
        "consents",
        5.0,
        "preference centre",
    )
    set_consent(store, "u1", "email", True, now=8.0)
    assert has_consent(store, "u1", "email")


def test_consent_for_a_person_without_a_profile_is_kept(store: Store) -> None:
    set_consent(store, "later", "email", True, now=1.0)
    assert has_consent(store, "later", "email")


def test_an_unknown_channel_is_refused(store: Store) -> None:
    with pytest.raises(ConsentError, match="unknown channel 'sms'"):
        set_consent(store, "u1", "sms", True, now=1.0)
    with pytest.raises(ConsentError):
        has_consent(store, "u1", "*")
    with pytest.raises(ConsentError, match="not storable"):
        set_consent(store, "u\x00", "email", True, now=1.0)
