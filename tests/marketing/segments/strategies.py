"""Hypothesis strategies: random valid rules over the test shop's fields."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

NUMERIC_FIELDS = (
    "monetary_total",
    "order_count",
    "purchase_count",
    "recency_days",
    "preferred_hour",
    "churn_risk",
    "expected_spend",
    "p_active",
    "days_since_last_purchase",
    "days_since_last_event",
    "days_since_first_purchase",
    "days_since_last_view",
    "days_since_last_cart",
    "attributes.age",
    "category_shares.Books",
    "category_shares.Music",
    "rfm_recency_score",
    "rfm_frequency_score",
    "rfm_monetary_score",
    "expected_spend_decile",
)
TIME_FIELDS = ("created_at", "first_event_at", "last_purchase_at")
TEXT_FIELDS = {
    "timezone": ["Europe/Berlin", "Asia/Shanghai", "Europe"],
    "email": ["mail.example", "u1", "shop"],
    "top_category": ["Books", "Music", "Toys"],
    "attributes.city": ["Berlin", "Paris", "Shanghai", "Rome"],
}
BOOL_FIELDS = ("consent_email", "attributes.vip")
CATEGORIES = ("Books", "Books/Fiction", "Music", "Comedy", "Drama", "Kids", "Toys")
SEGMENTS = {
    "buyers": {"event": {"type": "purchase"}, "measure": "exists"},
    "recent-buyers": {
        "all": [
            {"segment": "buyers"},
            {"field": "days_since_last_purchase", "op": "<=", "value": 60},
        ]
    },
}

numbers = st.sampled_from([0, 1, 2, 3, 5, 10, 30, 45.5, 60, 100, 0.3, 0.5, 25, 31])
ops_compare = st.sampled_from(["=", "!=", "<", "<=", ">", ">="])


def _numeric() -> st.SearchStrategy[dict[str, Any]]:
    def build(name: str, op: str, a: float, b: float, values: list[float]) -> dict[str, Any]:
        if op == "between":
            return {"field": name, "op": op, "value": [min(a, b), max(a, b)]}
        if op in ("in", "not in"):
            return {"field": name, "op": op, "value": values}
        if op in ("is set", "is not set"):
            return {"field": name, "op": op}
        return {"field": name, "op": op, "value": a}

    return st.builds(
        build,
        st.sampled_from(NUMERIC_FIELDS),
        st.sampled_from(
            ["=", "!=", "<", "<=", ">", ">=", "between", "in", "not in", "is set", "is not set"]
        ),
        numbers,
        numbers,
        st.lists(numbers, min_size=1, max_size=3),
    )


def _time() -> st.SearchStrategy[dict[str, Any]]:
    moments = st.sampled_from(["2023-09-01", "2023-06-15T12:00:00", 1_690_000_000, 1_699_000_000.5])
    return st.builds(
        lambda name, op, v: {"field": name, "op": op, "value": v},
        st.sampled_from(TIME_FIELDS),
        st.sampled_from(["<", ">=", ">"]),
        moments,
    )


def _text() -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def build(draw: Any) -> dict[str, Any]:
        name = draw(st.sampled_from(sorted(TEXT_FIELDS)))
        values = TEXT_FIELDS[name]
        op = draw(st.sampled_from(["=", "!=", "in", "not in", "contains", "is set", "is not set"]))
        if op in ("in", "not in"):
            return {
                "field": name,
                "op": op,
                "value": draw(st.lists(st.sampled_from(values), min_size=1, max_size=2)),
            }
        if op in ("is set", "is not set"):
            return {"field": name, "op": op}
        return {"field": name, "op": op, "value": draw(st.sampled_from(values))}

    return build()


def _boolean() -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda name, op, v: {"field": name, "op": op, "value": v},
        st.sampled_from(BOOL_FIELDS),
        st.sampled_from(["=", "!="]),
        st.booleans(),
    )


@st.composite
def event_specs(draw: Any, windowed: bool = True) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "type": draw(st.sampled_from(["view", "add_to_cart", "purchase", "rating", "click"]))
    }
    if draw(st.booleans()):
        spec["category"] = draw(st.sampled_from(CATEGORIES))
    if draw(st.integers(0, 4)) == 0:
        spec["item_ids"] = draw(
            st.lists(st.sampled_from([f"i{i:02d}" for i in range(17)]), min_size=1, max_size=4)
        )
    if draw(st.integers(0, 3)) == 0:
        spec["min_price"] = draw(st.sampled_from([0, 10, 20.5]))
    if draw(st.integers(0, 3)) == 0:
        spec["max_price"] = draw(st.sampled_from([25, 40, 80]))
    if windowed and draw(st.booleans()):
        spec["within_days"] = draw(st.sampled_from([7, 30, 90, 0.5]))
    return spec


@st.composite
def _event(draw: Any) -> dict[str, Any]:
    spec = draw(event_specs())
    measure = draw(st.sampled_from(["count", "sum", "exists"]))
    if measure == "exists":
        return {"event": spec, "measure": "exists"}
    op = draw(st.sampled_from(["=", "!=", "<", "<=", ">", ">=", "between"]))
    a, b = draw(numbers), draw(numbers)
    value: Any = [min(a, b), max(a, b)] if op == "between" else a
    return {"event": spec, "measure": measure, "op": op, "value": value}


@st.composite
def _funnel(draw: Any) -> dict[str, Any]:
    funnel: dict[str, Any] = {
        "did": draw(event_specs()),
        "then_not": draw(event_specs(windowed=False)),
        "within_hours": draw(st.sampled_from([1, 2, 24, 0.25])),
    }
    if "within_days" not in funnel["did"] and draw(st.booleans()):
        funnel["within_days"] = draw(st.sampled_from([30, 90]))
    return {"funnel": funnel}


leaves = st.one_of(
    _numeric(),
    _time(),
    _text(),
    _boolean(),
    _event(),
    _funnel(),
    st.just({"consent": "email"}),
    st.sampled_from([{"segment": name} for name in SEGMENTS]),
)

rules: st.SearchStrategy[dict[str, Any]] = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(inner, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda x: {"not": x}, inner),
    ),
    max_leaves=5,
)
