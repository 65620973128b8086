"""Taking one step of one enrolment: what each kind of step does and where it leads.

A step returns :class:`Go` (on to another step at once), :class:`Wait` (due again at a
moment) or :class:`End`. Waits are two-phase: reaching a ``wait`` or ``wait_for_event``
step records it as ``started`` in the context and sets the moment it is due; when that
moment comes the step is passed. All moments are counted from the moment the enrolment's
current step fell due (``base``), so a worker that runs late keeps the journey's schedule.

``wait_for_event`` counts the events since ``waiting_since``: the moment the person
entered, or the end of their previous ``wait_for_event`` (so a purchase made during an
earlier ``wait`` still counts for the abandoned-cart check that follows it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from sqlalchemy import exists, literal, select, update

from recmind.data.schema import events, users
from recmind.data.store import Store
from recmind.marketing.journeys.definition import (
    EXIT,
    Branch,
    ConditionStep,
    ExitStep,
    JourneyDefinition,
    RandomSplitStep,
    SendStep,
    Step,
    UpdateAttributeStep,
    WaitForEventStep,
    WaitStep,
)
from recmind.marketing.journeys.localtime import next_local_time, zone
from recmind.marketing.journeys.scheduler import Claimed, write_transaction
from recmind.marketing.messages import MessageComposer, MessageRequest, journey_key
from recmind.marketing.segments.compiler import RulesOf, compile_rule
from recmind.marketing.segments.rules import parse_rule


@dataclass(frozen=True)
class Go:
    next: str


@dataclass(frozen=True)
class Wait:
    until: float


@dataclass(frozen=True)
class End:
    state: str  # completed | exited
    reason: str


Outcome = Go | Wait | End


class ExperimentAssigner(Protocol):
    """Chooses a ``random_split`` branch for a person (the experiment engine of the next
    issue plugs in here); the index of the branch."""

    def __call__(self, experiment: str, user_id: str, branches: Sequence[Branch]) -> int: ...


def stable_branch(salt: str, user_id: str, branches: Sequence[Branch]) -> int:
    """A branch by weight from a hash of ``salt`` and the person: the same person always
    gets the same branch of the same split, and the shares follow the weights."""
    digest = hashlib.sha256(f"{salt}\x1f{user_id}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64 * sum(b.weight for b in branches)
    for index, branch in enumerate(branches):
        point -= branch.weight
        if point < 0:
            return index
    return len(branches) - 1


@dataclass
class Run:
    """One enrolment being advanced: where it is, and what its steps need."""

    store: Store
    claimed: Claimed
    definition: JourneyDefinition
    composer: MessageComposer
    now: float
    default_timezone: str
    rules_of: Callable[[], RulesOf]
    assigner: ExperimentAssigner | None = None
    waiting_since: float = 0.0
    context: dict[str, Any] = field(default_factory=dict)
    _profile: tuple[str | None] | None = None

    @property
    def base(self) -> float:
        return min(self.claimed.due_at, self.now)

    def timezone(self) -> Any:
        if self._profile is None:
            with self.store.engine.connect() as connection:
                tz = connection.execute(
                    select(users.c.timezone).where(users.c.user_id == self.claimed.user_id)
                ).scalar()
            self._profile = (tz,)
        return zone(self._profile[0], self.default_timezone)

    def after(self, step_id: str, target: str | None = None) -> Go:
        return Go(target or self.definition.following(step_id))


def _wait(step: WaitStep, run: Run) -> Outcome:
    if run.context.get("started") == step.id:
        return run.after(step.id)
    until = run.base + (step.duration or 0.0)
    if step.until:
        until = next_local_time(until, step.until, run.timezone())
    return Wait(until)


def _event_since(run: Run, step: WaitForEventStep) -> bool:
    tests = [
        events.c.user_id == run.claimed.user_id,
        events.c.event_type == step.event,
        events.c.timestamp > run.waiting_since,
        events.c.timestamp <= run.now,
    ]
    if step.same_item:
        tests.append(events.c.item_id == run.context.get("trigger_item"))
    with run.store.engine.connect() as connection:
        return bool(connection.execute(select(exists().where(*tests))).scalar())


def _wait_for_event(step: WaitForEventStep, run: Run) -> Outcome:
    started = run.context.get("started") == step.id
    deadline = float(run.context.get("deadline", 0.0)) if started else run.base + step.timeout
    if _event_since(run, step):
        run.waiting_since = run.now
        return run.after(step.id, step.on_event)
    if started and run.now >= deadline:
        run.waiting_since = run.now
        return run.after(step.id, step.on_timeout)
    run.context["deadline"] = deadline
    return Wait(deadline)


def _condition(step: ConditionStep, run: Run) -> Outcome:
    rule = parse_rule(step.rule)
    members = compile_rule(
        rule, as_of=run.now, dialect=run.store.dialect, rules_of=run.rules_of()
    ).subquery("members")
    query = select(literal(1)).select_from(members).where(members.c.user_id == run.claimed.user_id)
    with run.store.engine.connect() as connection:
        matches = connection.execute(query.limit(1)).first() is not None
    return run.after(step.id, step.then if matches else step.otherwise)


def _random_split(step: RandomSplitStep, run: Run) -> Outcome:
    user = run.claimed.user_id
    if step.experiment and run.assigner is not None:
        index = run.assigner(step.experiment, user, step.branches)
    else:
        salt = step.experiment or f"{run.claimed.journey_id}:{step.id}"
        index = stable_branch(salt, user, step.branches)
    return run.after(step.id, step.branches[index].next)


def _send(step: SendStep, run: Run) -> Outcome:
    claimed = run.claimed
    slot = step.recommendations
    request = MessageRequest(
        idempotency_key=journey_key(claimed.journey_id, claimed.enrolment_id, step.id),
        user_id=claimed.user_id,
        channel=step.channel,
        source_kind="journey",
        source_id=claimed.journey_id,
        template=step.template,
        recommendation_source=slot.source,
        recommendation_count=slot.count,
        in_stock_only=slot.in_stock_only,
        trigger_item=run.context.get("trigger_item"),
        enrolment_id=claimed.enrolment_id,
        step_id=step.id,
        context=dict(run.context),
        copy=step.copy_options,
    )
    run.composer(request, now=run.now)
    return run.after(step.id)


def _update_attribute(step: UpdateAttributeStep, run: Run) -> Outcome:
    value: Any = step.value
    if value == "{now}":
        value = dt.datetime.fromtimestamp(run.now, dt.UTC).isoformat().replace("+00:00", "Z")
    user = users.c.user_id == run.claimed.user_id
    with write_transaction(run.store) as connection:
        stored = connection.execute(select(users.c.attributes).where(user)).first()
        if stored is not None:
            attributes = orjson.loads(stored[0]) if stored[0] else {}
            attributes = attributes if isinstance(attributes, dict) else {}
            attributes[step.attribute] = value
            text = orjson.dumps(attributes, option=orjson.OPT_SORT_KEYS).decode()
            connection.execute(update(users).where(user).values(attributes=text))
    return run.after(step.id)


def take(step: Step, run: Run) -> Outcome:
    """Take ``step`` for the enrolment of ``run``."""
    if isinstance(step, WaitStep):
        return _wait(step, run)
    if isinstance(step, WaitForEventStep):
        return _wait_for_event(step, run)
    if isinstance(step, ConditionStep):
        return _condition(step, run)
    if isinstance(step, RandomSplitStep):
        return _random_split(step, run)
    if isinstance(step, SendStep):
        return _send(step, run)
    if isinstance(step, UpdateAttributeStep):
        return _update_attribute(step, run)
    if isinstance(step, ExitStep):
        return End("completed", EXIT)
    raise TypeError(f"unknown step {step!r}")
