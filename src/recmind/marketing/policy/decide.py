"""The send-time decision for an outbox message: send it, hold it back, or skip it for good.

:func:`decide` (one message) and :func:`decide_many` (a batch, set-based: a handful of
queries whatever the batch size) apply the rules in this order, the first that says no wins:

1. **the person**: erased (their tombstone is at or after the message was written) ->
   ``Skip("erased")``; no profile row -> ``Skip("unknown_person")`` (every event writer
   creates the row of a person it sees, so a message to an id without one is a mistake);
2. **suppression** on the channel or ``*`` -> ``Skip("suppressed:<reason>")``;
3. **consent** for the channel (:mod:`recmind.marketing.policy.consent`) ->
   ``Skip("no_consent")``;
4. **holdout** (:mod:`recmind.marketing.policy.holdout`) -> ``Skip("holdout")``;
5. **caps** (:mod:`recmind.marketing.policy.caps`) -> ``Skip("cap:<cap>")``, e.g.
   ``cap:email:2/1d``: a capped message is dropped, since sending it later would still be
   pressure the person did not ask for; when the cap is reached only counting older messages
   another worker is delivering right now -> ``Defer(now + 30 s, "cap_in_flight")``;
6. **quiet hours** in the person's time zone -> ``Defer(until=<their end>, "quiet_hours")``:
   never dropped; the same message is decided again at ``until``. On-site messages are not
   held back: they are shown only while the person is on the site.

**Test sends** (``source_kind == "test"``: a marketer's preview sent to a real profile)
skip the holdout, caps and quiet hours (they are not marketing pressure, and a test that
waits until morning tests nothing) but never erasure, suppression or consent: nobody who said
no gets a test either. Test sends are also not counted against anyone's caps.

Every skip reason is a short code the outbox stores in ``skip_reason`` and the reports group
by. A quiet-hours deferral is recorded as a ``deferred`` message event (once per message)
unless ``record=False``, so reports can say how many messages quiet hours held back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from recmind.config import Settings
from recmind.data.store import Store
from recmind.data.write_lock import write_lock
from recmind.marketing.policy.caps import parse_caps
from recmind.marketing.policy.consent import default_consent
from recmind.marketing.policy.facts import PeopleFacts
from recmind.marketing.policy.holdout import in_holdout
from recmind.marketing.policy.quiet_hours import next_allowed, resolve_zone
from recmind.marketing.tracking.events import MessageEvent, record_events_in

QUIET_HOURS = "quiet_hours"
ERASED = "erased"
UNKNOWN_PERSON = "unknown_person"
NO_CONSENT = "no_consent"
HOLDOUT = "holdout"
SUPPRESSED_PREFIX = "suppressed:"
CAP_PREFIX = "cap:"
CAP_IN_FLIGHT = "cap_in_flight"
CAP_IN_FLIGHT_WAIT = 30.0
"""Seconds a message waits while another worker's message to the same person, which
together with it would break a cap, is being delivered."""


@dataclass(frozen=True)
class Send:
    """Deliver now."""


@dataclass(frozen=True)
class Defer:
    """Not now: decide again at ``until`` (epoch seconds)."""

    until: float
    reason: str


@dataclass(frozen=True)
class Skip:
    """Never deliver this message; ``reason`` says which rule refused it."""

    reason: str


Decision = Send | Defer | Skip


def _one(row: Mapping[str, Any], facts: PeopleFacts, settings: Settings, now: float) -> Decision:
    user_id = str(row["user_id"])
    channel = str(row["channel"])
    is_test = row.get("source_kind") == "test"
    erased_at = facts.erased.get(user_id)
    created_at = row.get("created_at")
    if erased_at is not None and (created_at is None or float(created_at) <= erased_at):
        return Skip(ERASED)
    profile = facts.profiles.get(user_id)
    if profile is None:
        return Skip(UNKNOWN_PERSON)
    suppressed = facts.suppression(user_id, channel)
    if suppressed is not None:
        return Skip(SUPPRESSED_PREFIX + suppressed.reason)
    granted = facts.consents.get((user_id, channel))
    if granted is None:
        granted = default_consent(channel, profile.consent_email)
    if not granted:
        return Skip(NO_CONSENT)
    if is_test:
        return Send()
    if in_holdout(user_id, settings):
        return Skip(HOLDOUT)
    order = (float(created_at or 0.0), str(row["message_id"]))
    reached = facts.caps.check(user_id, channel, order)
    if reached is not None:
        if reached.settled:
            return Skip(CAP_PREFIX + reached.cap.text)
        return Defer(now + CAP_IN_FLIGHT_WAIT, CAP_IN_FLIGHT)
    if channel != "onsite":
        marketing = settings.marketing
        zone = resolve_zone(profile.timezone, marketing.default_timezone)
        until = next_allowed(now, zone, marketing.quiet_start_hour, marketing.quiet_end_hour)
        if until is not None:
            return Defer(until, QUIET_HOURS)
    facts.caps.record(user_id, channel)
    return Send()


def decide_many(
    store: Store,
    settings: Settings,
    rows: Sequence[Mapping[str, Any]],
    *,
    now: float,
    record: bool = True,
) -> list[Decision]:
    """One decision per outbox row (mappings with ``message_id``, ``user_id``, ``channel``,
    ``source_kind`` and ``created_at``), in order. Messages let through earlier in the list
    count against the caps of later ones, so pass a person's messages oldest first."""
    if not rows:
        return []
    caps = parse_caps(settings.marketing.caps)
    with store.engine.connect() as connection:
        facts = PeopleFacts.load(
            connection,
            [str(r["user_id"]) for r in rows],
            secret=settings.api.secret,
            caps=caps,
            now=now,
            deciding=[str(r["message_id"]) for r in rows],
        )
    decisions = [_one(row, facts, settings, now) for row in rows]
    if record:
        deferred = [
            MessageEvent(str(row["message_id"]), str(row["user_id"]), "deferred", now)
            for row, decision in zip(rows, decisions, strict=True)
            if isinstance(decision, Defer) and decision.reason == QUIET_HOURS
        ]
        if deferred:
            with write_lock(store), store.engine.begin() as connection:
                record_events_in(connection, deferred)
    return decisions


def decide(
    store: Store,
    settings: Settings,
    message_row: Mapping[str, Any],
    *,
    now: float,
    record: bool = True,
) -> Decision:
    """The decision for one outbox row (see the module docstring for the rules' order)."""
    return decide_many(store, settings, [message_row], now=now, record=record)[0]
