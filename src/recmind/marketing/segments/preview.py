"""What a rule selects before it is saved: the count, a sample and distributions.

The rule runs in the store as one query; only the members' few feature columns come back
(never events). Distributions cover recency, frequency (orders), monetary value,
predicted spend and churn risk (summary statistics and a histogram each) and the top
categories.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import func, select

from recmind.data.schema import customer_features, customer_predictions
from recmind.data.store import Store
from recmind.marketing.segments.compiler import compile_rule, count_query, universe
from recmind.marketing.segments.describe import describe
from recmind.marketing.segments.rules import Rule
from recmind.marketing.segments.session import reading
from recmind.marketing.segments.validate import RulesOf

SAMPLE_SIZE = 10
HISTOGRAM_BINS = 10
NUMERIC = {
    "recency_days": customer_features.c.recency_days,
    "order_count": customer_features.c.order_count,
    "monetary_total": customer_features.c.monetary_total,
    "expected_spend": customer_predictions.c.expected_spend,
    "churn_risk": customer_predictions.c.churn_risk,
}
"""The features a preview shows per person and summarises (recency, frequency, monetary,
predicted value, churn risk)."""


@dataclass(frozen=True)
class Preview:
    """A rule's members at ``as_of``: how many, who (a sample), and what they look like."""

    as_of: float
    count: int
    customers: int
    description: str
    sample: list[dict[str, Any]] = field(default_factory=list)
    distributions: dict[str, Any] = field(default_factory=dict)
    top_categories: list[dict[str, Any]] = field(default_factory=list)
    features_as_of: float | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "count": self.count,
            "customers": self.customers,
            "share": self.count / self.customers if self.customers else 0.0,
            "description": self.description,
            "sample": self.sample,
            "distributions": self.distributions,
            "top_categories": self.top_categories,
            "features_as_of": self.features_as_of,
            "seconds": round(self.seconds, 4),
        }


def count_members(
    store: Store, rule: Rule, *, as_of: float | None = None, rules_of: RulesOf | None = None
) -> int:
    """How many people the rule selects at ``as_of`` (default now): one COUNT query."""
    moment = time.time() if as_of is None else float(as_of)
    query = count_query(rule, as_of=moment, dialect=store.dialect, rules_of=rules_of)
    with reading(store) as connection:
        return int(connection.execute(query).scalar_one())


def summarise(values: list[float]) -> dict[str, Any]:
    """Count, mean, quantiles and a histogram of the values that are set."""
    if not values:
        return {"set": 0}
    data = np.asarray(values, dtype=float)
    quantiles = np.quantile(data, [0.0, 0.25, 0.5, 0.75, 1.0])
    counts, edges = np.histogram(data, bins=HISTOGRAM_BINS)
    return {
        "set": int(data.size),
        "mean": float(data.mean()),
        "min": float(quantiles[0]),
        "p25": float(quantiles[1]),
        "median": float(quantiles[2]),
        "p75": float(quantiles[3]),
        "max": float(quantiles[4]),
        "histogram": {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]},
    }


def preview(
    store: Store,
    rule: Rule,
    *,
    as_of: float | None = None,
    rules_of: RulesOf | None = None,
    sample_size: int = SAMPLE_SIZE,
    seed: int = 0,
) -> Preview:
    """Count, sample and distributions of the rule's members at ``as_of`` (default now)."""
    started = time.perf_counter()
    moment = time.time() if as_of is None else float(as_of)
    members = compile_rule(rule, as_of=moment, dialect=store.dialect, rules_of=rules_of).subquery(
        "members"
    )
    columns = [members.c.user_id, *(c.label(name) for name, c in NUMERIC.items())]
    query = (
        select(*columns, customer_features.c.top_category)
        .select_from(members)
        .outerjoin(customer_features, customer_features.c.user_id == members.c.user_id)
        .outerjoin(customer_predictions, customer_predictions.c.user_id == members.c.user_id)
    )
    everyone = select(func.count()).select_from(universe(moment))
    with reading(store) as connection:
        rows = [dict(row._mapping) for row in connection.execute(query)]
        customers = int(connection.execute(everyone).scalar_one())
        features_as_of = connection.execute(select(func.max(customer_features.c.as_of))).scalar()
    rows.sort(key=lambda row: str(row["user_id"]))
    picked = random.Random(seed).sample(rows, min(sample_size, len(rows)))
    picked.sort(key=lambda row: str(row["user_id"]))
    categories = Counter(row["top_category"] for row in rows if row["top_category"])
    return Preview(
        as_of=moment,
        count=len(rows),
        customers=customers,
        description=describe(rule),
        sample=picked,
        distributions={
            name: summarise([float(r[name]) for r in rows if r[name] is not None])
            for name in NUMERIC
        },
        top_categories=[
            {"category": name, "count": count} for name, count in categories.most_common(10)
        ],
        features_as_of=None if features_as_of is None else float(features_as_of),
        seconds=time.perf_counter() - started,
    )
