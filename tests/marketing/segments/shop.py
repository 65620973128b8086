"""A small random shop for segment tests: items with hierarchical and several categories,
users (some without a row, some created after the evaluation moment), events around the
evaluation moment (some after it), a features snapshot and predictions for some people."""

from __future__ import annotations

import random
from typing import Any

import orjson
from sqlalchemy import insert

from recmind.data.schema import (
    customer_features,
    customer_predictions,
    events,
    items,
    users,
)
from recmind.data.store import Store

AS_OF = 1_700_000_000.0
DAY = 86_400.0
CATEGORIES = (
    "Books/Fiction",
    "Books/History|Music",
    "Music",
    "Comedy|Drama",
    "Comedy | Kids",
    "Toys",
    None,
)
CITIES = ("Berlin", "Paris", "Shanghai")
TYPES = ("view", "view", "view", "click", "add_to_cart", "add_to_cart", "purchase", "rating")
N_USERS = 40
N_ITEMS = 15


def user_ids() -> list[str]:
    return [f"u{i:02d}" for i in range(N_USERS)]


def _attributes(rng: random.Random) -> str | None:
    if rng.random() < 0.15:
        return None
    found: dict[str, Any] = {}
    if rng.random() < 0.8:
        found["city"] = rng.choice(CITIES)
    if rng.random() < 0.7:
        found["age"] = rng.choice([18, 25, 31, 40, 52, "unknown"])
    if rng.random() < 0.6:
        found["vip"] = rng.random() < 0.5
    return orjson.dumps(found, option=orjson.OPT_SORT_KEYS).decode()


def _events(rng: random.Random, uid: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n in range(rng.randint(0, 18)):
        kind = rng.choice(TYPES)
        stamp = AS_OF - rng.uniform(-10, 200) * DAY
        item = f"i{rng.randrange(N_ITEMS + 2):02d}"  # two ids with no catalogue row
        value = round(rng.uniform(1, 80), 2) if kind in ("purchase", "rating") else None
        if kind == "rating":
            value = float(rng.randint(1, 5))
        out.append(_event(uid, f"{uid}-{n}", item, kind, stamp, value=value))
        if kind == "add_to_cart" and rng.random() < 0.5:  # a follow-up purchase
            later = stamp + rng.choice([0.0, 1800.0, 5 * 3600.0])
            price = round(rng.uniform(1, 80), 2)
            out.append(_event(uid, f"{uid}-{n}p", item, "purchase", later, value=price))
    return out


def _event(
    uid: str, eid: str, item: str, kind: str, stamp: float, *, value: float | None
) -> dict[str, Any]:
    return {
        "event_id": eid,
        "user_id": uid,
        "item_id": item,
        "event_type": kind,
        "timestamp": stamp,
        "value": value,
        "query": None,
    }


def _features(rng: random.Random, uid: str) -> dict[str, Any]:
    orders = rng.randint(0, 9)
    shares = {c: round(rng.random(), 2) for c in rng.sample(["Books", "Music", "Toys"], 2)}
    return {
        "user_id": uid,
        "computed_at": AS_OF - 5 * DAY,
        "as_of": AS_OF - rng.choice([5, 8]) * DAY,
        "first_event_at": AS_OF - rng.uniform(-5, 300) * DAY,
        "last_event_at": AS_OF - rng.uniform(5, 100) * DAY,
        "last_purchase_at": None if orders == 0 else AS_OF - rng.uniform(5, 200) * DAY,
        "recency_days": None if orders == 0 else float(rng.randint(5, 200)),
        "purchase_count": orders + rng.randint(0, 2),
        "order_count": orders,
        "monetary_total": round(orders * rng.uniform(5, 60), 2),
        "top_category": rng.choice(["Books", "Music", "Toys", None]),
        "category_shares": orjson.dumps(shares).decode(),
        "preferred_hour": rng.randrange(24),
    }


def fill(store: Store, seed: int = 7) -> float:
    """Fill a migrated store with the random shop; returns the evaluation moment."""
    rng = random.Random(seed)
    ids = user_ids()
    item_rows = [
        {
            "item_id": f"i{i:02d}",
            "title": f"Item {i}",
            "category": CATEGORIES[i % len(CATEGORIES)],
            "price": None if i % 6 == 5 else float(5 * i + 3),
        }
        for i in range(N_ITEMS)
    ]
    user_rows = [
        {
            "user_id": uid,
            "created_at": None if n % 7 == 3 else AS_OF - rng.uniform(-20, 400) * DAY,
            "email": f"{uid}@{rng.choice(['shop.example', 'mail.example'])}",
            "consent_email": rng.choice([True, False, None]),
            "timezone": rng.choice(["Europe/Berlin", "Asia/Shanghai", None]),
            "attributes": _attributes(rng),
        }
        for n, uid in enumerate(ids[:30])
    ]
    event_rows = [e for uid in ids[5:] for e in _events(rng, uid)]
    feature_rows = [_features(rng, uid) for uid in ids if rng.random() < 0.6]
    prediction_rows = [
        {
            "user_id": uid,
            "computed_at": AS_OF,
            "as_of": AS_OF - 5 * DAY,
            "horizon_days": 90.0,
            "model": "test",
            "p_active": rng.random(),
            "expected_purchases": rng.uniform(0, 4),
            "expected_spend": rng.uniform(0, 300),
            "churn_risk": rng.random(),
        }
        for uid in ids
        if rng.random() < 0.5
    ]
    with store.engine.begin() as connection:
        connection.execute(insert(items), item_rows)
        connection.execute(insert(users), user_rows)
        connection.execute(insert(events), event_rows)
        connection.execute(insert(customer_features), feature_rows)
        connection.execute(insert(customer_predictions), prediction_rows)
    return AS_OF
