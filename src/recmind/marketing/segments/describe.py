"""A rule in plain English words (shown for approval before a drafted rule is saved)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from recmind.marketing.segments.catalogue import ATTRIBUTE_PREFIX, SHARE_PREFIX
from recmind.marketing.segments.rules import (
    AllRule,
    AnyRule,
    ConsentRule,
    EventRule,
    EventSpec,
    FieldRule,
    FunnelRule,
    NotRule,
    Rule,
    SegmentRule,
)

VERBS = {
    "view": ("viewed", "views"),
    "click": ("clicked", "clicks"),
    "add_to_cart": ("added to cart", "add-to-carts"),
    "purchase": ("purchased", "purchases"),
    "rating": ("rated", "ratings"),
    "search": ("searched", "searches"),
}
FIELD_OPS = {
    "=": "is",
    "!=": "is not",
    "<": "is less than",
    "<=": "is at most",
    ">": "is more than",
    ">=": "is at least",
    "contains": "contains",
}
COUNT_OPS = {
    "=": "exactly",
    "!=": "other than",
    "<": "fewer than",
    "<=": "at most",
    ">": "more than",
    ">=": "at least",
}


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if name.endswith("_at") and isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, str):
        return f'"{value}"'
    return _number(value)


def _label(name: str) -> str:
    if name.startswith(ATTRIBUTE_PREFIX):
        return f'attribute "{name[len(ATTRIBUTE_PREFIX) :]}"'
    if name.startswith(SHARE_PREFIX):
        return f'share of activity in "{name[len(SHARE_PREFIX) :]}"'
    return name.replace("_", " ")


def _listed(name: str, values: list[Any], word: str) -> str:
    shown = [_value(name, v) for v in values]
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + f" {word} " + shown[-1]


def _field(rule: FieldRule) -> str:
    label, op, value = _label(rule.field), rule.op, rule.value
    if op == "is set":
        return f"{label} is known"
    if op == "is not set":
        return f"{label} is unknown"
    if op == "between" and isinstance(value, list):
        return (
            f"{label} is between {_value(rule.field, value[0])} and {_value(rule.field, value[1])}"
        )
    if op in ("in", "not in") and isinstance(value, list):
        words = "is one of" if op == "in" else "is none of"
        return f"{label} {words} {_listed(rule.field, value, 'or')}"
    return f"{label} {FIELD_OPS[op]} {_value(rule.field, value)}"


def _about(spec: EventSpec, lead: str = " an item ") -> str:
    parts = []
    if spec.item_ids:
        parts.append("item " + _listed("", list(spec.item_ids), "or"))
    if spec.category is not None:
        parts.append(f'in category "{spec.category}"')
    if spec.min_price is not None and spec.max_price is not None:
        parts.append(f"priced {_number(spec.min_price)} to {_number(spec.max_price)}")
    elif spec.min_price is not None:
        parts.append(f"priced at least {_number(spec.min_price)}")
    elif spec.max_price is not None:
        parts.append(f"priced at most {_number(spec.max_price)}")
    return (lead + " ".join(parts)) if parts else ""


def _window(days: Any) -> str:
    if days is None:
        return " (ever)"
    return " in the last day" if days == 1 else f" in the last {_number(days)} days"


def _event(rule: EventRule) -> str:
    spec = rule.event
    verb, noun = VERBS[spec.type]
    about, window = _about(spec), _window(spec.within_days)
    if rule.measure == "exists":
        return f"{verb}{about}{window}"
    value = rule.value
    if rule.op == "between" and isinstance(value, list):
        amount = f"between {_number(value[0])} and {_number(value[1])}"
    else:
        amount = f"{COUNT_OPS.get(rule.op or '=', rule.op)} {_number(value)}"
    if rule.measure == "count":
        return f"{verb}{about} {amount} times{window}"
    of_items = _about(spec, " of items ")
    if spec.type == "purchase":
        return f"spent {amount} on purchases{of_items}{window}"
    return f"the total value of {noun}{of_items}{window} is {amount}"


def _funnel(rule: FunnelRule) -> str:
    funnel = rule.funnel
    did, _ = VERBS[funnel.did.type]
    then, _ = VERBS[funnel.then_not.type]
    days = funnel.within_days if funnel.within_days is not None else funnel.did.within_days
    hours = _number(funnel.within_hours)
    unit = "hour" if hours == "1" else "hours"
    return (
        f"{did}{_about(funnel.did)}{_window(days) if days is not None else ''} and then had not "
        f"{then}{_about(funnel.then_not)} within {hours} {unit}"
    )


def _grouped(rule: Rule) -> str:
    text = describe(rule)
    several = (isinstance(rule, AllRule) and len(rule.all) > 1) or (
        isinstance(rule, AnyRule) and len(rule.any) > 1
    )
    return f"({text})" if several else text


def describe(rule: Rule) -> str:
    """The rule in plain English, e.g. ``purchased at least 2 times in the last 90 days and
    not (churn risk is more than 0.5)``."""
    if isinstance(rule, AllRule):
        if not rule.all:
            return "everyone"
        return " and ".join(_grouped(r) for r in rule.all)
    if isinstance(rule, AnyRule):
        return " or ".join(_grouped(r) for r in rule.any)
    if isinstance(rule, NotRule):
        return f"not ({describe(rule.not_)})"
    if isinstance(rule, FieldRule):
        return _field(rule)
    if isinstance(rule, EventRule):
        return _event(rule)
    if isinstance(rule, FunnelRule):
        return _funnel(rule)
    if isinstance(rule, SegmentRule):
        return f'is in segment "{rule.segment}"'
    assert isinstance(rule, ConsentRule)
    return "agreed to marketing e-mail"
