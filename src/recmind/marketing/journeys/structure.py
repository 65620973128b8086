"""The checks a journey's models cannot make one field at a time: step references, steps no
path reaches, loops that never wait, and options that need one another.

They run on the journey as written (the parsed YAML or JSON, not the models), so that a
file with a malformed step still gets its references checked: the author sees every problem
at once instead of one round of fixes per kind of mistake.
"""

from __future__ import annotations

import difflib
import math
from collections import deque
from typing import Any

from recmind.marketing.journeys.definition import EXIT, parse_duration
from recmind.marketing.journeys.problems import JourneyProblem, Path, problem

Edge = tuple[Path, str]
"""Where a step may go: the field that says so (inside the step) and the target's name."""

ITEM_TRIGGERS = ("event", "back_in_stock", "price_drop", "new_arrivals")
"""Triggers that can come with an item (the trigger item of ``same_item`` and of
recommendations from ``trigger_item`` or ``similar``)."""
ITEM_SOURCES = ("trigger_item", "similar")
RESERVED_IDS = ("schema",)
"""Journey ids a route of the API already answers for."""
MAX_INT = 2**63 - 1
MAX_DURATION = 3650 * 86_400.0
"""Ten years: a longer wait is a typo (and would overflow a moment in seconds)."""


def _steps(data: Any) -> list[tuple[int, dict[str, Any]]]:
    steps = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(steps, list):
        return []
    return [(i, step) for i, step in enumerate(steps) if isinstance(step, dict)]


def _following(data: dict[str, Any], index: int) -> str:
    """The step written after ``steps[index]`` (``exit`` after the last), by position: a
    ``#N`` name, so that a repeated or missing id does not send the path astray."""
    return EXIT if index + 1 >= len(data["steps"]) else f"#{index + 1}"


def edges(data: dict[str, Any], index: int, step: dict[str, Any]) -> list[Edge]:
    """Where ``steps[index]`` may go next, as the engine reads it."""
    kind = step.get("type")
    explicit = step.get("next")
    default: Edge = (
        (("next",), explicit)
        if isinstance(explicit, str) and explicit
        else (
            (),
            _following(data, index),
        )
    )
    if kind == "exit":
        return []
    if kind == "condition":
        return [((name,), step[name]) for name in ("then", "otherwise") if name in step]
    if kind == "random_split":
        branches = step.get("branches")
        if not isinstance(branches, list):
            return []
        return [
            (("branches", n, "next"), branch["next"])
            for n, branch in enumerate(branches)
            if isinstance(branch, dict) and "next" in branch
        ]
    if kind == "wait_for_event":
        on_event = step.get("on_event", EXIT)
        on_timeout = step.get("on_timeout")
        timeout_edge = (("on_timeout",), on_timeout) if on_timeout else default
        return [(("on_event",), on_event), timeout_edge]
    return [default]


def _seconds(value: Any) -> float | None:
    """The duration in seconds; None when it is not one (the models say why)."""
    try:
        return parse_duration(value)
    except (ValueError, OverflowError):
        return None


def _takes_time(step: dict[str, Any]) -> bool:
    """Whether passing the step waits for the clock (so a loop through it is not endless)."""
    kind = step.get("type")
    if kind == "wait":
        if step.get("until") is not None:
            return True
        key = "duration"
    elif kind == "wait_for_event":
        key = "timeout"
    else:
        return False
    seconds = _seconds(step.get(key))
    return seconds is None or seconds > 0  # a bad duration is reported on its own


class _Checker:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.steps = _steps(data)
        self.problems: list[JourneyProblem] = []
        self.index_of: dict[str, int] = {}

    def add(self, path: Path, message: str, value: Any = None, kind: str = "reference") -> None:
        self.problems.append(problem(self.data, path, message, value, kind=kind))

    def ids(self) -> None:
        for index, step in self.steps:
            step_id = step.get("id")
            if not isinstance(step_id, str):
                continue
            if step_id in self.index_of:
                first = self.index_of[step_id]
                self.add(
                    ("steps", index, "id"),
                    f"step id {step_id!r} is already used by steps[{first}]; ids are unique",
                    step_id,
                    "duplicate_id",
                )
            else:
                self.index_of[step_id] = index
        # "#3" stands for the fourth step by position (where a step goes by default)
        for index, _ in self.steps:
            self.index_of[f"#{index}"] = index

    def target(self, name: str) -> int | None:
        return None if name == EXIT else self.index_of.get(name)

    def references(self) -> None:
        known = sorted(k for k in self.index_of if not k.startswith("#"))
        for index, step in self.steps:
            if step.get("type") in ("condition", "random_split") and step.get("next"):
                goes = "then or otherwise" if step["type"] == "condition" else "its branches"
                self.add(
                    ("steps", index, "next"),
                    f"a {step['type']} step goes to {goes}; next is never used (remove it)",
                    step["next"],
                    "unused_field",
                )
            for field, name in edges(self.data, index, step):
                synthetic = isinstance(name, str) and name.startswith("#") and name in self.index_of
                if not isinstance(name, str) or synthetic or name == EXIT:
                    continue
                if name not in self.index_of:
                    near = difflib.get_close_matches(name, known, n=2)
                    hint = f" (did you mean {' or '.join(near)}?)" if near else ""
                    self.add(
                        ("steps", index, *field),
                        f"no step is called {name!r}{hint}; name a step of this journey or exit",
                        name,
                    )

    def reachable(self) -> set[int]:
        if not self.steps or self.steps[0][0] != 0:
            return {i for i, _ in self.steps}  # the first step is malformed: nothing to say
        seen = {0}
        queue = deque([0])
        by_index = dict(self.steps)
        while queue:
            index = queue.popleft()
            for _, name in edges(self.data, index, by_index[index]):
                found = self.target(name) if isinstance(name, str) else None
                if found is not None and found not in seen and found in by_index:
                    seen.add(found)
                    queue.append(found)
        return seen

    def unreachable(self) -> None:
        seen = self.reachable()
        for index, _ in self.steps:
            if index not in seen:
                self.add(
                    ("steps", index),
                    "no step leads here, so it never runs (unreachable): point a next or a "
                    "branch at it, or remove it",
                    None,
                    "unreachable",
                )

    def loops(self) -> None:
        """Cycles through steps that take no time: the enrolment would spin for ever."""
        by_index = dict(self.steps)
        instant = {i for i, step in self.steps if not _takes_time(step)}
        state: dict[int, int] = {}  # 1 on the path, 2 done
        reported: set[frozenset[int]] = set()

        def visit(index: int, path: list[int]) -> None:
            state[index] = 1
            path.append(index)
            for field, name in edges(self.data, index, by_index[index]):
                found = self.target(name) if isinstance(name, str) else None
                if found is None or found not in instant:
                    continue
                if state.get(found) == 1:
                    cycle = path[path.index(found) :]
                    if frozenset(cycle) not in reported:
                        reported.add(frozenset(cycle))
                        names = [self.name(i) for i in [*cycle, found]]
                        self.add(
                            ("steps", index, *field),
                            "an endless loop that never waits: "
                            + " -> ".join(names)
                            + "; put a wait or wait_for_event in it",
                            name,
                            "endless_loop",
                        )
                elif found not in state:
                    visit(found, path)
            path.pop()
            state[index] = 2

        for index in sorted(instant):
            if index not in state:
                visit(index, [])

    def name(self, index: int) -> str:
        step_id = dict(self.steps)[index].get("id")
        return step_id if isinstance(step_id, str) else f"steps[{index}]"

    def options(self) -> None:
        """Options that need one another, and what needs a trigger item."""
        if self.data.get("id") in RESERVED_IDS:
            self.add(
                ("id",),
                f"{self.data['id']!r} is reserved (GET /v1/journeys/{self.data['id']} is the "
                "format's schema); choose another id",
                self.data["id"],
                "reserved_id",
            )
        trigger = self.data.get("trigger")
        trigger_type = trigger.get("type") if isinstance(trigger, dict) else None
        if (
            trigger_type == "inactivity"
            and isinstance(trigger, dict)
            and trigger.get("days") is None
            and trigger.get("churn_risk_above") is None
        ):
            self.add(
                ("trigger", "days"),
                "an inactivity trigger needs days (no event for N days) or "
                "churn_risk_above (a predicted churn risk above it), or both",
                None,
                "missing",
            )
        entry = self.data.get("entry")
        if isinstance(entry, dict):
            mode = entry.get("mode", "once")
            if mode == "once_per" and entry.get("days") is None:
                self.add(
                    ("entry", "days"),
                    "once_per needs days: how many days before the same person may enter again",
                    None,
                    "missing",
                )
            elif mode in ("once", "every_time") and entry.get("days") is not None:
                self.add(
                    ("entry", "days"),
                    f"days only applies to mode once_per (mode is {mode})",
                    entry["days"],
                    "unused_field",
                )
        has_item = trigger_type in ITEM_TRIGGERS or trigger_type is None
        for index, step in self.steps:
            kind = step.get("type")
            if kind == "wait" and step.get("duration") is None and step.get("until") is None:
                self.add(
                    ("steps", index, "duration"),
                    "a wait needs a duration (30m, 2h, 3d), an until time of day (HH:MM), or both",
                    None,
                    "missing",
                )
            if has_item:
                continue
            if kind == "wait_for_event" and step.get("same_item"):
                self.add(
                    ("steps", index, "same_item"),
                    f"a {trigger_type} trigger has no item, so same_item cannot apply",
                    True,
                    "no_trigger_item",
                )
            recommendations = step.get("recommendations")
            source = recommendations.get("source") if isinstance(recommendations, dict) else None
            if kind == "send" and source in ITEM_SOURCES:
                self.add(
                    ("steps", index, "recommendations", "source"),
                    f"a {trigger_type} trigger has no item for {source}: use personal, "
                    "complements, new_arrivals or replenish",
                    source,
                    "no_trigger_item",
                )


def number_problems(data: Any, value: Any, path: Path) -> list[JourneyProblem]:
    """Numbers no store column or JSON document holds: infinite, not a number, or an
    integer past 64 bits (YAML reads all three)."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in number_problems(data, v, (*path, str(k)))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in number_problems(data, v, (*path, i))]
    if isinstance(value, float) and not math.isfinite(value):
        return [problem(data, path, "must be a finite number", value, kind="not_finite")]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        message = "is too large a number (at most 2^63 - 1)"
        return [problem(data, path, message, value, kind="too_large")]
    return []


def tame_numbers(value: Any) -> Any:
    """A copy of ``value`` with the numbers :func:`_numbers` refuses set to 0, so that the
    models check everything else without overflowing on them (they are reported apart)."""
    if isinstance(value, dict):
        return {k: tame_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [tame_numbers(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        return 0
    return value


def _durations(
    data: dict[str, Any], steps: list[tuple[int, dict[str, Any]]]
) -> list[JourneyProblem]:
    out: list[JourneyProblem] = []
    for index, step in steps:
        for key in ("duration", "timeout"):
            if step.get(key) is None:
                continue
            seconds = _seconds(step[key])
            if seconds is not None and not seconds <= MAX_DURATION:
                message = "is longer than ten years (write 30m, 2h, 3d, 1w or seconds)"
                out.append(problem(data, ("steps", index, key), message, step[key]))
    return out


def structure_problems(data: Any) -> list[JourneyProblem]:
    """Every reference, reachability, loop and option problem of a journey as written."""
    if not isinstance(data, dict):
        return []
    checker = _Checker(data)
    checker.ids()
    checker.references()
    if not checker.problems:  # with a broken reference, what is reachable is anyone's guess
        checker.unreachable()
    checker.loops()
    checker.options()
    return [*checker.problems, *number_problems(data, data, ()), *_durations(data, checker.steps)]
