"""The shipped example journeys run: a month of a small shop's life (signups, browsing,
carts, repeat purchases, a restock, a price drop, a new item, lapsed and at-risk customers)
goes through the triggers and the engine, and every example sends its messages without a
step failing (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
from collections import Counter

from sqlalchemy import insert
from tests.marketing.journeys.runtime_helpers import (
    DAY,
    HOUR,
    RecordingComposer,
    enrolled,
    event,
    user,
)

from recmind.config import Settings
from recmind.data.record_writes import patch_record, put_record
from recmind.data.schema import customer_features, customer_predictions
from recmind.data.store import Store
from recmind.marketing.journeys.engine import advance_due, wake_waiting
from recmind.marketing.journeys.files import shipped_examples
from recmind.marketing.journeys.repository import apply_journey
from recmind.marketing.journeys.triggers import scan_triggers
from recmind.marketing.journeys.validate import load_journey


def _features(store: Store, user_id: str, last: float, *, orders: int, spend: float) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            insert(customer_features).values(
                user_id=user_id,
                computed_at=last,
                as_of=last + 1,
                last_event_at=last,
                order_count=orders,
                purchase_count=orders,
                monetary_total=spend,
                category_shares='{"Shoes": 1.0}',
            )
        )


def test_every_example_journey_runs(store: Store, settings: Settings) -> None:
    settings.marketing.trigger_scan_seconds = 1.0
    start = time.time()
    for path in shipped_examples():
        apply_journey(store, load_journey(path), now=start - 10)
    put_record(store, "items", "boot", {"title": "Boot", "price": 100, "stock": 0}, settings)
    put_record(store, "items", "soap", {"title": "Soap", "price": 5, "stock": 9}, settings)
    for name in ("newbie", "browser", "shopper", "regular", "lapsed", "risky"):
        user(store, name, timezone="Europe/Paris")
    event(store, "newbie", "signup", start, None)
    event(store, "browser", "view", start, "soap")
    event(store, "shopper", "view", start, "boot")
    event(store, "shopper", "add_to_cart", start + 1, "boot")
    for days in (200, 100, 0):
        event(store, "regular", "purchase", start - days * DAY, "soap")
    event(store, "lapsed", "purchase", start - 90 * DAY, "soap")
    _features(store, "lapsed", start - 90 * DAY, orders=2, spend=50.0)
    _features(store, "risky", start - 20 * DAY, orders=3, spend=80.0)
    event(store, "risky", "purchase", start - 20 * DAY, "soap")
    with store.engine.begin() as connection:
        connection.execute(
            insert(customer_predictions).values(
                user_id="risky",
                computed_at=start - DAY,
                as_of=start - DAY,
                horizon_days=90,
                model="bgnbd",
                churn_risk=0.9,
            )
        )
    patch_record(store, "items", "boot", {"stock": 3}, settings)  # back in stock
    patch_record(store, "items", "boot", {"price": 80}, settings)  # 20% cheaper
    put_record(
        store, "items", "sneaker", {"title": "Sneaker", "category": "Shoes", "stock": 5}, settings
    )
    composer = RecordingComposer()
    now = time.time() + 1
    for _ in range(4 * 40):  # 40 days, every 6 hours
        scan_triggers(store, settings, now=now)
        wake_waiting(store, now=now)
        while advance_due(store, settings, composer, worker_id="w", now=now, limit=100):
            pass
        now += 6 * HOUR
    rows = enrolled(store)
    failed = [r for r in rows if (r["exit_reason"] or "").startswith(("error", "unknown"))]
    assert not failed
    sent = Counter(r.source_id for r in composer.requests)
    assert set(sent) == {path.stem for path in shipped_examples()}, sent
    templates = {(r.source_id, r.template) for r in composer.requests}
    assert ("welcome-series", "welcome_2") in templates
    assert ("cart-abandonment", "cart_abandonment") in templates
    by_person = {(r.source_id, r.user_id) for r in composer.requests}
    assert ("replenishment", "regular") in by_person
    assert ("browse-abandonment", "browser") in by_person
    assert ("browse-abandonment", "shopper") not in by_person  # they added it to the cart
