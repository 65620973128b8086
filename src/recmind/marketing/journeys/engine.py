"""Advancing enrolments: claim the due ones, take their steps until each waits or ends.

For each claimed enrolment, before any step: a person erased since entering, or
unsubscribed (suppressed on ``*``, or on every channel the journey sends on), leaves with
that reason; one who reached the journey's goal (an event of the goal type after entering)
leaves with ``goal``. Then steps are taken one after the other (:mod:`.steps`) with the
definition of the version the person entered, until a wait, an exit or the end, and the
new state is written in one guarded update (:func:`.scheduler.commit_state`).

A step is never taken twice: claims are exclusive, and the outcome is written only while
the claim is held at the step that was claimed. A worker that dies between a send and the
write loses its claim; the next worker takes the same step again, and the composer writes
nothing new (the outbox key is the journey, enrolment and step). A step that fails is
retried with back-off (``retry_base_seconds``, doubling) and after ``max_attempts`` the
person leaves the journey with the error.

:func:`wake_waiting` is the set-based half: people waiting whose awaited event, goal event
or unsubscription arrived are made due now, so they move on at once instead of at the end
of their wait.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import and_, exists, select, update

from recmind.config import Settings
from recmind.data.schema import enrolments, events, suppressions
from recmind.data.store import Store
from recmind.data.tombstones import erased_at
from recmind.marketing.journeys.definition import EXIT, JourneyDefinition, SendStep
from recmind.marketing.journeys.repository import get_journey
from recmind.marketing.journeys.scheduler import (
    Claimed,
    claim_due,
    commit_state,
    write_transaction,
)
from recmind.marketing.journeys.steps import (
    End,
    ExperimentAssigner,
    Go,
    Run,
    Wait,
    take,
)
from recmind.marketing.messages import MessageComposer
from recmind.marketing.segments.compiler import RulesOf
from recmind.marketing.segments.repository import rules_lookup
from recmind.marketing.segments.sql_fields import json_value

__all__ = ["ExperimentAssigner", "advance_due", "definition_of", "wake_waiting"]

logger = logging.getLogger(__name__)

MAX_STEPS = 100
"""Steps taken for one enrolment in one go (a journey that loops without waiting is
continued in the next round rather than holding the worker)."""

_definitions: dict[tuple[str, str, int], JourneyDefinition] = {}


def definition_of(store: Store, journey_id: str, version: int) -> JourneyDefinition:
    """The definition of one version (versions never change: read once per process)."""
    key = (store.url, journey_id, version)
    if key not in _definitions:
        _definitions[key] = get_journey(store, journey_id, version).definition
    return _definitions[key]


def _channels(definition: JourneyDefinition) -> set[str]:
    return {s.channel for s in definition.steps if isinstance(s, SendStep)}


def _leaving(store: Store, settings: Settings, claimed: Claimed, definition: Any) -> str | None:
    """Why the person leaves before any step (None: they stay)."""
    if erased_at(store, claimed.user_id, settings.api.secret) is not None:
        return "erased"
    user = claimed.user_id
    with store.engine.connect() as connection:
        suppressed = set(
            connection.execute(
                select(suppressions.c.channel).where(suppressions.c.user_id == user)
            ).scalars()
        )
        if "*" in suppressed or (_channels(definition) and _channels(definition) <= suppressed):
            return "unsubscribed"
        if definition.goal is not None:
            reached = exists().where(
                events.c.user_id == user,
                events.c.event_type == definition.goal.event,
                events.c.timestamp > claimed.entered_at,
            )
            if connection.execute(select(reached)).scalar():
                return "goal"
    return None


def _ended(state: str, reason: str, now: float) -> dict[str, Any]:
    return {"state": state, "exit_reason": reason, "ended_at": now, "due_at": None}


def _advance(run: Run, settings: Settings) -> dict[str, Any]:
    """Take the enrolment's steps; the values of its new state."""
    claimed, definition = run.claimed, run.definition
    reason = _leaving(run.store, settings, claimed, definition)
    if reason is not None:
        return _ended("exited", reason, run.now)
    step_id = claimed.step_id or EXIT
    for _ in range(MAX_STEPS):
        if step_id == EXIT:
            return _ended("completed", "end", run.now)
        try:
            step = definition.step(step_id)
        except KeyError:
            return _ended("exited", f"unknown step {step_id}", run.now)
        outcome = take(step, run)
        if isinstance(outcome, End):
            return _ended(outcome.state, outcome.reason, run.now)
        if isinstance(outcome, Wait):
            run.context["started"] = step_id
            return _state(run, step_id, outcome.until)
        assert isinstance(outcome, Go)
        run.context.pop("started", None)
        run.context.pop("deadline", None)
        step_id = outcome.next
    return _state(run, step_id, run.now)


def _state(run: Run, step_id: str, due_at: float) -> dict[str, Any]:
    run.context.pop("errors", None)
    run.context.pop("last_error", None)
    return {
        "step_id": step_id,
        "due_at": due_at,
        "waiting_since": run.waiting_since,
        "context": orjson.dumps(run.context, option=orjson.OPT_SORT_KEYS).decode(),
    }


def _failed(claimed: Claimed, error: Exception, settings: Settings, now: float) -> dict[str, Any]:
    marketing = settings.marketing
    context = dict(claimed.context)
    errors = int(context.get("errors", 0)) + 1
    if errors >= marketing.max_attempts:
        return _ended("exited", f"error: {error}"[:500], now)
    context.update(errors=errors, last_error=str(error)[:500])
    return {
        "due_at": now + marketing.retry_base_seconds * 2 ** (errors - 1),
        "context": orjson.dumps(context, option=orjson.OPT_SORT_KEYS).decode(),
    }


def advance_due(
    store: Store,
    settings: Settings,
    composer: MessageComposer,
    *,
    worker_id: str,
    now: float,
    limit: int,
    assigner: ExperimentAssigner | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """Claim up to ``limit`` due enrolments and advance each; the number advanced (their
    new state written). ``should_stop``: asked between enrolments (a worker shutting down
    finishes the current one and leaves the rest to be released)."""
    claimed = claim_due(
        store,
        worker_id=worker_id,
        now=now,
        limit=limit,
        claim_seconds=settings.marketing.claim_seconds,
    )
    rules: list[RulesOf] = []

    def rules_of() -> RulesOf:
        if not rules:
            rules.append(rules_lookup(store))
        return rules[0]

    done = 0
    for one in claimed:
        if should_stop is not None and should_stop():
            break
        run = Run(
            store=store,
            claimed=one,
            definition=definition_of(store, one.journey_id, one.version),
            composer=composer,
            now=now,
            default_timezone=settings.marketing.default_timezone,
            rules_of=rules_of,
            assigner=assigner,
            waiting_since=one.waiting_since if one.waiting_since is not None else one.entered_at,
            context=dict(one.context),
        )
        try:
            values = _advance(run, settings)
        except Exception as error:
            logger.exception("enrolment %s: step %s failed", one.enrolment_id, one.step_id)
            values = _failed(one, error, settings, now)
        with write_transaction(store) as connection:
            written = commit_state(connection, one, worker_id=worker_id, values=values)
        if written:
            done += 1
        else:
            logger.warning("enrolment %s: claim lost, outcome dropped", one.enrolment_id)
    return done


def _waiting(journey_id: str, version: int, now: float) -> Any:
    return and_(
        enrolments.c.journey_id == journey_id,
        enrolments.c.version == version,
        enrolments.c.state == "active",
        enrolments.c.due_at > now,
    )


def wake_waiting(store: Store, *, now: float) -> int:
    """Make due now the waiting enrolments whose goal event, awaited event or
    unsubscription has arrived; how many were woken."""
    user = enrolments.c.user_id
    woken = 0
    with store.engine.connect() as connection:
        running = connection.execute(
            select(enrolments.c.journey_id, enrolments.c.version)
            .where(enrolments.c.state == "active", enrolments.c.due_at > now)
            .distinct()
        ).all()
    for journey_id, version in running:
        definition = definition_of(store, journey_id, int(version))
        waiting = _waiting(journey_id, int(version), now)
        wakes = [exists().where(suppressions.c.user_id == user, suppressions.c.channel == "*")]
        if definition.goal is not None:
            wakes.append(
                exists().where(
                    events.c.user_id == user,
                    events.c.event_type == definition.goal.event,
                    events.c.timestamp > enrolments.c.entered_at,
                    events.c.timestamp <= now,
                )
            )
        statements = [update(enrolments).where(waiting, wake) for wake in wakes]
        for step in definition.steps:
            if step.type != "wait_for_event":
                continue
            tests = [
                events.c.user_id == user,
                events.c.event_type == step.event,
                events.c.timestamp > enrolments.c.waiting_since,
                events.c.timestamp <= now,
            ]
            if step.same_item:
                item = json_value(enrolments.c.context, "trigger_item", "text", store.dialect)
                tests.append(events.c.item_id == item)
            statements.append(
                update(enrolments).where(
                    waiting, enrolments.c.step_id == step.id, exists().where(*tests)
                )
            )
        with write_transaction(store) as connection:
            for statement in statements:
                woken += int(connection.execute(statement.values(due_at=now)).rowcount)
    return woken
