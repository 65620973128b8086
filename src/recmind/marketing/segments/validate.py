"""What a structurally sound rule means, checked against the field catalogue.

Every problem names its rule path and value: an unknown field (with the nearest known
names), an operator the field's type does not take, a value of the wrong type, an empty
``any``, a bad window or price range, an unknown category or segment, and a cycle of
segments that refer to each other.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from recmind.marketing.segments.catalogue import ATTRIBUTE_PREFIX, Catalogue, FieldSpec
from recmind.marketing.segments.rules import (
    COMPARE_OPS,
    NO_VALUE_OPS,
    AnyRule,
    EventRule,
    EventSpec,
    FieldRule,
    FunnelRule,
    Path,
    Rule,
    RuleError,
    RuleProblem,
    SegmentRule,
    parse_rule,
    segment_refs,
    walk,
)

MAX_WINDOW_DAYS = 36_500
ORDER_OPS = ("<", "<=", ">", ">=", "between")
RulesOf = Callable[[str], Rule | None]
"""Looks up a stored segment's rule by id (None when there is no such segment)."""


def time_value(value: Any) -> float | None:
    """A moment as epoch seconds: a number as is, an ISO-8601 date or date-time string
    parsed (UTC when it names no offset); None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def field_spec(catalogue: Catalogue, name: str, value: Any) -> FieldSpec | None:
    """The field's spec. Attributes hold any JSON, so an attribute is compared as the type
    of the rule's value (a number with numbers, a string with strings); the catalogue's
    type (the values seen) is a hint for people and the drafter."""
    spec = catalogue.field(name)
    if spec is None or not name.startswith(ATTRIBUTE_PREFIX):
        return spec
    sample = value[0] if isinstance(value, list) and value else value
    if isinstance(sample, bool):
        return spec.model_copy(update={"type": "boolean"})
    if _is_number(sample):
        return spec.model_copy(update={"type": "number"})
    if isinstance(sample, str):
        return spec.model_copy(update={"type": "text"})
    return spec


class _Checker:
    def __init__(self, catalogue: Catalogue, check_values: bool) -> None:
        self.catalogue = catalogue
        self.check_values = check_values
        self.problems: list[RuleProblem] = []

    def add(self, path: Path, message: str, value: Any = None) -> None:
        self.problems.append(RuleProblem(path, message, value))

    def scalar_ok(self, spec: FieldSpec, value: Any) -> bool:
        if spec.type in ("number", "integer"):
            return _is_number(value)
        if spec.type == "time":
            return time_value(value) is not None
        if spec.type == "boolean":
            return isinstance(value, bool)
        return isinstance(value, str)

    def check_scalar(self, spec: FieldSpec, value: Any, path: Path, exact: bool = True) -> None:
        if not self.scalar_ok(spec, value):
            wanted = {
                "number": "a number",
                "integer": "a number",
                "time": "a moment (epoch seconds or an ISO date)",
                "boolean": "true or false",
                "text": "a string",
            }[spec.type]
            self.add(path, f"{spec.name} is {spec.type}: the value must be {wanted}", value)
        elif (
            self.check_values
            and spec.allowed is not None
            and (exact or spec.type == "text")
            and value not in spec.allowed
        ):
            shown = ", ".join(map(str, spec.allowed[:20]))
            more = ", ..." if len(spec.allowed) > 20 else ""
            self.add(path, f"not a value of {spec.name} (one of: {shown}{more})", value)

    def field(self, rule: FieldRule, path: Path) -> None:
        spec = field_spec(self.catalogue, rule.field, rule.value)
        if spec is None:
            names = [s.name for s in self.catalogue.fields]
            near = difflib.get_close_matches(rule.field, names, n=3)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            self.add((*path, "field"), f"unknown field{hint}", rule.field)
            return
        self.operation(spec, rule.op, rule.value, path)

    def operation(self, spec: FieldSpec, op: str, value: Any, path: Path) -> None:
        value_path = (*path, "value")
        if op in NO_VALUE_OPS:
            if value is not None:
                self.add(value_path, f"'{op}' takes no value", value)
            return
        if value is None:
            self.add(value_path, f"'{op}' needs a value")
            return
        if op in ORDER_OPS and spec.type in ("text", "boolean"):
            self.add((*path, "op"), f"'{op}' does not apply to {spec.type} field {spec.name}", op)
            return
        if op == "contains" and spec.type != "text":
            self.add((*path, "op"), f"'contains' applies to text, not to {spec.name}", op)
            return
        if op in ("in", "not in") and spec.type == "boolean":
            self.add((*path, "op"), f"'{op}' does not apply to boolean field {spec.name}", op)
            return
        if op == "between":
            self.between(spec, value, value_path)
        elif op in ("in", "not in"):
            if not isinstance(value, list) or not value:
                self.add(value_path, f"'{op}' needs a non-empty list of values", value)
                return
            for index, item in enumerate(value):
                self.check_scalar(spec, item, (*value_path, index))
        elif isinstance(value, list):
            self.add(value_path, f"'{op}' takes one value, not a list", value)
        elif op == "contains" and value == "":
            self.add(value_path, "'contains' needs a non-empty string", value)
        else:
            self.check_scalar(spec, value, value_path, exact=op in ("=", "!="))

    def between(self, spec: FieldSpec, value: Any, path: Path) -> None:
        if not isinstance(value, list) or len(value) != 2:
            self.add(path, "'between' needs [low, high]", value)
            return
        if not all(self.scalar_ok(spec, v) for v in value):
            self.add(path, f"'between' needs two values of {spec.name}'s type", value)
            return
        low, high = value
        if spec.type == "time":
            low, high = time_value(low), time_value(high)
        if low > high:
            self.add(path, "'between' needs low <= high", value)

    def window(self, days: Any, path: Path) -> None:
        if days is not None and not (0 < days <= MAX_WINDOW_DAYS):
            self.add(path, f"a window is more than 0 and at most {MAX_WINDOW_DAYS} days", days)

    def event_spec(self, spec: EventSpec, path: Path) -> None:
        self.window(spec.within_days, (*path, "within_days"))
        if spec.item_ids is not None and not spec.item_ids:
            self.add((*path, "item_ids"), "item_ids, when given, lists at least one item", [])
        for name in ("min_price", "max_price"):
            price = getattr(spec, name)
            if price is not None and not (_is_number(price) and price >= 0):
                self.add((*path, name), "a price is a number >= 0", price)
        if (
            spec.min_price is not None
            and spec.max_price is not None
            and spec.min_price > spec.max_price
        ):
            self.add((*path, "max_price"), "max_price is below min_price", spec.max_price)
        if spec.category is not None:
            if not spec.category.strip():
                self.add((*path, "category"), "an empty category", spec.category)
            elif self.check_values and spec.category not in self.catalogue.categories:
                names = list(self.catalogue.categories)
                near = difflib.get_close_matches(spec.category, names, n=3)
                hint = f"; did you mean {', '.join(near)}?" if near else ""
                self.add((*path, "category"), f"no item has this category{hint}", spec.category)

    def event(self, rule: EventRule, path: Path) -> None:
        self.event_spec(rule.event, (*path, "event"))
        if rule.measure == "exists":
            if rule.op is not None or rule.value is not None:
                self.add((*path, "op"), "'exists' takes no op or value", rule.op)
            return
        if rule.op is None:
            self.add((*path, "op"), f"'{rule.measure}' needs an op and a value")
            return
        if rule.op not in (*COMPARE_OPS, "between"):
            self.add(
                (*path, "op"),
                f"'{rule.measure}' compares with =, !=, <, <=, >, >=, between",
                rule.op,
            )
            return
        spec = FieldSpec(name=rule.measure, type="number", description="", source="derived")
        self.operation(spec, rule.op, rule.value, path)

    def funnel(self, rule: FunnelRule, path: Path) -> None:
        funnel = rule.funnel
        base = (*path, "funnel")
        self.event_spec(funnel.did, (*base, "did"))
        self.event_spec(funnel.then_not, (*base, "then_not"))
        if funnel.then_not.within_days is not None:
            self.add(
                (*base, "then_not", "within_days"),
                "then_not's window is within_hours after the first event",
                funnel.then_not.within_days,
            )
        if funnel.did.within_days is not None and funnel.within_days is not None:
            self.add((*base, "did", "within_days"), "give within_days once", funnel.did.within_days)
        self.window(funnel.within_days, (*base, "within_days"))
        if not (0 < funnel.within_hours <= MAX_WINDOW_DAYS * 24):
            self.add((*base, "within_hours"), "within_hours is more than 0", funnel.within_hours)


def _cycles(rule: Rule, segment_id: str | None, rules_of: RulesOf, checker: _Checker) -> None:
    """Unknown segments, and a path of references that comes back to where it started."""
    for node, path in walk(rule):
        if not isinstance(node, SegmentRule):
            continue
        target = node.segment
        if target == segment_id:
            checker.add((*path, "segment"), "a segment cannot contain itself", target)
            continue
        if target not in checker.catalogue.segments and rules_of(target) is None:
            checker.add((*path, "segment"), "unknown segment", target)
            continue
        chain = _back_to(target, segment_id, rules_of, [target], set())
        if chain is not None:
            checker.add(
                (*path, "segment"),
                "segments refer to each other in a cycle: " + " -> ".join(chain),
                target,
            )


def _back_to(
    current: str, start: str | None, rules_of: RulesOf, chain: list[str], seen: set[str]
) -> list[str] | None:
    if current in seen:
        return chain if current in chain[:-1] else None
    seen.add(current)
    rule = rules_of(current)
    if rule is None:
        return None
    for ref in segment_refs(rule):
        if ref == start or ref in chain:
            return [*chain, ref]
        found = _back_to(ref, start, rules_of, [*chain, ref], seen)
        if found is not None:
            return found
    return None


def validate_rule(
    rule: Rule,
    catalogue: Catalogue,
    *,
    rules_of: RulesOf | None = None,
    segment_id: str | None = None,
    check_values: bool = True,
) -> None:
    """Raise :class:`RuleError` with every problem of ``rule`` (nothing when it is sound).

    ``rules_of`` looks up other segments' rules (to find cycles); ``segment_id`` is the
    segment being defined, if any. ``check_values`` also refuses values outside a field's
    allowed set and categories no item has (off when re-checking stored rules, so a
    category that left the catalogue does not break a refresh).
    """
    checker = _Checker(catalogue, check_values)
    for node, path in walk(rule):
        if isinstance(node, AnyRule) and not node.any:
            checker.add((*path, "any"), "'any' needs at least one rule", [])
        elif isinstance(node, FieldRule):
            checker.field(node, path)
        elif isinstance(node, EventRule):
            checker.event(node, path)
        elif isinstance(node, FunnelRule):
            checker.funnel(node, path)
    _cycles(rule, segment_id, rules_of or (lambda _id: None), checker)
    if checker.problems:
        raise RuleError(checker.problems)


def check_rule(
    data: Any,
    catalogue: Catalogue,
    *,
    rules_of: RulesOf | None = None,
    segment_id: str | None = None,
    check_values: bool = True,
) -> Rule:
    """Parse and validate a rule's JSON form (dict or text): the rule, or :class:`RuleError`."""
    rule = parse_rule(data)
    validate_rule(
        rule, catalogue, rules_of=rules_of, segment_id=segment_id, check_values=check_values
    )
    return rule
