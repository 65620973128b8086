"""The journey format: a trigger, entry rules, a goal and a list of steps (YAML or JSON).

A journey file::

    id: cart-abandonment
    name: Cart abandonment
    trigger: {type: event, event: add_to_cart}
    entry: {mode: once_per, days: 7}
    goal: {event: purchase}              # reaching it ends the journey at once
    steps:
      - {id: pause, type: wait, duration: 1h}
      - {id: bought, type: wait_for_event, event: purchase, timeout: 3h,
         on_event: exit, on_timeout: remind}
      - {id: remind, type: send, channel: email, template: cart_abandonment,
         recommendations: {source: trigger_item, count: 3}}

Steps run in the order written unless a step names where to go (``next``, the branches of
``condition`` / ``random_split`` / ``wait_for_event``); ``exit`` (a step id or the word) ends
the enrolment. A condition is a segment rule (``recmind.marketing.segments``) evaluated for the
one person at the moment of the step. Durations are ``30m``, ``2h``, ``3d``, ``1w`` or seconds.

The models here check the *shape*; :mod:`.validate` checks references (step ids, segments,
templates, rule fields) and reports every problem with the step and field it concerns.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from recmind.marketing.copy.options import CopyOptions

EXIT = "exit"
"""Where a branch goes to end the enrolment."""

_DURATION = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>s|m|h|d|w)?\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 7 * 86_400}
_LOCAL_TIME = r"^([01]\d|2[0-3]):[0-5]\d$"
_STEP_ID = r"^[a-z0-9][a-z0-9_-]{0,63}$"


def parse_duration(value: Any) -> float:
    """Seconds from ``90``, ``"45m"``, ``"2h"``, ``"3d"`` or ``"1w"`` (ValueError otherwise)."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or text such as 30m, 2h, 3d")
    try:
        if isinstance(value, int | float):
            seconds = float(value)
        elif isinstance(value, str) and (match := _DURATION.match(value)):
            seconds = float(match["n"]) * _UNIT_SECONDS[match["unit"] or "s"]
        else:
            raise ValueError(f"{value!r} is not a duration (write 30m, 2h, 3d, 1w or seconds)")
    except OverflowError:
        raise ValueError(f"{value!r} is too large for a duration") from None
    if not math.isfinite(seconds):
        raise ValueError(f"{value!r} is not a finite duration")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]
LocalTime = Annotated[str, Field(pattern=_LOCAL_TIME, description="HH:MM, the person's time")]
StepId = Annotated[str, Field(pattern=_STEP_ID)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- triggers -------------------------------------------------------------------------------


class EventTrigger(_Model):
    """Someone had an event of this type (``signup``, ``view``, ``add_to_cart``,
    ``purchase``, ``search`` or any custom type), optionally of an item in ``category``."""

    type: Literal["event"]
    event: str = Field(min_length=1, max_length=32)
    category: str | None = None


class SegmentTrigger(_Model):
    """Someone entered (or left) a stored segment."""

    type: Literal["segment_entered", "segment_exited"]
    segment: str = Field(min_length=1)


class DateTrigger(_Model):
    """A date in the person's attributes (``birthday``, ``anniversary``: ``YYYY-MM-DD`` or
    ``MM-DD``) comes round each year; fires ``days_before`` it at ``at`` local time."""

    type: Literal["date_attribute"]
    attribute: str = Field(min_length=1)
    days_before: int = Field(default=0, ge=0, le=60)
    at: LocalTime = "09:00"


class BackInStockTrigger(_Model):
    """An item the person engaged with (``engagement`` events in the last
    ``engaged_within_days``) went from no stock to some; the item is the trigger item."""

    type: Literal["back_in_stock"]
    engagement: list[str] = Field(default_factory=lambda: ["view", "add_to_cart"], min_length=1)
    engaged_within_days: float = Field(default=30.0, gt=0)


class PriceDropTrigger(_Model):
    """An item the person engaged with got cheaper by at least ``min_drop_percent``."""

    type: Literal["price_drop"]
    min_drop_percent: float = Field(default=10.0, gt=0, lt=100)
    engagement: list[str] = Field(default_factory=lambda: ["view", "add_to_cart"], min_length=1)
    engaged_within_days: float = Field(default=30.0, gt=0)


class NewArrivalsTrigger(_Model):
    """New items appeared in categories that hold at least ``min_share`` of the person's
    activity over ``interest_days``; at most one enrolment per ``every_days``."""

    type: Literal["new_arrivals"]
    min_share: float = Field(default=0.2, gt=0, le=1)
    interest_days: float = Field(default=90.0, gt=0)
    every_days: float = Field(default=7.0, gt=0)


class InactivityTrigger(_Model):
    """No event for ``days`` days, or (with ``churn_risk_above``) a predicted churn risk
    above the threshold: win-back."""

    type: Literal["inactivity"]
    days: float | None = Field(default=None, gt=0)
    churn_risk_above: float | None = Field(default=None, gt=0, lt=1)


Trigger = Annotated[
    EventTrigger
    | SegmentTrigger
    | DateTrigger
    | BackInStockTrigger
    | PriceDropTrigger
    | NewArrivalsTrigger
    | InactivityTrigger,
    Field(discriminator="type"),
]


class Entry(_Model):
    """Who may enter: ``once`` ever, ``once_per`` ``days``, or ``every_time`` the trigger
    fires (never twice for the same trigger occurrence). ``segment``: only its members."""

    mode: Literal["once", "once_per", "every_time"] = "once"
    days: float | None = Field(default=None, gt=0)
    segment: str | None = None


class Goal(_Model):
    """Reaching the goal (an event of this type after entering) ends the journey early."""

    event: str = Field(min_length=1, max_length=32)


# --- steps ----------------------------------------------------------------------------------


class _Step(_Model):
    id: StepId
    next: str | None = Field(default=None, description="Step to go to after this one.")


class WaitStep(_Step):
    """Wait ``duration``, or until the next ``until`` local time of day (or both: the
    duration, then the next such time)."""

    type: Literal["wait"]
    duration: Duration | None = None
    until: LocalTime | None = None


class WaitForEventStep(_Step):
    """Wait up to ``timeout`` for an event (of the trigger item with ``same_item``); go to
    ``on_event`` if it comes, ``on_timeout`` otherwise (the abandoned-cart pattern)."""

    type: Literal["wait_for_event"]
    event: str = Field(min_length=1, max_length=32)
    timeout: Duration
    same_item: bool = False
    on_event: str = EXIT
    on_timeout: str | None = None


class ConditionStep(_Step):
    """Go to ``then`` when the person matches the segment rule ``rule`` now, else to
    ``otherwise`` (a rule can name a segment, a field, a prediction or events)."""

    type: Literal["condition"]
    rule: dict[str, Any]
    then: str
    otherwise: str


class Branch(_Model):
    weight: float = Field(gt=0)
    next: str
    name: str | None = None


class RandomSplitStep(_Step):
    """Send each person down one branch at random (stable per person), by weight. With
    ``experiment``, the experiment engine assigns the branch (seam for the next issue)."""

    type: Literal["random_split"]
    branches: list[Branch] = Field(min_length=2)
    experiment: str | None = None


class Recommendations(_Model):
    """The items a message shows: ``personal`` (the served model's list for the person),
    ``trigger_item`` (the item that triggered, then items like it), ``similar`` (items like
    the trigger item), ``complements`` (bought with the person's last purchase),
    ``new_arrivals`` (new items in the person's categories), ``replenish`` (items the person
    buys repeatedly, due again)."""

    source: Literal[
        "personal", "trigger_item", "similar", "complements", "new_arrivals", "replenish"
    ] = "personal"
    count: int = Field(default=4, ge=0, le=20)
    in_stock_only: bool = True


class SendStep(_Step):
    """Render ``template`` for the person with ``recommendations`` and put it in the outbox
    for ``channel`` (consent, suppression, caps, quiet hours and holdout apply at send)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )

    type: Literal["send"]
    channel: Literal["email", "webhook", "onsite"]
    template: str = Field(min_length=1)
    recommendations: Recommendations = Field(default_factory=Recommendations)
    copy_options: CopyOptions | None = Field(
        default=None,
        alias="copy",
        exclude_if=lambda value: value is None,
        description="Generated copy instead of the template's words (variants, an "
        "experiment's split, an offer); the template is the fallback.",
    )


class UpdateAttributeStep(_Step):
    """Set ``attribute`` of the person's profile to ``value`` (``"{now}"``: the moment)."""

    type: Literal["update_attribute"]
    attribute: str = Field(min_length=1, max_length=64)
    value: str | float | int | bool | None


class ExitStep(_Model):
    """End the enrolment here."""

    id: StepId
    type: Literal["exit"]


Step = Annotated[
    WaitStep
    | WaitForEventStep
    | ConditionStep
    | RandomSplitStep
    | SendStep
    | UpdateAttributeStep
    | ExitStep,
    Field(discriminator="type"),
]


class JourneyDefinition(_Model):
    """One journey as written in its file."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    trigger: Trigger
    entry: Entry = Field(default_factory=Entry)
    goal: Goal | None = None
    steps: list[Step] = Field(min_length=1)

    def step(self, step_id: str) -> Step:
        """The step called ``step_id`` (KeyError if there is none)."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def following(self, step_id: str) -> str:
        """Where a step without an explicit ``next`` goes: the step written after it, or
        :data:`EXIT` after the last one."""
        ids = [s.id for s in self.steps]
        index = ids.index(step_id)
        step = self.steps[index]
        explicit = getattr(step, "next", None)
        if explicit:
            return str(explicit)
        return ids[index + 1] if index + 1 < len(ids) else EXIT
