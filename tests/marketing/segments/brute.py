"""A brute-force evaluation of segment rules in plain Python over a small log: the
reference the SQL compiler is tested against (written from the rule format's definition,
sharing no code with the compiler)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import select

from recmind.data.schema import customer_features, customer_predictions
from recmind.data.store import Store
from recmind.marketing.segments import rules as r

DAY = 86_400.0
DERIVED = {
    "days_since_last_purchase": ({"purchase"}, max),
    "days_since_last_event": (
        {"view", "click", "add_to_cart", "purchase", "rating", "search"},
        max,
    ),
    "days_since_first_purchase": ({"purchase"}, min),
    "days_since_last_view": ({"view"}, max),
    "days_since_last_cart": ({"add_to_cart"}, max),
}
PROFILE = {"created_at", "timezone", "email", "consent_email"}
SCORES = {
    "rfm_recency_score": ("features", "recency_days", True, 5),
    "rfm_frequency_score": ("features", "order_count", False, 5),
    "rfm_monetary_score": ("features", "monetary_total", False, 5),
    "expected_spend_decile": ("predictions", "expected_spend", False, 10),
}


def rank_scores(
    rows: dict[str, dict[str, Any]], column: str, descending: bool, tiles: int, buyers: bool
) -> dict[str, int]:
    """``1 + tiles * (rank - 1) // n``, rank as SQL's RANK() (ties share the lowest)."""
    ranked = {
        uid: row[column]
        for uid, row in rows.items()
        if row[column] is not None and (not buyers or row["order_count"] >= 1)
    }
    n = len(ranked)
    scores = {}
    for uid, value in ranked.items():
        ahead = sum(1 for v in ranked.values() if (v > value if descending else v < value))
        scores[uid] = 1 + tiles * ahead // n
    return scores


def _nan_none(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _moment(value: Any) -> float:
    if isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    return float(value)


class Brute:
    """Everything in a small store, held in dicts; ``members(rule)`` by definition."""

    def __init__(
        self, store: Store, as_of: float, rules_of: Callable[[str], r.Rule | None]
    ) -> None:
        self.as_of = as_of
        self.rules_of = rules_of
        self.users = {row["user_id"]: row for row in store.load_users().to_dict("records")}
        self.items = {row["item_id"]: row for row in store.load_items().to_dict("records")}
        self.events: dict[str, list[dict[str, Any]]] = defaultdict(list)
        all_events = store.load_events().to_dict("records")
        for event in all_events:
            self.events[event["user_id"]].append(event)
        with store.engine.connect() as connection:
            self.features = {
                row.user_id: dict(row._mapping)
                for row in connection.execute(select(customer_features))
            }
            self.predictions = {
                row.user_id: dict(row._mapping)
                for row in connection.execute(select(customer_predictions))
            }
        floor = min((f["as_of"] for f in self.features.values()), default=-math.inf)
        self.universe = {
            uid
            for uid, row in self.users.items()
            if _nan_none(row["created_at"]) is None or row["created_at"] < as_of
        }
        self.universe |= {
            uid for uid, row in self.features.items() if row["first_event_at"] < as_of
        }
        self.universe |= {e["user_id"] for e in all_events if floor <= e["timestamp"] < as_of}

    def members(self, rule: r.Rule) -> set[str]:
        return {uid for uid in self.universe if self.holds(rule, uid)}

    def holds(self, rule: r.Rule, uid: str) -> bool:
        if isinstance(rule, r.AllRule):
            return all(self.holds(x, uid) for x in rule.all)
        if isinstance(rule, r.AnyRule):
            return any(self.holds(x, uid) for x in rule.any)
        if isinstance(rule, r.NotRule):
            return not self.holds(rule.not_, uid)
        if isinstance(rule, r.FieldRule):
            return self.field(rule, uid)
        if isinstance(rule, r.EventRule):
            return self.event(rule, uid)
        if isinstance(rule, r.FunnelRule):
            return self.funnel(rule.funnel, uid)
        if isinstance(rule, r.SegmentRule):
            target = self.rules_of(rule.segment)
            assert target is not None
            return self.holds(target, uid)
        assert isinstance(rule, r.ConsentRule)
        user = self.users.get(uid)
        return user is not None and user["consent_email"] is True

    # --- fields -----------------------------------------------------------------------
    def value(self, name: str, uid: str, sample: Any) -> tuple[Any, str]:
        """The person's value of the field and how to compare it (number, text, bool)."""
        if name.startswith("attributes."):
            user = self.users.get(uid)
            raw = None if user is None else user["attributes"].get(name[len("attributes.") :])
            want = _kind_of(sample)
            return (raw if _kind_of(raw) == want else None), want
        if name.startswith("category_shares."):
            row = self.features.get(uid)
            shares = orjson.loads(row["category_shares"]) if row and row["category_shares"] else {}
            raw = shares.get(name[len("category_shares.") :])
            return (raw if _kind_of(raw) == "number" else None), "number"
        if name in SCORES:
            table, column, descending, tiles = SCORES[name]
            rows = self.features if table == "features" else self.predictions
            scores = rank_scores(rows, column, descending, tiles, table == "features")
            return scores.get(uid), "number"
        if name in PROFILE:
            user = self.users.get(uid)
            raw = None if user is None else _nan_none(user[name])
            kind = "bool" if name == "consent_email" else "text"
            return raw, ("number" if name == "created_at" else kind)
        if name in DERIVED:
            types, pick = DERIVED[name]
            stamps = [
                e["timestamp"]
                for e in self.events.get(uid, [])
                if e["event_type"] in types and e["timestamp"] < self.as_of
            ]
            return ((self.as_of - pick(stamps)) / DAY if stamps else None), "number"
        for table in (self.features, self.predictions):
            row = table.get(uid)
            if row is not None and name in row:
                raw = row[name]
                return raw, ("text" if isinstance(raw, str) else "number")
        return None, "number"

    def field(self, rule: r.FieldRule, uid: str) -> bool:
        sample = rule.value[0] if isinstance(rule.value, list) else rule.value
        value, kind = self.value(rule.field, uid, sample)
        if rule.field.startswith("attributes.") and rule.op in ("is set", "is not set"):
            user = self.users.get(uid)
            raw = None if user is None else user["attributes"].get(rule.field[11:])
            return (raw is not None) == (rule.op == "is set")
        if rule.op == "is set":
            return value is not None
        if rule.op == "is not set":
            return value is None
        if value is None:
            return False
        if kind == "bool":
            return bool(value) == (rule.value if rule.op == "=" else not rule.value)
        target: Any = rule.value
        if rule.field.endswith("_at"):
            target = [_moment(v) for v in target] if isinstance(target, list) else _moment(target)
        return compare(value, rule.op, target)

    # --- events -----------------------------------------------------------------------
    def matching(self, spec: r.EventSpec, uid: str, within_days: Any) -> list[dict[str, Any]]:
        found = []
        for event in self.events.get(uid, []):
            if event["event_type"] != spec.type or event["timestamp"] >= self.as_of:
                continue
            if within_days is not None and event["timestamp"] < self.as_of - within_days * DAY:
                continue
            if spec.item_ids is not None and event["item_id"] not in spec.item_ids:
                continue
            if (
                spec.category is not None
                or spec.min_price is not None
                or spec.max_price is not None
            ):
                item = self.items.get(event["item_id"])
                if item is None or not self.item_ok(spec, item):
                    continue
            found.append(event)
        return found

    @staticmethod
    def item_ok(spec: r.EventSpec, item: dict[str, Any]) -> bool:
        if spec.category is not None:
            members = [m.strip() for m in (item["category"] or "").split("|")]
            if not any(m == spec.category or m.startswith(spec.category + "/") for m in members):
                return False
        price = _nan_none(item["price"])
        if spec.min_price is not None and (price is None or price < spec.min_price):
            return False
        return not (spec.max_price is not None and (price is None or price > spec.max_price))

    def event(self, rule: r.EventRule, uid: str) -> bool:
        found = self.matching(rule.event, uid, rule.event.within_days)
        if rule.measure == "exists":
            return bool(found)
        if rule.measure == "count":
            total = float(len(found))
        else:
            total = sum(0.0 if _nan_none(e["value"]) is None else e["value"] for e in found)
        return compare(total, rule.op or "=", rule.value)

    def funnel(self, funnel: r.Funnel, uid: str) -> bool:
        hours = funnel.within_hours * 3600.0
        days = funnel.within_days if funnel.within_days is not None else funnel.did.within_days
        follow = self.matching(funnel.then_not, uid, None)
        for first in self.matching(funnel.did, uid, days):
            if first["timestamp"] > self.as_of - hours:
                continue
            if not any(
                first["timestamp"] <= e["timestamp"] <= first["timestamp"] + hours for e in follow
            ):
                return True
        return False


def _kind_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    return "other"


def compare(value: Any, op: str, target: Any) -> bool:
    if op == "between":
        return bool(target[0] <= value <= target[1])
    if op == "in":
        return value in target
    if op == "not in":
        return value not in target
    if op == "contains":
        return str(target) in value
    return {
        "=": value == target,
        "!=": value != target,
        "<": value < target,
        "<=": value <= target,
        ">": value > target,
        ">=": value >= target,
    }[op]
