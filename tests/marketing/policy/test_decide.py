"""The send-time decision: every rule stops what it should, in the documented order; test
sends bypass holdout, caps and quiet hours but never suppression or consent."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from tests.marketing.policy.people import (
    SECRET,
    add_users,
    message_row,
    policy_settings,
    write_messages,
)

from recmind.data.schema import message_events, tombstones
from recmind.data.store import Store
from recmind.data.tombstones import subject_of
from recmind.marketing.policy.consent import set_consent
from recmind.marketing.policy.decide import Defer, Send, Skip, decide, decide_many
from recmind.marketing.policy.holdout import in_holdout
from recmind.marketing.policy.suppression import add_suppression, remove_suppression

NOON = datetime(2024, 6, 1, 12, tzinfo=ZoneInfo("UTC")).timestamp()


def test_a_person_with_consent_and_nothing_against_gets_the_message(store: Store) -> None:
    add_users(store, "u1")
    settings = policy_settings(caps=["email:2/1d"], holdout_percent=0.0)
    assert decide(store, settings, message_row("u1"), now=NOON) == Send()


def test_consent_is_required(store: Store) -> None:
    add_users(store, "no", consent_email=False)
    add_users(store, "unknown", consent_email=None)
    settings = policy_settings()
    for person in ("no", "unknown"):
        assert decide(store, settings, message_row(person), now=NOON) == Skip("no_consent")
        assert decide(store, settings, message_row(person, channel="webhook"), now=NOON) == Skip(
            "no_consent"
        )
        assert decide(store, settings, message_row(person, channel="onsite"), now=NOON) == Send()
    set_consent(store, "no", "webhook", True, now=1.0)
    assert decide(store, settings, message_row("no", channel="webhook"), now=NOON) == Send()
    set_consent(store, "no", "onsite", False, now=1.0)
    assert decide(store, settings, message_row("no", channel="onsite"), now=NOON) == Skip(
        "no_consent"
    )


def test_suppression_outranks_consent_and_lifting_it_restores_sending(store: Store) -> None:
    add_users(store, "u1", "u2")
    settings = policy_settings()
    add_suppression(store, "u1", "email", "unsubscribed", now=1.0)
    add_suppression(store, "u2", "*", "complained", now=1.0)
    assert decide(store, settings, message_row("u1"), now=NOON) == Skip("suppressed:unsubscribed")
    assert decide(store, settings, message_row("u1", channel="onsite"), now=NOON) == Send()
    for channel in ("email", "webhook", "onsite"):
        row = message_row("u2", channel=channel)
        assert decide(store, settings, row, now=NOON) == Skip("suppressed:complained")
    remove_suppression(store, "u1", "email")
    assert decide(store, settings, message_row("u1"), now=NOON) == Send()


def test_erased_and_unknown_people_get_nothing(store: Store) -> None:
    add_users(store, "kept")
    settings = policy_settings()
    with store.engine.begin() as connection:
        connection.execute(
            insert(tombstones).values(subject=subject_of("gone", SECRET), erased_at=2_000.0)
        )
    assert decide(store, settings, message_row("gone", created_at=1_500.0), now=NOON) == Skip(
        "erased"
    )
    # A message written after the erasure, to an id that has no profile again: unknown.
    assert decide(store, settings, message_row("gone", created_at=3_000.0), now=NOON) == Skip(
        "unknown_person"
    )
    assert decide(store, settings, message_row("stranger"), now=NOON) == Skip("unknown_person")
    assert decide(store, settings, message_row("kept"), now=NOON) == Send()


def test_the_holdout_gets_no_marketing_message(store: Store) -> None:
    people = [f"h{n}" for n in range(400)]
    add_users(store, *people)
    settings = policy_settings(holdout_percent=10.0)
    rows = [message_row(p) for p in people]
    decisions = decide_many(store, settings, rows, now=NOON)
    held = [p for p in people if in_holdout(p, settings)]
    assert 10 < len(held) < 80
    for person, decision in zip(people, decisions, strict=True):
        expected = Skip("holdout") if person in held else Send()
        assert decision == expected, person
    # on every channel
    row = message_row(held[0], channel="onsite")
    assert decide(store, settings, row, now=NOON) == Skip("holdout")


def test_caps_count_the_outbox_and_the_batch(store: Store) -> None:
    add_users(store, "u1", "u2")
    settings = policy_settings(caps=["email:2/1d", "*:3/7d"])
    write_messages(store, message_row("u1", status="sent", sent_at=NOON - 3600))
    batch = [message_row("u1"), message_row("u1"), message_row("u1", channel="onsite")]
    batch += [message_row("u2", channel="onsite") for _ in range(4)]
    decisions = decide_many(store, settings, batch, now=NOON)
    assert decisions == [
        Send(),
        Skip("cap:email:2/1d"),
        Send(),
        Send(),
        Send(),
        Send(),
        Skip("cap:*:3/7d"),
    ]
    # A day later the daily cap has room again; the weekly one does not.
    write_messages(store, message_row("u1", status="sent", sent_at=NOON - 60))
    later = NOON + 86400
    assert decide(store, settings, message_row("u1"), now=later) == Send()
    write_messages(store, message_row("u1", status="sent", sent_at=NOON))
    assert decide(store, settings, message_row("u1"), now=later) == Skip("cap:*:3/7d")


def test_quiet_hours_defer_to_the_persons_local_morning(store: Store) -> None:
    add_users(store, "tokyo", timezone="Asia/Tokyo")
    add_users(store, "nowhere", timezone="Not/AZone")
    add_users(store, "paris", timezone="Europe/Paris")
    settings = policy_settings(quiet_start_hour=21, quiet_end_hour=8, default_timezone="UTC")
    # 14:00 UTC is 23:00 in Tokyo, 16:00 in Paris, 14:00 for the unknown zone (UTC).
    now = datetime(2024, 6, 1, 14, tzinfo=ZoneInfo("UTC")).timestamp()
    tokyo = decide(store, settings, message_row("tokyo"), now=now)
    morning = datetime(2024, 6, 2, 8, tzinfo=ZoneInfo("Asia/Tokyo")).timestamp()
    assert tokyo == Defer(morning, "quiet_hours")
    assert decide(store, settings, message_row("paris"), now=now) == Send()
    assert decide(store, settings, message_row("nowhere"), now=now) == Send()
    assert decide(store, settings, message_row("tokyo", channel="onsite"), now=now) == Send()
    # at the end of quiet hours the same message goes
    assert decide(store, settings, message_row("tokyo"), now=morning) == Send()


def test_a_deferral_is_recorded_once_per_message(store: Store) -> None:
    add_users(store, "u1", timezone="Asia/Tokyo")
    settings = policy_settings(quiet_start_hour=21, quiet_end_hour=8)
    now = datetime(2024, 6, 1, 23, tzinfo=ZoneInfo("Asia/Tokyo")).timestamp()
    row = message_row("u1")
    for moment in (now, now + 60):
        assert isinstance(decide(store, settings, row, now=moment), Defer)
    decide(store, settings, message_row("u1"), now=now, record=False)
    with store.engine.connect() as connection:
        kinds = connection.execute(select(message_events.c.message_id, message_events.c.kind)).all()
    assert kinds == [(row["message_id"], "deferred")]


def test_test_sends_skip_holdout_caps_and_quiet_hours_but_not_consent(store: Store) -> None:
    people = [f"t{n}" for n in range(200)]
    add_users(store, *people, timezone="Asia/Tokyo")
    settings = policy_settings(
        holdout_percent=20.0, caps=["email:0/1d"], quiet_start_hour=0, quiet_end_hour=23
    )
    held = next(p for p in people if in_holdout(p, settings))
    for person in (held, people[0]):
        row = message_row(person, source_kind="test")
        assert decide(store, settings, row, now=NOON) == Send()
        assert decide(store, settings, message_row(person), now=NOON) != Send()
    set_consent(store, held, "email", False, now=1.0)
    add_suppression(store, people[0], "email", "bounced", now=1.0)
    assert decide(store, settings, message_row(held, source_kind="test"), now=NOON) == Skip(
        "no_consent"
    )
    assert decide(store, settings, message_row(people[0], source_kind="test"), now=NOON) == Skip(
        "suppressed:bounced"
    )


def test_rule_order(store: Store) -> None:
    """Suppressed and without consent: the suppression is the reason; held out and capped:
    the holdout is."""
    people = [f"o{n}" for n in range(200)]
    add_users(store, *people, consent_email=False)
    settings = policy_settings(holdout_percent=30.0, caps=["email:0/1d"])
    add_suppression(store, people[0], "email", "manual", now=1.0)
    assert decide(store, settings, message_row(people[0]), now=NOON) == Skip("suppressed:manual")
    held = next(p for p in people if in_holdout(p, settings))
    set_consent(store, held, "email", True, now=1.0)
    assert decide(store, settings, message_row(held), now=NOON) == Skip("holdout")


def test_a_message_another_worker_is_delivering_counts_against_the_cap(store: Store) -> None:
    """Two workers deciding for one person at once cannot together break a cap: the second
    waits for the first's outcome."""
    add_users(store, "u1")
    settings = policy_settings(caps=["email:1/1d"])
    theirs = message_row("u1", status="sending", created_at=1_000.0)
    theirs["claimed_by"], theirs["claimed_until"] = "other-worker", NOON + 60
    mine = message_row("u1", status="sending", created_at=2_000.0)
    mine["claimed_by"], mine["claimed_until"] = "me", NOON + 60
    write_messages(store, theirs, mine)
    decision = decide(store, settings, mine, now=NOON)
    assert decision == Defer(NOON + 30.0, "cap_in_flight")
    # the older message does not wait for the younger one: no two waiting for each other
    assert decide(store, settings, theirs, now=NOON) == Send()
    # their claim expired (a dead worker): it no longer holds anyone back
    assert decide(store, settings, mine, now=NOON + 61) == Send()
    # a batch holding both is one decider: the first goes, the second is capped
    assert decide_many(store, settings, [theirs, mine], now=NOON) == [
        Send(),
        Skip("cap:email:1/1d"),
    ]
    with store.engine.connect() as connection:
        assert connection.execute(select(message_events)).all() == []
