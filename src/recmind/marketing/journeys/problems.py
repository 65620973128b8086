"""What is wrong with a journey, said so that its author can find it: the step (index and id)
and the field, in plain words.

A problem's path is the place in the journey file (``("steps", 2, "timeout")``); it is
shown as ``steps[2] (remind).timeout``: the index finds the step in the file, the id is what
the author called it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


@dataclass(frozen=True)
class JourneyProblem:
    """One thing wrong: ``path`` in the file, ``message`` in plain words, the offending
    ``value`` (None when something is missing), ``step_id`` when the path is in a step, and a
    machine-readable ``kind``."""

    path: Path
    message: str
    value: Any = None
    step_id: str | None = None
    kind: str = "invalid_journey"
    show_value: bool = False

    @property
    def step_index(self) -> int | None:
        """The step's index in ``steps`` (None when the problem is not in a step)."""
        if len(self.path) >= 2 and self.path[0] == "steps" and isinstance(self.path[1], int):
            return self.path[1]
        return None

    @property
    def field(self) -> str:
        """The field, as a dotted path inside the step (or the journey when not in a step):
        ``timeout``, ``branches[1].next``, ``rule.all[0].field``; empty for a whole step."""
        rest = self.path[2:] if self.step_index is not None else self.path
        return render(rest)

    @property
    def where(self) -> str:
        """``steps[2] (remind).timeout``, ``trigger.days``, ``entry``."""
        index = self.step_index
        if index is None:
            return render(self.path) or "journey"
        head = f"steps[{index}]" + (f" ({self.step_id})" if self.step_id else "")
        inner = self.field
        if not inner:
            return head
        return head + ("" if inner.startswith("[") else ".") + inner

    def __str__(self) -> str:
        shown = f" (got {_short(self.value)})" if self.show_value else ""
        return f"{self.where}: {self.message}{shown}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "path": list(self.path),
            "step": self.step_index,
            "step_id": self.step_id,
            "field": self.field,
            "message": self.message,
            "value": self.value,
            "kind": self.kind,
            "text": str(self),
        }


class JourneyError(ValueError):
    """A journey that cannot be used, with every problem found (each names its step and
    field)."""

    def __init__(self, problems: list[JourneyProblem], source: str | None = None) -> None:
        text = "; ".join(str(p) for p in problems)
        super().__init__(f"{source}: {text}" if source else text)
        self.problems = problems
        self.source = source


def render(path: Path) -> str:
    """``("branches", 1, "next")`` as ``branches[1].next``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def step_id_of(data: Any, index: int) -> str | None:
    """The id written for ``steps[index]`` in the raw journey, when there is one."""
    if not isinstance(data, dict):
        return None
    steps = data.get("steps")
    if not isinstance(steps, list) or not 0 <= index < len(steps):
        return None
    step = steps[index]
    found = step.get("id") if isinstance(step, dict) else None
    return found if isinstance(found, str) and found else None


def problem(
    data: Any,
    path: Path,
    message: str,
    value: Any = None,
    *,
    kind: str = "invalid_journey",
    show_value: bool = False,
) -> JourneyProblem:
    """A problem at ``path`` of the raw journey ``data`` (the step id looked up there)."""
    step_id = None
    if len(path) >= 2 and path[0] == "steps" and isinstance(path[1], int):
        step_id = step_id_of(data, path[1])
    return JourneyProblem(path, message, value, step_id, kind, show_value)
