"""Reading a journey file (YAML or JSON) into a :class:`JourneyDefinition`, with every
problem reported at once, each naming the step (index and id) and the field in plain words::

    steps[2] (remind).timeout: '3 hours' is not a duration (write 30m, 2h, 3d, 1w or seconds)

:func:`load_journey` checks the shape (the models of :mod:`.definition`) and the structure
(:mod:`.structure`: references, unreachable steps, endless loops, options that need one
another); :func:`check_against_store` then checks what only the store knows: segments,
condition rules against the field catalogue, and message templates.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, get_args

import orjson
import yaml
from pydantic import BaseModel, ValidationError

from recmind.config import Settings
from recmind.data.store import Store
from recmind.marketing.content.templates import available_templates
from recmind.marketing.journeys import definition as model
from recmind.marketing.journeys.definition import (
    ConditionStep,
    JourneyDefinition,
    SegmentTrigger,
    SendStep,
)
from recmind.marketing.journeys.problems import (
    JourneyError,
    JourneyProblem,
    problem,
)
from recmind.marketing.journeys.problems import (
    Path as ProblemPath,
)
from recmind.marketing.journeys.structure import (
    number_problems,
    structure_problems,
    tame_numbers,
)
from recmind.marketing.segments.catalogue import load_catalogue
from recmind.marketing.segments.repository import rules_lookup
from recmind.marketing.segments.rules import RuleError
from recmind.marketing.segments.validate import check_rule

__all__ = [
    "JourneyError",
    "JourneyProblem",
    "check_against_store",
    "journey_from_data",
    "load_and_check",
    "load_journey",
    "parse_text",
]

FILE_SUFFIXES = (".yaml", ".yml", ".json")
MAX_FILE_BYTES = 1_000_000


def _tags(union: Any) -> dict[str, type[BaseModel]]:
    """The ``type`` values of a discriminated union of models, with their model."""
    found: dict[str, type[BaseModel]] = {}
    for member in get_args(get_args(union)[0]):
        for tag in get_args(member.model_fields["type"].annotation):
            found[tag] = member
    return found


STEP_TYPES = _tags(model.Step)
TRIGGER_TYPES = _tags(model.Trigger)
_SCALAR_TAGS = {"str", "float", "int", "bool", "none"}


# --- reading YAML or JSON -------------------------------------------------------------------


class _Loader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML ships no types
    """YAML without the YAML 1.1 surprises: ``10:30`` stays text (not the sexagesimal 630),
    ``2024-05-01`` stays text (not a date), and a key written twice is an error."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                mark = key_node.start_mark
                raise yaml.MarkedYAMLError(
                    problem=f"the key {key!r} is written twice", problem_mark=mark
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)


def _read(text_or_path: str | Path) -> tuple[str, str | None]:
    """The text and the file's name: a :class:`Path`, or a string that names a file, is
    read; any other string is the journey itself."""
    path: Path | None = None
    if isinstance(text_or_path, Path):
        path = text_or_path
    elif "\n" not in text_or_path and len(text_or_path) < 4096:
        candidate = Path(text_or_path.strip())
        if candidate.suffix.lower() in FILE_SUFFIXES or candidate.is_file():
            path = candidate
    if path is None:
        return str(text_or_path), None
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise JourneyError(
                [JourneyProblem((), f"larger than {MAX_FILE_BYTES} bytes", kind="too_large")],
                str(path),
            )
        return path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise JourneyError(
            [JourneyProblem((), f"cannot read the file: {reason}", kind="unreadable")], str(path)
        ) from None


def parse_text(text: str, source: str | None = None) -> Any:
    """The journey's data from YAML or JSON text (JSON is tried first when it looks like
    JSON: its errors are clearer)."""
    if text.lstrip().startswith("{"):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass  # YAML's flow style also starts with "{"; its error says where
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        message = f"not valid YAML or JSON{where}: {what}"
        raise JourneyError([JourneyProblem((), message, kind="syntax")], source) from None
    except yaml.YAMLError as exc:
        message = f"not valid YAML or JSON: {exc}"
        raise JourneyError([JourneyProblem((), message, kind="syntax")], source) from None


# --- the models' errors in plain words ------------------------------------------------------


def _owner(data: Any, path: ProblemPath) -> tuple[str, type[BaseModel] | None]:
    """What holds the field at ``path``: ("a send step", SendStep), ("a journey", ...)."""
    if path[:1] == ("steps",) and len(path) == 3 and isinstance(path[1], int):
        steps = data.get("steps") if isinstance(data, dict) else None
        step = steps[path[1]] if isinstance(steps, list) else None
        kind = step.get("type") if isinstance(step, dict) else None
        if kind in STEP_TYPES:
            return f"a {kind} step", STEP_TYPES[kind]
    if path[:1] == ("trigger",) and len(path) == 2 and isinstance(data, dict):
        trigger = data.get("trigger")
        kind = trigger.get("type") if isinstance(trigger, dict) else None
        if kind in TRIGGER_TYPES:
            return f"a {kind} trigger", TRIGGER_TYPES[kind]
    if len(path) == 1:
        return "a journey", JourneyDefinition
    owners: dict[str, type[BaseModel]] = {
        "entry": model.Entry,
        "goal": model.Goal,
        "recommendations": model.Recommendations,
    }
    parent = path[-2] if len(path) >= 2 else None
    if isinstance(parent, str) and parent in owners:
        return f"{parent}", owners[parent]
    if parent == "branches" or (len(path) >= 3 and path[-3] == "branches"):
        return "a branch", model.Branch
    return "this", None


def _clean(loc: tuple[Any, ...]) -> tuple[ProblemPath, bool]:
    """The location without the union tags pydantic inserts, and whether a scalar union's
    member tag was stripped (``value.str``)."""
    parts = list(loc)
    if len(parts) >= 2 and parts[0] == "trigger" and parts[1] in TRIGGER_TYPES:
        del parts[1]
    if len(parts) >= 3 and parts[0] == "steps" and parts[2] in STEP_TYPES:
        del parts[2]
    scalar = bool(parts) and parts[-1] in _SCALAR_TAGS
    if scalar:
        parts.pop()
    return tuple(parts), scalar


def _message(data: Any, path: ProblemPath, error: Any) -> tuple[ProblemPath, str, bool]:
    """(path, plain message, whether to show the value) for one pydantic error."""
    kind, value = error["type"], error.get("input")
    last = path[-1] if path else ""
    owner, owner_model = _owner(data, path)
    if kind == "missing":
        return path, f"missing: {owner} needs {last}", False
    if kind == "extra_forbidden":
        written = owner_model.model_fields.items() if owner_model else ()
        fields = sorted(info.alias or name for name, info in written)  # as written in files
        near = difflib.get_close_matches(str(last), fields, n=1)
        hint = f" (did you mean {near[0]}?)" if near else ""
        takes = f"; {owner} takes {', '.join(fields)}" if fields else ""
        return path, f"unknown field {last!r}{hint}{takes}", False
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        is_step = path[:1] == ("steps",)
        names = STEP_TYPES if is_step else TRIGGER_TYPES
        what = "step" if is_step else "trigger"
        choices = ", ".join(names)
        if kind == "union_tag_not_found":
            return (*path, "type"), f"missing: say which kind of {what} this is ({choices})", False
        tag = error.get("ctx", {}).get("tag")
        return (*path, "type"), f"{tag!r} is not a {what} type; use one of: {choices}", False
    if kind == "value_error":
        return path, str(error["msg"]).removeprefix("Value error, "), False
    if kind == "string_pattern_mismatch":
        if last in ("until", "at"):
            return path, f"{value!r} is not a time of day: write HH:MM (24-hour), e.g. 09:00", False
        return (
            path,
            (
                f"{value!r} is not an id: 1-64 lower-case letters, digits, '-' or '_', starting "
                "with a letter or digit"
            ),
            False,
        )
    if kind in ("model_attributes_type", "dict_type", "model_type"):
        return path, "must be a mapping of fields (key: value)", True
    if kind == "too_short" and last in ("steps", "branches", "engagement"):
        least = {"steps": "at least one step", "branches": "at least two branches"}
        return path, f"needs {least.get(str(last), 'at least one entry')}", False
    message = str(error["msg"]).replace("Input should be", "must be")
    return path, message[:1].lower() + message[1:], True


def shape_problems(data: Any) -> list[JourneyProblem]:
    """The problems the models of :mod:`.definition` find, in plain words."""
    try:
        JourneyDefinition.model_validate(tame_numbers(data))
    except ValidationError as exc:
        out: list[JourneyProblem] = []
        # the numbers tamed to 0 are reported apart; no second problem about that 0
        seen: set[ProblemPath] = {p.path for p in number_problems(data, data, ())}
        for error in exc.errors():
            path, scalar = _clean(tuple(error["loc"]))
            if path in seen:
                continue
            if scalar:
                if path in seen:
                    continue
                message, show = "must be one value: text, a number, true or false, or null", True
            else:
                path, message, show = _message(data, path, error)
            seen.add(path)
            value = error.get("input") if show or error["type"] == "value_error" else None
            out.append(problem(data, path, message, value, kind=error["type"], show_value=show))
        return out
    return []


def _order(found: JourneyProblem) -> tuple[int, int]:
    index = found.step_index
    return (0, 0) if index is None else (1, index)


def journey_from_data(data: Any, source: str | None = None) -> JourneyDefinition:
    """A journey from its parsed data (a mapping), or :class:`JourneyError` with every
    problem of shape and structure, in file order."""
    if not isinstance(data, dict):
        found = [JourneyProblem((), "a journey is a mapping (id, name, trigger, steps ...)")]
        raise JourneyError(found, source)
    problems = shape_problems(data)
    known = {(p.path, p.message) for p in problems}
    problems += [p for p in structure_problems(data) if (p.path, p.message) not in known]
    if problems:
        raise JourneyError(sorted(problems, key=_order), source)
    return JourneyDefinition.model_validate(data)


def load_journey(text_or_path: str | Path) -> JourneyDefinition:
    """A journey from a YAML or JSON file (a :class:`Path` or a string naming one) or text.

    Raises :class:`JourneyError`; its ``problems`` name the step and field of each."""
    text, source = _read(text_or_path)
    return journey_from_data(parse_text(text, source), source)


# --- what only the store knows --------------------------------------------------------------


def _hint(name: str, known: list[str]) -> str:
    near = difflib.get_close_matches(name, known, n=2)
    return f" (did you mean {' or '.join(near)}?)" if near else ""


def check_against_store(definition: JourneyDefinition, store: Store, settings: Settings) -> None:
    """Raise :class:`JourneyError` when the journey names a segment the store lacks, holds a
    condition rule the segment engine refuses (the rule path named), or sends a template
    that does not exist."""
    catalogue = load_catalogue(store)
    rules_of = rules_lookup(store)
    segment_ids = sorted(set(catalogue.segments))
    templates = sorted(available_templates(settings))
    problems: list[JourneyProblem] = []

    def segment(path: ProblemPath, name: str) -> None:
        if name not in catalogue.segments and rules_of(name) is None:
            message = f"no segment {name!r}{_hint(name, segment_ids)}"
            problems.append(JourneyProblem(path, message, name, kind="unknown_segment"))

    if isinstance(definition.trigger, SegmentTrigger):
        segment(("trigger", "segment"), definition.trigger.segment)
    if definition.entry.segment is not None:
        segment(("entry", "segment"), definition.entry.segment)
    for index, step in enumerate(definition.steps):
        if isinstance(step, ConditionStep):
            try:
                check_rule(step.rule, catalogue, rules_of=rules_of)
            except RuleError as exc:
                for found in exc.problems:
                    problems.append(
                        JourneyProblem(
                            ("steps", index, "rule", *found.path),
                            found.message,
                            found.value,
                            step.id,
                            found.kind,
                            show_value=found.value is not None,
                        )
                    )
        elif isinstance(step, SendStep) and step.template not in templates:
            message = f"no template {step.template!r}{_hint(step.template, templates)}"
            problems.append(
                JourneyProblem(
                    ("steps", index, "template"), message, step.template, step.id, "no_template"
                )
            )
    if problems:
        raise JourneyError(problems)


def load_and_check(
    text_or_data: str | Path | dict[str, Any], store: Store, settings: Settings
) -> JourneyDefinition:
    """:func:`load_journey` (or :func:`journey_from_data` for a mapping), then
    :func:`check_against_store`."""
    if isinstance(text_or_data, dict):
        definition = journey_from_data(text_or_data)
        source = None
    else:
        text, source = _read(text_or_data)
        definition = journey_from_data(parse_text(text, source), source)
    try:
        check_against_store(definition, store, settings)
    except JourneyError as exc:
        raise JourneyError(exc.problems, source) from None
    return definition
