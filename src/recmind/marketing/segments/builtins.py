"""The built-in segments: the standard RFM segments and four behavioural/predictive ones.

RFM segments use the recency and frequency quintile scores (``rfm_recency_score``,
``rfm_frequency_score``: 1-5 over customers with at least one order, computed in SQL from
``customer_features``; see :data:`recmind.marketing.segments.catalogue.SCORES`) and the
widely used R x F segment map, with its "hibernating" cell split by recency into
hibernating (R = 2) and lost (R = 1). The eleven cells partition every (R, F) pair::

    R\\F  1               2                   3                   4          5
    5    new-customers   potential-loyalists potential-loyalists champions  champions
    4    promising       potential-loyalists potential-loyalists loyal      loyal
    3    about-to-sleep  about-to-sleep      need-attention      loyal      loyal
    2    hibernating     hibernating         at-risk             at-risk    cant-lose-them
    1    lost            lost                at-risk             at-risk    cant-lose-them

The monetary score (``rfm_monetary_score``) is in the catalogue for rules of one's own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from recmind.data.schema import segments
from recmind.data.store import Store
from recmind.marketing.segments.repository import create_segment, list_segments

R, F = "rfm_recency_score", "rfm_frequency_score"


def _rf(r: tuple[int, int], f: tuple[int, int]) -> dict[str, Any]:
    def score(name: str, span: tuple[int, int]) -> dict[str, Any]:
        if span[0] == span[1]:
            return {"field": name, "op": "=", "value": span[0]}
        return {"field": name, "op": "between", "value": list(span)}

    return {"all": [score(R, r), score(F, f)]}


BUILTINS: dict[str, tuple[str, str, dict[str, Any]]] = {
    # id: (name, description, rule)
    "champions": ("Champions", "Bought recently, buy often (R 5, F 4-5).", _rf((5, 5), (4, 5))),
    "loyal": ("Loyal", "Buy often, fairly recently (R 3-4, F 4-5).", _rf((3, 4), (4, 5))),
    "potential-loyalists": (
        "Potential loyalists",
        "Recent customers with a few orders (R 4-5, F 2-3).",
        _rf((4, 5), (2, 3)),
    ),
    "new-customers": (
        "New customers",
        "Bought most recently, once (R 5, F 1).",
        _rf((5, 5), (1, 1)),
    ),
    "promising": ("Promising", "Recent one-order customers (R 4, F 1).", _rf((4, 4), (1, 1))),
    "need-attention": (
        "Need attention",
        "Middling recency and frequency (R 3, F 3).",
        _rf((3, 3), (3, 3)),
    ),
    "about-to-sleep": (
        "About to sleep",
        "Below-average recency, few orders (R 3, F 1-2).",
        _rf((3, 3), (1, 2)),
    ),
    "at-risk": (
        "At risk",
        "Bought often, but long ago (R 1-2, F 3-4).",
        _rf((1, 2), (3, 4)),
    ),
    "cant-lose-them": (
        "Can't lose them",
        "Bought most often, but long ago (R 1-2, F 5).",
        _rf((1, 2), (5, 5)),
    ),
    "hibernating": (
        "Hibernating",
        "Last bought long ago, few orders (R 2, F 1-2).",
        _rf((2, 2), (1, 2)),
    ),
    "lost": ("Lost", "Lowest recency, few orders (R 1, F 1-2).", _rf((1, 1), (1, 2))),
    "one-time-buyers": (
        "One-time buyers",
        "Exactly one order so far.",
        {"field": "order_count", "op": "=", "value": 1},
    ),
    "window-shoppers": (
        "Window shoppers",
        "Viewed products in the last 30 days and never bought.",
        {
            "all": [
                {"event": {"type": "view", "within_days": 30}, "measure": "exists"},
                {"not": {"event": {"type": "purchase"}, "measure": "exists"}},
            ]
        },
    ),
    "likely-to-churn": (
        "Likely to churn",
        "Customers with an order whose predicted churn risk is at least 0.7.",
        {
            "all": [
                {"field": "order_count", "op": ">=", "value": 1},
                {"field": "churn_risk", "op": ">=", "value": 0.7},
            ]
        },
    ),
    "high-predicted-value": (
        "High predicted value",
        "Predicted spend over the horizon in the top decile.",
        {"field": "expected_spend_decile", "op": "=", "value": 10},
    ),
}
RFM_SEGMENTS = tuple(list(BUILTINS)[:11])


def install_builtins(store: Store, *, now: float | None = None) -> list[str]:
    """Create the built-in segments that are missing (by id); returns the ids created.
    Built-ins already stored, changed or not, are left as they are."""
    stored = list_segments(store)
    present = {s.segment_id for s in stored}
    taken_names = {s.name for s in stored}
    created = []
    for segment_id, (name, description, rule) in BUILTINS.items():
        if segment_id in present or name in taken_names:
            continue
        create_segment(
            store,
            name,
            rule,
            description=description,
            segment_id=segment_id,
            builtin=True,
            now=now,
        )
        created.append(segment_id)
    return created


def ensure_builtins(store: Store) -> list[str]:
    """Install the built-ins when the store has no segment at all (its first use); a
    store whose built-ins were deleted on purpose keeps them deleted."""
    with store.engine.connect() as connection:
        if connection.execute(select(segments.c.segment_id).limit(1)).first() is not None:
            return []
    return install_builtins(store)
