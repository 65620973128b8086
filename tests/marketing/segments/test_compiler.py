"""The SQL compiler selects exactly the people a brute-force evaluation of the same rule
selects, on SQLite and on PostgreSQL, for random rules over a small random shop."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from tests.marketing.segments import shop
from tests.marketing.segments.brute import Brute
from tests.marketing.segments.strategies import SEGMENTS, rules

from recmind.data.store import Store
from recmind.marketing.segments.catalogue import load_catalogue
from recmind.marketing.segments.compiler import compile_rule, count_query
from recmind.marketing.segments.rules import Rule, parse_rule
from recmind.marketing.segments.validate import check_rule

STORED = {name: parse_rule(rule) for name, rule in SEGMENTS.items()}


def rules_of(segment_id: str) -> Rule | None:
    return STORED.get(segment_id)


def sql_members(store: Store, rule: Rule, as_of: float) -> set[str]:
    query = compile_rule(rule, as_of=as_of, dialect=store.dialect, rules_of=rules_of)
    with store.engine.connect() as connection:
        found = [row[0] for row in connection.execute(query)]
    assert len(found) == len(set(found)), "a member is listed twice"
    return set(found)


class Checker:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.as_of = shop.fill(store)
        self.catalogue = load_catalogue(store)
        self.brutes: dict[float, Brute] = {}

    def check(
        self, data: dict[str, Any], as_of: float | None = None, check_values: bool = True
    ) -> set[str]:
        moment = self.as_of if as_of is None else as_of
        rule = check_rule(data, self.catalogue, rules_of=rules_of, check_values=check_values)
        if moment not in self.brutes:
            self.brutes[moment] = Brute(self.store, moment, rules_of)
        expected = self.brutes[moment].members(rule)
        assert sql_members(self.store, rule, moment) == expected, data
        return expected


@pytest.fixture
def checker(store: Store) -> Checker:
    return Checker(store)


KINDS: list[dict[str, Any]] = [
    {"field": "monetary_total", "op": ">=", "value": 100},
    {"field": "recency_days", "op": "between", "value": [10, 90]},
    {"field": "top_category", "op": "in", "value": ["Books", "Toys"]},
    {"field": "attributes.city", "op": "=", "value": "Berlin"},
    {"field": "attributes.age", "op": ">", "value": 30},
    {"field": "attributes.vip", "op": "=", "value": True},
    {"field": "attributes.city", "op": "is not set"},
    {"field": "category_shares.Books", "op": ">=", "value": 0.3},
    {"field": "email", "op": "contains", "value": "mail.example"},
    {"field": "created_at", "op": "<", "value": "2023-06-01"},
    {"field": "churn_risk", "op": ">", "value": 0.5},
    {"field": "days_since_last_purchase", "op": ">", "value": 30},
    {"field": "days_since_first_purchase", "op": "is set"},
    {"field": "rfm_recency_score", "op": ">=", "value": 4},
    {"field": "rfm_frequency_score", "op": "between", "value": [2, 3]},
    {"field": "expected_spend_decile", "op": "=", "value": 10},
    {"event": {"type": "purchase", "within_days": 90}, "measure": "count", "op": ">=", "value": 2},
    {"event": {"type": "view", "within_days": 30}, "measure": "count", "op": "<", "value": 2},
    {"event": {"type": "purchase", "category": "Books"}, "measure": "sum", "op": ">", "value": 30},
    {"event": {"type": "view", "min_price": 10, "max_price": 40}, "measure": "exists"},
    {"event": {"type": "add_to_cart", "item_ids": ["i01", "i02"]}, "measure": "exists"},
    {
        "funnel": {
            "did": {"type": "add_to_cart"},
            "then_not": {"type": "purchase"},
            "within_hours": 2,
        }
    },
    {"segment": "recent-buyers"},
    {"consent": "email"},
    {"not": {"field": "churn_risk", "op": ">", "value": 0.5}},
    {"any": [{"consent": "email"}, {"field": "order_count", "op": ">=", "value": 3}]},
    {"all": []},
]


def test_every_rule_kind_matches_brute_force(checker: Checker) -> None:
    """Each kind selects exactly the people of its definition, and the cases are not
    vacuous: each selects some people and leaves out others."""
    everyone = checker.check({"all": []})
    assert len(everyone) > 30
    wrong = []
    for data in KINDS[:-1]:
        try:
            found = checker.check(data)
        except AssertionError:
            wrong.append(data)
            continue
        assert 0 < len(found) < len(everyone), data
    assert not wrong, wrong


def test_negation_is_the_complement(checker: Checker) -> None:
    everyone = checker.check({"all": []})
    rule = {"field": "attributes.age", "op": ">", "value": 30}
    assert checker.check({"not": rule}) == everyone - checker.check(rule)


def test_events_after_the_moment_are_not_read(checker: Checker) -> None:
    """Earlier moments see fewer events: counts and universes follow ``as_of``."""
    early = checker.as_of - 60 * 86_400
    rule = {"event": {"type": "purchase"}, "measure": "exists"}
    before = checker.check(rule, as_of=early)
    now = checker.check(rule)
    assert before < now
    assert checker.check({"all": []}, as_of=early) < checker.check({"all": []})


def test_count_query_counts_the_members(checker: Checker) -> None:
    rule = parse_rule({"field": "days_since_last_event", "op": "<", "value": 30})
    members = sql_members(checker.store, rule, checker.as_of)
    query = count_query(rule, as_of=checker.as_of, dialect=checker.store.dialect)
    with checker.store.engine.connect() as connection:
        assert connection.execute(query).scalar_one() == len(members)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=rules)
def test_random_rules_match_brute_force(checker: Checker, data: dict[str, Any]) -> None:
    """Values outside a field's allowed set (a score of 0.3) are allowed here: the
    compiler must still agree with the definition."""
    checker.check(data, check_values=False)
