"""The segment rule format: a JSON tree of conditions, parsed into pydantic models.

A rule is one JSON object whose *shape* (the one key among ``all``, ``any``, ``not``,
``field``, ``event``, ``funnel``, ``segment``, ``consent`` it holds) says what it is::

    {"all": [RULE, ...]}      every one holds (an empty list: everyone)
    {"any": [RULE, ...]}      at least one holds (an empty list is refused)
    {"not": RULE}
    {"field": NAME, "op": OP, "value": V}
    {"event": EVENTSPEC, "measure": "count" | "sum" | "exists", "op": OP, "value": V}
    {"funnel": {"did": EVENTSPEC, "then_not": EVENTSPEC, "within_hours": H, "within_days": N}}
    {"segment": SEGMENT_ID}
    {"consent": "email"}

:func:`parse_rule` checks the structure (shapes, types, unknown keys) and raises
:class:`RuleError`, whose problems name the rule path (``all[1].event.within_days``) and the
offending value; :mod:`.validate` then checks the meaning against the field catalogue.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    Tag,
    TypeAdapter,
    ValidationError,
)

from recmind.data.bundle import EVENT_TYPES

Op = Literal[
    "=", "!=", "<", "<=", ">", ">=", "between", "in", "not in", "contains", "is set", "is not set"
]
OPS: tuple[str, ...] = get_args(Op)
COMPARE_OPS = ("=", "!=", "<", "<=", ">", ">=")
NO_VALUE_OPS = ("is set", "is not set")
EventType = Literal["view", "click", "add_to_cart", "purchase", "rating", "search"]
assert get_args(EventType) == EVENT_TYPES
Measure = Literal["count", "sum", "exists"]
Scalar = StrictBool | StrictInt | StrictFloat | StrictStr
Value = Scalar | list[Scalar] | None
Number = StrictInt | StrictFloat
SHAPES = ("all", "any", "not", "field", "event", "funnel", "segment", "consent")
"""The keys that say what a rule is; a rule object holds exactly one of them."""

Path = tuple[str | int, ...]


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class EventSpec(_Node):
    """Which events count: a type, optionally about some items, and a window."""

    type: EventType
    item_ids: list[StrictStr] | None = None
    """Only events about these items."""
    category: StrictStr | None = None
    """Only items in this category: a ``|``-separated member of the item's categories, or
    a ``/``-prefix of one (``Books`` matches ``Books/Fiction``)."""
    min_price: Number | None = None
    max_price: Number | None = None
    within_days: Number | None = None
    """Only the last N days before the evaluation moment (all history when absent)."""


class FieldRule(_Node):
    field: StrictStr
    op: Op
    value: Value = None


class EventRule(_Node):
    event: EventSpec
    measure: Measure
    op: Op | None = None
    value: Value = None


class Funnel(_Node):
    did: EventSpec
    then_not: EventSpec
    within_hours: Number
    within_days: Number | None = None


class FunnelRule(_Node):
    funnel: Funnel


class SegmentRule(_Node):
    segment: StrictStr


class ConsentRule(_Node):
    consent: Literal["email"]


class AllRule(_Node):
    all: list[Rule]


class AnyRule(_Node):
    any: list[Rule]


class NotRule(_Node):
    not_: Rule = Field(alias="not")


def _shape(value: Any) -> str | None:
    """The rule's shape: the one shape key the object holds (None when not exactly one)."""
    if isinstance(value, dict):
        found = [key for key in SHAPES if key in value]
    elif isinstance(value, BaseModel):
        found = [key for key in SHAPES if key in _SHAPE_OF and isinstance(value, _SHAPE_OF[key])]
    else:
        return None
    return found[0] if len(found) == 1 else None


Rule = Annotated[
    Annotated[AllRule, Tag("all")]
    | Annotated[AnyRule, Tag("any")]
    | Annotated[NotRule, Tag("not")]
    | Annotated[FieldRule, Tag("field")]
    | Annotated[EventRule, Tag("event")]
    | Annotated[FunnelRule, Tag("funnel")]
    | Annotated[SegmentRule, Tag("segment")]
    | Annotated[ConsentRule, Tag("consent")],
    Discriminator(
        _shape,
        custom_error_type="rule_shape",
        custom_error_message=(
            "a rule is an object with exactly one of the keys " + ", ".join(SHAPES)
        ),
    ),
]

_SHAPE_OF: dict[str, type[BaseModel]] = {
    "all": AllRule,
    "any": AnyRule,
    "not": NotRule,
    "field": FieldRule,
    "event": EventRule,
    "funnel": FunnelRule,
    "segment": SegmentRule,
    "consent": ConsentRule,
}
for _model in (AllRule, AnyRule, NotRule):
    _model.model_rebuild()
_ADAPTER: TypeAdapter[Rule] = TypeAdapter(Rule)


@dataclass(frozen=True)
class RuleProblem:
    """One thing wrong with a rule: where (a path from the rule's root), what, and the value."""

    path: Path
    message: str
    value: Any = None
    kind: str = "invalid_rule"

    @property
    def where(self) -> str:
        return render_path(self.path)

    def __str__(self) -> str:
        shown = "" if self.value is None else f" (got {_short(self.value)})"
        return f"{self.where}: {self.message}{shown}"


class RuleError(ValueError):
    """A rule that cannot be used, with every problem found (each names its rule path)."""

    def __init__(self, problems: list[RuleProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def render_path(path: Path) -> str:
    """``("all", 1, "event", "within_days")`` as ``rule.all[1].event.within_days``."""
    text = "rule"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _clean_loc(loc: tuple[str | int, ...]) -> Path:
    """Pydantic's error location without the discriminator tags it inserts at each rule
    (``("all", "all", 0, "field", "op")`` -> ``("all", 0, "op")``)."""
    out: list[str | int] = []
    at_rule = True
    parts = list(loc)
    index = 0
    while index < len(parts):
        part = parts[index]
        if at_rule and isinstance(part, str) and part in SHAPES:
            index += 1  # the tag; the model's own key follows it (if the error is deeper)
            at_rule = False
            continue
        out.append(part)
        if not at_rule and part == "not":
            at_rule = True
        elif (
            not at_rule
            and part in ("all", "any")
            and index + 1 < len(parts)
            and isinstance(parts[index + 1], int)
        ):
            out.append(parts[index + 1])
            index += 1
            at_rule = True
        index += 1
    return tuple(out)


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "missing"
    if kind == "literal_error":
        return str(error["msg"]).replace("Input should be", "must be")
    return str(error["msg"])


def parse_rule(data: Any) -> Rule:
    """A rule from its JSON form (a dict, or JSON text), structurally checked.

    Raises :class:`RuleError` naming each problem's path and value. The meaning (known
    fields, types, windows, segments) is :func:`recmind.marketing.segments.validate`'s.
    """
    try:
        if isinstance(data, str | bytes):
            return _ADAPTER.validate_json(data)
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        problems: list[RuleProblem] = []
        seen: set[tuple[Path, str]] = set()
        for error in exc.errors():
            path = _clean_loc(tuple(error["loc"]))
            message = _message(error)
            if (path, message) in seen:
                continue
            seen.add((path, message))
            value = None if error["type"] == "missing" else error.get("input")
            problems.append(RuleProblem(path, message, value, error["type"]))
        raise RuleError(problems) from None


def rule_to_json(rule: Rule) -> dict[str, Any]:
    """The rule's JSON form (the keys of the format; absent options left out)."""
    dumped: dict[str, Any] = rule.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dumped


def children(rule: Rule, path: Path = ()) -> Iterator[tuple[Rule, Path]]:
    """The rule's direct sub-rules with their paths."""
    if isinstance(rule, AllRule):
        for index, child in enumerate(rule.all):
            yield child, (*path, "all", index)
    elif isinstance(rule, AnyRule):
        for index, child in enumerate(rule.any):
            yield child, (*path, "any", index)
    elif isinstance(rule, NotRule):
        yield rule.not_, (*path, "not")


def walk(rule: Rule, path: Path = ()) -> Iterator[tuple[Rule, Path]]:
    """Every node of the rule tree (the rule first), depth first, with its path."""
    yield rule, path
    for child, child_path in children(rule, path):
        yield from walk(child, child_path)


def segment_refs(rule: Rule) -> list[str]:
    """The segment ids the rule names (in order, without repeats)."""
    found: list[str] = []
    for node, _ in walk(rule):
        if isinstance(node, SegmentRule) and node.segment not in found:
            found.append(node.segment)
    return found
