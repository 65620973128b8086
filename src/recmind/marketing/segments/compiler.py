"""A rule compiled to ONE SQL query (SQLAlchemy Core) that selects the matching user ids.

The universe of customers at the evaluation moment ``as_of`` is the union of
- ``users`` rows created before ``as_of`` (or with no ``created_at``),
- ``customer_features`` rows whose first event is before ``as_of``, and
- everyone with an event in ``[oldest features as_of, as_of)``: the customers the feature
  snapshot cannot know yet (the features table holds a row for every customer with an
  event before its ``as_of``, so nobody with an earlier event is missed; with no
  features at all this is everyone with an event before ``as_of``).

Conditions, all two-valued (see :mod:`.sql_fields`):
- profile fields and attributes read ``users`` (JSON functions for ``attributes.KEY``);
  feature and prediction fields read the stored snapshot in ``customer_features`` /
  ``customer_predictions`` (left-joined: a customer without a row has them unset);
- derived day fields (``days_since_last_purchase`` ...) are correlated ``MAX``/``MIN``
  subqueries over the person's events before ``as_of``: exact at any moment;
- event aggregates (count, sum of ``value``, exists; people without a matching event have
  count and sum 0) are, on SQLite, subqueries correlated per customer (a seek into
  ``events (user_id, event_type, timestamp)``), and on PostgreSQL one aggregate per
  customer over the window's events, left-joined to the universe (hashed; the condition
  then works under ``not`` and ``or`` alike);
- a funnel selects people with a first event at least H hours before ``as_of`` and no
  follow-up event at the same moment or up to H hours after it (``NOT EXISTS``); the
  same two shapes per database as event aggregates;
- ``{"segment": ID}`` inlines that segment's current rule, evaluated at the same moment
  (so a preview at any ``as_of`` is exact and needs no refresh first; cycles are refused);
- ``{"consent": "email"}`` is ``users.consent_email`` true.

Only events with ``timestamp < as_of`` are read; windows are ``[as_of - N days, as_of)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Subquery,
    and_,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.sql.selectable import NamedFromClause

from recmind.data.bundle import EVENT_TYPES
from recmind.data.schema import customer_features, customer_predictions, events, items, users
from recmind.marketing.segments.catalogue import (
    ATTRIBUTE_PREFIX,
    DERIVED,
    SCORES,
    SHARE_PREFIX,
    Catalogue,
    static_fields,
)
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
    RuleError,
    RuleProblem,
    SegmentRule,
)
from recmind.marketing.segments.sql_fields import (
    DAY,
    HOUR,
    apply_op,
    json_present,
    json_value,
    text_contains,
)
from recmind.marketing.segments.sql_scores import ScoreConditions
from recmind.marketing.segments.validate import field_spec

RulesOf = Callable[[str], Rule | None]
_STATIC = Catalogue(fields=tuple(static_fields()))
"""Types of every fixed field (attributes are typed by the rule's value)."""


def universe(as_of: float) -> Subquery:
    """Everyone a rule can select at ``as_of`` (see the module's docstring), each once.

    ``UNION ALL`` of disjoint parts (each later part leaves out the people of the earlier
    ones with a primary-key ``NOT EXISTS``), so no part of it is sorted or hashed whole.
    """
    known_user = or_(users.c.created_at.is_(None), users.c.created_at < as_of)
    u2 = users.alias("u2")
    f2 = customer_features.alias("f2")

    def no_user(user_id: Any) -> ColumnElement[bool]:
        return ~exists().where(
            u2.c.user_id == user_id, or_(u2.c.created_at.is_(None), u2.c.created_at < as_of)
        )

    oldest = select(func.min(customer_features.c.as_of)).scalar_subquery()
    floor = func.coalesce(oldest, -1e300)
    recent = (
        select(events.c.user_id)
        .where(
            # Every type (no filter at all): lets an index led by (event_type, timestamp)
            # serve the time range.
            events.c.event_type.in_(EVENT_TYPES),
            events.c.timestamp < as_of,
            events.c.timestamp >= floor,
            no_user(events.c.user_id),
            ~exists().where(f2.c.user_id == events.c.user_id, f2.c.first_event_at < as_of),
        )
        .distinct()
    )
    parts = union_all(
        select(users.c.user_id).where(known_user),
        select(customer_features.c.user_id).where(
            customer_features.c.first_event_at < as_of, no_user(customer_features.c.user_id)
        ),
        recent,
    )
    return parts.subquery("universe")


class _Compiler:
    def __init__(self, as_of: float, dialect: str, rules_of: RulesOf) -> None:
        self.as_of = float(as_of)
        self.dialect = dialect
        self.rules_of = rules_of
        self.u = universe(self.as_of)
        self.correlated = dialect == "sqlite"
        """Event conditions as per-customer correlated subqueries (SQLite) or as one
        grouped pass over the events (PostgreSQL); both select the same people."""
        self.joined: dict[str, NamedFromClause] = {}
        self.aggregates: list[Subquery] = []
        self.stack: list[str] = []

    # --- the tables a rule reads besides the universe -------------------------------
    def table(self, name: str) -> NamedFromClause:
        if name not in self.joined:
            source = {
                "users": users,
                "features": customer_features,
                "predictions": customer_predictions,
            }[name]
            self.joined[name] = source.alias(name)
        return self.joined[name]

    def from_clause(self) -> FromClause:
        clause: FromClause = self.u
        for alias in (*self.joined.values(), *self.aggregates):
            clause = clause.outerjoin(alias, alias.c.user_id == self.u.c.user_id)
        return clause

    # --- the rule tree --------------------------------------------------------------
    def cond(self, rule: Rule) -> ColumnElement[bool]:
        if isinstance(rule, AllRule):
            return and_(true(), *(self.cond(r) for r in rule.all))
        if isinstance(rule, AnyRule):
            return or_(false(), *(self.cond(r) for r in rule.any))
        if isinstance(rule, NotRule):
            return not_(self.cond(rule.not_))
        if isinstance(rule, FieldRule):
            return self.field(rule)
        if isinstance(rule, EventRule):
            return self.event(rule)
        if isinstance(rule, FunnelRule):
            return self.funnel(rule)
        if isinstance(rule, SegmentRule):
            return self.segment(rule.segment)
        assert isinstance(rule, ConsentRule)
        consent: ColumnElement[bool] = self.table("users").c.consent_email.is_(true())
        return consent

    def segment(self, segment_id: str) -> ColumnElement[bool]:
        if segment_id in self.stack:
            chain = " -> ".join([*self.stack, segment_id])
            raise RuleError([RuleProblem(("segment",), f"segments form a cycle: {chain}")])
        rule = self.rules_of(segment_id)
        if rule is None:
            raise RuleError([RuleProblem(("segment",), "unknown segment", segment_id)])
        self.stack.append(segment_id)
        try:
            return self.cond(rule)
        finally:
            self.stack.pop()

    # --- fields ---------------------------------------------------------------------
    def field(self, rule: FieldRule) -> ColumnElement[bool]:
        spec = field_spec(_STATIC, rule.field, rule.value)
        if spec is None:
            raise RuleError([RuleProblem(("field",), "unknown field", rule.field)])
        name = rule.field
        if name.startswith(ATTRIBUTE_PREFIX):
            document = self.table("users").c.attributes
            key = name[len(ATTRIBUTE_PREFIX) :]
            if rule.op in ("is set", "is not set"):
                present = json_present(document, key, self.dialect)
                return present if rule.op == "is set" else not_(present)
            expr: Any = json_value(document, key, spec.type, self.dialect)
        elif name.startswith(SHARE_PREFIX):
            document = self.table("features").c.category_shares
            expr = json_value(document, name[len(SHARE_PREFIX) :], "number", self.dialect)
        elif spec.source == "profile":
            expr = self.table("users").c[name]
        elif spec.source == "feature":
            expr = self.table("features").c[name]
        elif spec.source == "prediction":
            expr = self.table("predictions").c[name]
        elif spec.source == "score":
            joined = self.table("features" if SCORES[name][0] == "features" else "predictions")
            return ScoreConditions(name, joined).condition(rule.op, rule.value)
        else:
            expr = self.derived_days(name)
        return apply_op(expr, rule.op, rule.value, spec.type, self.dialect)

    def derived_days(self, name: str) -> Any:
        types, which, _ = DERIVED[name]
        e = events.alias("d")
        kind = e.c.event_type == types[0] if len(types) == 1 else literal(True)
        moment = (func.max if which == "max" else func.min)(e.c.timestamp)
        found = (
            select(moment)
            .where(e.c.user_id == self.u.c.user_id, kind, e.c.timestamp < self.as_of)
            .scalar_subquery()
        )
        return (literal(self.as_of) - found) / DAY

    # --- events ---------------------------------------------------------------------
    def events_of(
        self, spec: EventSpec, name: str, within_days: float | None
    ) -> tuple[Any, FromClause, list[ColumnElement[bool]]]:
        """An alias of events, what to select it from (joined to the items it is about
        when the spec filters on category or price) and the spec's conditions."""
        e = events.alias(name)
        source: FromClause = e
        tests = [e.c.event_type == spec.type, e.c.timestamp < self.as_of]
        if within_days is not None:
            tests.append(e.c.timestamp >= self.as_of - float(within_days) * DAY)
        if spec.item_ids is not None:
            tests.append(e.c.item_id.in_(spec.item_ids))
        about: list[ColumnElement[bool]] = []
        i = items.alias(f"{name}_item")
        if spec.category is not None:
            padded = "|" + func.replace(func.replace(i.c.category, " |", "|"), "| ", "|") + "|"
            about.append(
                or_(
                    text_contains(padded, f"|{spec.category}|", self.dialect),
                    text_contains(padded, f"|{spec.category}/", self.dialect),
                )
            )
        if spec.min_price is not None:
            about.append(i.c.price >= float(spec.min_price))
        if spec.max_price is not None:
            about.append(i.c.price <= float(spec.max_price))
        if about and self.correlated:
            # Per customer (SQLite): test each event's item against the matching items,
            # listed once for the whole query.
            tests.append(e.c.item_id.in_(select(i.c.item_id).where(*about)))
        elif about:
            # One pass (PostgreSQL): a join, hashed.
            source = e.join(i, i.c.item_id == e.c.item_id)
            tests.extend(about)
        return e, source, tests

    def event(self, rule: EventRule) -> ColumnElement[bool]:
        e, source, where = self.events_of(rule.event, "e", rule.event.within_days)
        total: Any = (
            func.count() if rule.measure == "count" else func.coalesce(func.sum(e.c.value), 0.0)
        )
        if rule.measure == "exists":
            # Correlated EXISTS on both: SQLite seeks per customer, PostgreSQL plans it as
            # a semi-join (an anti-join under "not"), hashed or by index as it costs.
            mine = select(literal(1)).select_from(source)
            return mine.where(e.c.user_id == self.u.c.user_id, *where).exists()
        assert rule.op is not None
        if self.correlated:
            # SQLite: per customer, a seek into (user_id, event_type, timestamp): cost
            # follows the customers, not the events in the window (no big sort or hash).
            count = select(total).select_from(source)
            count = count.where(e.c.user_id == self.u.c.user_id, *where)
            return apply_op(count.scalar_subquery(), rule.op, rule.value, "number", self.dialect)
        # PostgreSQL: one pass over the window's events, aggregated per customer and
        # left-joined (hashed, spilling to disk when large), so the condition can sit under
        # a "not" or an "or"; a subplan per customer costs more there, and ``NOT IN
        # (subquery)`` would rescan the subquery per customer once it outgrows work_mem.
        grouped = (
            select(e.c.user_id, total.label("total"))
            .select_from(source)
            .where(*where)
            .group_by(e.c.user_id)
        )
        amount = func.coalesce(self.left_join(grouped).c.total, 0)
        return apply_op(amount, rule.op, rule.value, "number", self.dialect)

    def left_join(self, per_customer: Select[Any]) -> Subquery:
        """``per_customer`` (one row per user_id) left-joined to the universe."""
        found = per_customer.subquery(f"agg{len(self.aggregates)}")
        self.aggregates.append(found)
        return found

    def funnel(self, rule: FunnelRule) -> ColumnElement[bool]:
        funnel = rule.funnel
        hours = float(funnel.within_hours) * HOUR
        days = funnel.within_days if funnel.within_days is not None else funnel.did.within_days
        first, first_source, first_tests = self.events_of(funnel.did, "f1", days)
        then, then_source, then_tests = self.events_of(funnel.then_not, "f2", None)
        follow_up = (
            select(literal(1))
            .select_from(then_source)
            .where(
                then.c.user_id == first.c.user_id,
                then.c.timestamp >= first.c.timestamp,
                then.c.timestamp <= first.c.timestamp + hours,
                *then_tests,
            )
            .exists()
        )
        starts = (
            select(first.c.user_id)
            .select_from(first_source)
            .where(*first_tests, first.c.timestamp <= self.as_of - hours, not_(follow_up))
        )
        return starts.where(first.c.user_id == self.u.c.user_id).exists()


def compile_rule(
    rule: Rule, *, as_of: float, dialect: str, rules_of: RulesOf | None = None
) -> Select[str]:
    """``SELECT user_id`` of everyone in the universe at ``as_of`` for whom ``rule`` holds.

    ``dialect`` is ``"sqlite"`` or ``"postgresql"``; ``rules_of`` gives the rule of a
    segment the rule names (``{"segment": ID}``). The rule should be validated first
    (:func:`recmind.marketing.segments.validate.validate_rule`); an unknown field or
    segment or a cycle met here raises :class:`RuleError`.
    """
    compiler = _Compiler(as_of, dialect, rules_of or (lambda _id: None))
    condition = compiler.cond(rule)
    return select(compiler.u.c.user_id).select_from(compiler.from_clause()).where(condition)


def count_query(
    rule: Rule, *, as_of: float, dialect: str, rules_of: RulesOf | None = None
) -> Select[int]:
    """``SELECT count(*)`` of the rule's members."""
    members = compile_rule(rule, as_of=as_of, dialect=dialect, rules_of=rules_of).subquery()
    return select(func.count()).select_from(members)
