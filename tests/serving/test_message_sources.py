"""The store's own recommendation sources for messages, on SQLite and PostgreSQL: the same
latest events as the request path, purchases, co-purchases, popular items, new arrivals,
replenishment and availability."""

from __future__ import annotations

import numpy as np
from tests.marketing.content.little_shop import DAY, NOW, add_changes, add_events, add_items

from recmind.config import Settings
from recmind.data.store import Store
from recmind.serving.history import latest_events
from recmind.serving.message_sources import StoreSources, latest_events_many


def stock(store: Store) -> None:
    add_items(
        store,
        [
            {"item_id": "flour", "category": "baking", "stock": 5},
            {"item_id": "yeast", "category": "baking", "stock": 0},
            {"item_id": "tent", "category": "camping|outdoor", "stock": None},
            {"item_id": "stove", "category": "camping", "stock": 3},
            {"item_id": "pan", "category": "baking|kitchen", "stock": 9},
        ],
    )
    add_events(
        store,
        [
            ("ann", "flour", "purchase", NOW - 30 * DAY),
            ("ann", "flour", "purchase", NOW - 20 * DAY),
            ("ann", "flour", "purchase", NOW - 20 * DAY + 60),  # the same order
            ("ann", "flour", "purchase", NOW - 10 * DAY),
            ("ann", "pan", "purchase", NOW - 10 * DAY),
            ("ann", "tent", "view", NOW - DAY),
            ("bob", "flour", "purchase", NOW - 5 * DAY),
            ("bob", "pan", "purchase", NOW - 4 * DAY),
            ("bob", "yeast", "purchase", NOW - 4 * DAY),
            ("cy", "tent", "purchase", NOW - 3 * DAY),
            ("cy", "stove", "add_to_cart", NOW - 2 * DAY),
            ("cy", "stove", "view", NOW - 2 * DAY),
        ],
    )


def test_latest_events_match_the_request_path(store: Store) -> None:
    stock(store)
    many = latest_events_many(store, ["ann", "bob", "cy", "nobody"], 3)
    for user in ("ann", "bob", "cy", "nobody"):
        one = latest_events(store, user, 3)
        assert many[user].item_ids == one.item_ids
        assert many[user].event_types == one.event_types
        assert np.array_equal(many[user].timestamps, one.timestamps)


def test_people_and_their_purchases(store: Store) -> None:
    stock(store)
    sources = StoreSources(store, Settings())
    bought = sources.bought_since(["ann", "bob", "cy"], NOW - 15 * DAY)
    assert dict(bought) == {"ann": {"flour", "pan"}, "bob": {"flour", "pan", "yeast"},
                            "cy": {"tent"}}  # fmt: skip
    assert sources.last_items(["ann", "bob", "cy"], purchases_only=False, now=NOW) == {
        "ann": "tent",
        "bob": "yeast",  # a tie in time: the larger id, as every backend orders it
        "cy": "stove",
    }
    assert sources.last_items(["ann", "cy"], purchases_only=True, now=NOW) == {
        "ann": "pan",
        "cy": "tent",
    }
    # flour every 10 days (the two purchases a minute apart are one order): due now
    assert sources.replenish_due(["ann", "bob"], NOW) == {"ann": ["flour"]}
    assert sources.replenish_due(["ann"], NOW - 5 * DAY) == {}


def test_what_sells_and_what_goes_together(store: Store) -> None:
    stock(store)
    sources = StoreSources(store, Settings())
    assert sources.co_purchased("flour", NOW) == ["pan", "yeast"]
    assert sources.co_purchased("tent", NOW) == []
    assert sources.popular(NOW)[:3] == ["flour", "pan", "stove"]
    assert sources.available(["flour", "yeast", "tent", "gone"], in_stock_only=True) == {
        "flour",
        "tent",
    }
    assert sources.available(["yeast", "gone"], in_stock_only=False) == {"yeast"}


def test_new_arrivals_follow_the_persons_categories(store: Store) -> None:
    stock(store)
    add_changes(
        store,
        [
            ("pan", "created", None, None, NOW - 3 * DAY),
            ("stove", "created", None, None, NOW - DAY),
            ("flour", "created", None, None, NOW - 300 * DAY),
        ],
    )
    sources = StoreSources(store, Settings())
    found = sources.new_arrivals(["ann", "cy", "nobody"], NOW)
    # ann: baking (5 events) before camping (1 view); cy: camping only
    assert found == {"ann": ["pan", "stove"], "cy": ["stove"]}
