"""Advancing enrolments step by step on a real store (SQLite and PostgreSQL), with a
recording composer: every kind of step, goals, leaving on unsubscription and erasure, the
version a person entered with, failures retried then given up."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import insert, select
from tests.marketing.journeys.runtime_helpers import (
    DAY,
    HOUR,
    T0,
    RecordingComposer,
    enrolled,
    event,
    journey,
    suppress,
    user,
)

from recmind.config import Settings
from recmind.data.schema import tombstones, users
from recmind.data.store import Store
from recmind.data.tombstones import subject_of
from recmind.marketing.journeys.definition import Branch
from recmind.marketing.journeys.engine import advance_due, wake_waiting
from recmind.marketing.journeys.repository import set_status
from recmind.marketing.journeys.steps import stable_branch
from recmind.marketing.journeys.triggers import scan_triggers
from recmind.marketing.messages import journey_key

CART = {
    "id": "cart",
    "trigger": {"type": "event", "event": "add_to_cart"},
    "entry": {"mode": "every_time"},
    "goal": {"event": "signup"},
    "steps": [
        {"id": "pause", "type": "wait", "duration": "1h"},
        {
            "id": "bought",
            "type": "wait_for_event",
            "event": "purchase",
            "timeout": "3h",
            "same_item": True,
            "on_event": "exit",
        },
        {
            "id": "remind",
            "type": "send",
            "channel": "email",
            "template": "cart_abandonment",
            "recommendations": {"source": "trigger_item", "count": 3},
        },
    ],
}


def _advance(store: Store, settings: Settings, composer: RecordingComposer, now: float) -> int:
    return advance_due(store, settings, composer, worker_id="w1", now=now, limit=100)


def _enter(store: Store, settings: Settings, name: str = "u1", at: float = T0 + 10) -> None:
    user(store, name)
    event(store, name, "add_to_cart", at, "i1")
    assert scan_triggers(store, settings, now=at + 1) >= 1


def test_cart_abandonment_sends_after_the_wait(store: Store, settings: Settings) -> None:
    journey(store, CART)
    _enter(store, settings)
    composer = RecordingComposer()
    assert _advance(store, settings, composer, T0 + 11) == 1
    (row,) = enrolled(store)
    assert (row["step_id"], row["due_at"], row["claimed_by"]) == ("pause", T0 + 10 + HOUR, None)
    assert _advance(store, settings, composer, T0 + 10 + HOUR - 1) == 0  # not due yet
    assert _advance(store, settings, composer, T0 + 10 + HOUR) == 1
    assert enrolled(store)[0]["step_id"] == "bought" and not composer.requests
    event(store, "u1", "purchase", T0 + 2 * HOUR, "other-item")  # not the cart's item
    assert _advance(store, settings, composer, T0 + 10 + 4 * HOUR) == 1
    (request,) = composer.requests
    (row,) = enrolled(store)
    assert request.idempotency_key == journey_key("cart", row["enrolment_id"], "remind")
    assert (request.user_id, request.channel, request.template) == (
        "u1",
        "email",
        "cart_abandonment",
    )
    assert (request.trigger_item, request.recommendation_source) == ("i1", "trigger_item")
    assert (request.recommendation_count, request.source_kind, request.source_id) == (
        3,
        "journey",
        "cart",
    )
    assert (row["state"], row["exit_reason"]) == ("completed", "end")


def test_a_purchase_first_means_no_reminder(store: Store, settings: Settings) -> None:
    journey(store, CART)
    _enter(store, settings)
    composer = RecordingComposer()
    _advance(store, settings, composer, T0 + 11)
    event(store, "u1", "purchase", T0 + 30 * 60, "i1")  # during the first wait
    _advance(store, settings, composer, T0 + 10 + HOUR)
    (row,) = enrolled(store)
    assert (row["state"], row["exit_reason"], composer.requests) == ("completed", "end", [])


def test_awaited_event_wakes_the_enrolment_at_once(store: Store, settings: Settings) -> None:
    journey(store, CART)
    _enter(store, settings)
    composer = RecordingComposer()
    _advance(store, settings, composer, T0 + 11)
    _advance(store, settings, composer, T0 + 10 + HOUR)  # now waiting for a purchase
    assert wake_waiting(store, now=T0 + 2 * HOUR) == 0
    event(store, "u1", "purchase", T0 + 2 * HOUR, "i1")
    assert wake_waiting(store, now=T0 + 2 * HOUR + 1) == 1
    assert _advance(store, settings, composer, T0 + 2 * HOUR + 1) == 1
    assert enrolled(store)[0]["state"] == "completed" and not composer.requests


def test_goal_ends_the_journey(store: Store, settings: Settings) -> None:
    journey(store, CART)
    _enter(store, settings)
    composer = RecordingComposer()
    _advance(store, settings, composer, T0 + 11)
    event(store, "u1", "signup", T0 + 20, None)
    assert wake_waiting(store, now=T0 + 30) == 1
    _advance(store, settings, composer, T0 + 30)
    (row,) = enrolled(store)
    assert (row["state"], row["exit_reason"], row["ended_at"]) == ("exited", "goal", T0 + 30)


def test_unsubscribed_and_erased_people_leave(store: Store, settings: Settings) -> None:
    journey(store, CART)
    for name in ("all", "email", "erased", "stays"):
        _enter(store, settings, name)
    composer = RecordingComposer()
    _advance(store, settings, composer, T0 + 11)
    suppress(store, "all", "*")
    suppress(store, "email", "email")  # the journey's only channel
    with store.engine.begin() as connection:
        subject = subject_of("erased", settings.api.secret)
        connection.execute(insert(tombstones).values(subject=subject, erased_at=T0 + 20))
    _advance(store, settings, composer, T0 + 10 + HOUR)
    reasons = {r["user_id"]: (r["state"], r["exit_reason"]) for r in enrolled(store)}
    assert reasons == {
        "all": ("exited", "unsubscribed"),
        "email": ("exited", "unsubscribed"),
        "erased": ("exited", "erased"),
        "stays": ("active", None),
    }


def test_each_enrolment_runs_the_version_it_entered(store: Store, settings: Settings) -> None:
    steps = [{"id": "hi", "type": "send", "channel": "email", "template": "welcome"}]
    base = {"id": "w", "trigger": {"type": "event", "event": "signup"}, "steps": steps}
    journey(store, base)
    user(store, "old")
    event(store, "old", "signup", T0 + 5, None)
    scan_triggers(store, settings, now=T0 + 6)
    steps2 = [{**steps[0], "template": "welcome_v2"}]
    journey(store, {**base, "steps": steps2}, now=T0 + 7)
    user(store, "new")
    event(store, "new", "signup", T0 + 8, None)
    scan_triggers(store, settings, now=T0 + 9)
    composer = RecordingComposer()
    _advance(store, settings, composer, T0 + 10)
    templates = {r.user_id: r.template for r in composer.requests}
    assert templates == {"old": "welcome", "new": "welcome_v2"}
    assert {r["user_id"]: r["version"] for r in enrolled(store)} == {"old": 1, "new": 2}


def _steps_journey(store: Store, steps: list[dict[str, Any]]) -> None:
    journey(store, {"id": "s", "trigger": {"type": "event", "event": "signup"}, "steps": steps})


def _signup(store: Store, settings: Settings, name: str, **profile: Any) -> None:
    user(store, name, **profile)
    event(store, name, "signup", T0 + 5, None)
    scan_triggers(store, settings, now=T0 + 6)


def test_wait_until_a_local_time(store: Store, settings: Settings) -> None:
    _steps_journey(
        store,
        [
            {"id": "morning", "type": "wait", "duration": "1h", "until": "09:30"},
            {"id": "hi", "type": "send", "channel": "email", "template": "welcome"},
        ],
    )
    _signup(store, settings, "tokyo", timezone="Asia/Tokyo")
    _advance(store, settings, RecordingComposer(), T0 + 6)
    # entered 2027-01-15 17:00 in Tokyo; one hour, then the next 09:30 there
    expected = dt.datetime(2027, 1, 16, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo")).timestamp()
    assert enrolled(store)[0]["due_at"] == expected


def test_condition_split_and_attribute_update(store: Store, settings: Settings) -> None:
    _steps_journey(
        store,
        [
            {
                "id": "vip",
                "type": "condition",
                "rule": {"field": "attributes.tier", "op": "=", "value": "gold"},
                "then": "mark",
                "otherwise": "plain",
            },
            {"id": "mark", "type": "update_attribute", "attribute": "welcomed", "value": "{now}"},
            {"id": "gold", "type": "send", "channel": "email", "template": "gold", "next": "exit"},
            {"id": "plain", "type": "send", "channel": "email", "template": "plain"},
        ],
    )
    _signup(store, settings, "g", attributes={"tier": "gold"})
    _signup(store, settings, "p", attributes={"tier": "tin"})
    composer = RecordingComposer()
    _advance(store, settings, composer, T0 + 7)
    assert {r.user_id: r.template for r in composer.requests} == {"g": "gold", "p": "plain"}
    with store.engine.connect() as connection:
        stored = dict(connection.execute(select(users.c.user_id, users.c.attributes)).all())
    assert orjson.loads(stored["g"]) == {"tier": "gold", "welcomed": "2027-01-15T08:00:07Z"}
    assert orjson.loads(stored["p"]) == {"tier": "tin"}


def test_random_split_is_stable_and_follows_the_weights(store: Store, settings: Settings) -> None:
    branches = [Branch(weight=3, next="a"), Branch(weight=1, next="b")]
    picks = [stable_branch("salt", f"u{n}", branches) for n in range(4000)]
    assert abs(picks.count(0) / 4000 - 0.75) < 0.03
    assert picks == [stable_branch("salt", f"u{n}", branches) for n in range(4000)]
    _steps_journey(
        store,
        [
            {
                "id": "ab",
                "type": "random_split",
                "branches": [{"weight": 1, "next": "a"}, {"weight": 1, "next": "b"}],
            },
            {"id": "a", "type": "send", "channel": "email", "template": "a", "next": "exit"},
            {"id": "b", "type": "send", "channel": "email", "template": "b"},
        ],
    )
    for n in range(20):
        _signup(store, settings, f"u{n}")
    composer = RecordingComposer()
    _advance(store, settings, composer, T0 + 7)
    halves = [Branch(weight=1, next="a"), Branch(weight=1, next="b")]
    split = [stable_branch("s:ab", f"u{n}", halves) for n in range(20)]
    got = {r.user_id: r.template for r in composer.requests}
    assert got == {f"u{n}": "ab"[split[n]] for n in range(20)}
    assert set(got.values()) == {"a", "b"}


def test_experiment_assigner_seam(store: Store, settings: Settings) -> None:
    _steps_journey(
        store,
        [
            {
                "id": "ab",
                "type": "random_split",
                "experiment": "subject-lines",
                "branches": [{"weight": 1, "next": "a"}, {"weight": 1, "next": "b"}],
            },
            {"id": "a", "type": "send", "channel": "email", "template": "a", "next": "exit"},
            {"id": "b", "type": "send", "channel": "email", "template": "b"},
        ],
    )
    _signup(store, settings, "u1")
    asked: list[tuple[str, str]] = []

    def assigner(experiment: str, user_id: str, branches: Any) -> int:
        asked.append((experiment, user_id))
        return 1

    composer = RecordingComposer()
    advance_due(store, settings, composer, worker_id="w", now=T0 + 7, limit=10, assigner=assigner)
    assert asked == [("subject-lines", "u1")] and composer.requests[0].template == "b"


def test_failures_are_retried_then_given_up(store: Store, settings: Settings) -> None:
    settings.marketing.max_attempts = 2
    _steps_journey(store, [{"id": "hi", "type": "send", "channel": "email", "template": "x"}])
    _signup(store, settings, "u1")
    broken = RecordingComposer(fail=True)
    _advance(store, settings, broken, T0 + 7)
    (row,) = enrolled(store)
    assert row["state"] == "active" and row["context"]["errors"] == 1
    assert row["due_at"] == T0 + 7 + settings.marketing.retry_base_seconds
    _advance(store, settings, broken, T0 + DAY)
    (row,) = enrolled(store)
    assert row["state"] == "exited" and "template exploded" in row["exit_reason"]


def test_paused_journey_holds_its_people(store: Store, settings: Settings) -> None:
    _steps_journey(store, [{"id": "hi", "type": "send", "channel": "email", "template": "x"}])
    _signup(store, settings, "u1")
    set_status(store, "s", "paused")
    composer = RecordingComposer()
    assert _advance(store, settings, composer, T0 + DAY) == 0
    set_status(store, "s", "active")
    assert _advance(store, settings, composer, T0 + DAY) == 1
    assert len(composer.requests) == 1
