"""A drafting vocabulary able to name every rule of the evaluation set, and that set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from recmind.marketing.drafting.vocabulary import FieldDoc, Vocabulary

REQUESTS = Path(__file__).resolve().parents[3] / "benchmarks" / "data" / "segment_requests.jsonl"
NUMBERS = (
    "monetary_total",
    "order_count",
    "avg_order_value",
    "purchase_count",
    "churn_risk",
    "expected_spend",
    "days_since_last_purchase",
)
ATTRIBUTES = {
    "age": ("19-24", "25-34", "35-44", "45-54", "55-64", "65+"),
    "income": (
        "Under 15K",
        "15-24K",
        "25-34K",
        "35-49K",
        "50-74K",
        "75-99K",
        "100-124K",
        "125-149K",
        "150-174K",
        "175-199K",
        "200-249K",
        "250K+",
    ),
    "kids_count": ("0", "1", "2", "3+"),
    "household_comp": ("1 Adult Kids", "1 Adult No Kids", "2 Adults Kids", "2 Adults No Kids"),
    "home_ownership": ("Homeowner", "Renter", "Probable Owner", "Probable Renter"),
    "marital_status": ("Married", "Unmarried"),
}


def evaluation_set() -> list[dict[str, Any]]:
    lines = REQUESTS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line]


def categories_of(rule: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(rule, dict):
        for key, value in rule.items():
            if key == "category" and isinstance(value, str):
                found.add(value)
            else:
                found |= categories_of(value)
    elif isinstance(rule, list):
        for value in rule:
            found |= categories_of(value)
    return found


@pytest.fixture(scope="session")
def requests_set() -> list[dict[str, Any]]:
    return evaluation_set()


@pytest.fixture(scope="session")
def vocabulary(requests_set: list[dict[str, Any]]) -> Vocabulary:
    categories: set[str] = set()
    for request in requests_set:
        categories |= categories_of(request["expected"])
    categories |= {name.split("/")[0] for name in categories}
    fields = [FieldDoc(name, "number", f"the {name}") for name in NUMBERS]
    fields += [
        FieldDoc(f"attributes.{key}", "text", f"the {key} bucket", values)
        for key, values in ATTRIBUTES.items()
    ]
    fields += [FieldDoc("email", "text", "the e-mail address"), FieldDoc("created_at", "time")]
    return Vocabulary(
        fields=tuple(fields),
        categories=tuple(sorted(categories)),
        segments=("champions", "loyal", "at-risk"),
        currency="USD",
    )
