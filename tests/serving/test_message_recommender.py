"""Items in messages from the served model: the same lists as the REST service, the batch
path equal to the one-by-one path, every source, the in-stock rule and what was just bought
checked against the store, and popular items when no model is served."""

from __future__ import annotations

import logging
import time
import uuid

import pytest
from sqlalchemy import insert, update
from tests.serving.shop import HOUR, START, add_event, put_item, shop_events

from recmind.config import Settings
from recmind.data.schema import catalog_changes, items
from recmind.data.store import Store
from recmind.rec.base import Filters
from recmind.serving.engine import ServingEngine
from recmind.serving.message_recommender import served_recommender

NOW = START + 400 * HOUR
DAY = 24 * HOUR
PEOPLE = sorted(set(shop_events()["user_id"]))


def record_change(
    store: Store, item_id: str, kind: str, old: float | None, new: float | None, *, at: float
) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            insert(catalog_changes).values(
                change_id=uuid.uuid4().hex,
                item_id=item_id,
                kind=kind,
                old_value=old,
                new_value=new,
                changed_at=at,
            )
        )


def test_personal_lists_are_the_services(engine: ServingEngine) -> None:
    recommend = served_recommender(engine)
    for user_id in ("b-user00", "c-user03", "m-user07"):
        got = recommend(
            user_id, source="personal", count=4, trigger_item=None, in_stock_only=True, now=NOW
        )
        served = engine.recommend(user_id, 4, Filters(in_stock=True))
        assert got == [i.item_id for i in served.items]
        assert len(got) == 4
        assert not any(i.endswith("09") for i in got)  # the out-of-stock items


def test_the_batch_path_gives_the_same_lists(engine: ServingEngine) -> None:
    recommend = served_recommender(engine)
    engine.state.resources.cache.drop(PEOPLE)  # type: ignore[union-attr]
    batch = recommend.recommend_many(
        PEOPLE, source="personal", count=5, in_stock_only=True, now=NOW
    )
    one_by_one = {
        u: recommend(u, source="personal", count=5, trigger_item=None, in_stock_only=True, now=NOW)
        for u in PEOPLE
    }
    assert batch == one_by_one
    assert all(len(found) == 5 for found in batch.values())


def test_what_was_just_bought_is_left_out(engine: ServingEngine, shop_store: Store) -> None:
    recommend = served_recommender(engine)
    before = recommend(
        "b-user00", source="personal", count=3, trigger_item=None, in_stock_only=True, now=NOW
    )
    add_event(shop_store, "b-user00", before[0], at=NOW - DAY)
    after = recommend(
        "b-user00", source="personal", count=3, trigger_item=None, in_stock_only=True, now=NOW
    )
    assert before[0] not in after and len(after) == 3
    # a trigger item bought since the trigger is not shown either
    found = recommend(
        "b-user00", source="trigger_item", count=3, trigger_item=before[0], in_stock_only=True,
        now=NOW,
    )  # fmt: skip
    assert before[0] not in found


def test_trigger_item_first_then_similar(engine: ServingEngine) -> None:
    recommend = served_recommender(engine)
    found = recommend(
        "b-user01", source="trigger_item", count=4, trigger_item="c03", in_stock_only=True, now=NOW
    )
    assert found[0] == "c03"
    events = shop_events()
    bought = set(events[events["user_id"] == "b-user01"]["item_id"])  # all within 30 days
    similar = [i.item_id for i in engine.similar("c03", 12).items]
    assert found[1:] == [i for i in similar if not i.endswith("09") and i not in bought][:3]
    # an out-of-stock trigger item is left out when only stocked items may be shown
    sold_out = recommend(
        "b-user01", source="trigger_item", count=4, trigger_item="c09", in_stock_only=True, now=NOW
    )
    assert "c09" not in sold_out and len(sold_out) == 4
    shown = recommend(
        "b-user01", source="trigger_item", count=4, trigger_item="c09", in_stock_only=False,
        now=NOW,
    )  # fmt: skip
    assert shown[0] == "c09"


def test_similar_and_complements_anchor_on_the_person(
    engine: ServingEngine, shop_store: Store
) -> None:
    recommend = served_recommender(engine)
    events = shop_events()
    mine = events[events["user_id"] == "m-user02"].sort_values("timestamp")
    latest = str(mine["item_id"].iloc[-1])
    found = recommend(
        "m-user02", source="similar", count=3, trigger_item=None, in_stock_only=True, now=NOW
    )
    bought = set(mine["item_id"])
    expected = [
        i.item_id
        for i in engine.similar(latest, 20).items
        if i.item_id not in bought and not i.item_id.endswith("09")
    ]
    assert found == expected[:3]
    # complements: bought by the people who bought the anchor, most buyers first
    complements = recommend(
        "b-user00", source="complements", count=3, trigger_item="m00", in_stock_only=True, now=NOW
    )
    buyers = set(events[events["item_id"] == "m00"]["user_id"])
    theirs = events[events["user_id"].isin(buyers) & (events["item_id"] != "m00")]
    counts = theirs.groupby("item_id")["user_id"].nunique()
    assert complements[0] == counts.sort_values(ascending=False).index[0]


def test_new_arrivals_in_the_persons_categories(engine: ServingEngine, shop_store: Store) -> None:
    put_item(shop_store, "b-new", "Banneton bread basket", "Baking")
    put_item(shop_store, "c-new", "Ultralight tarp", "Camping")
    put_item(shop_store, "b-old", "Pastry brush", "Baking")
    record_change(shop_store, "b-new", "created", None, None, at=NOW - 2 * DAY)
    record_change(shop_store, "c-new", "created", None, None, at=NOW - DAY)
    record_change(shop_store, "b-old", "created", None, None, at=NOW - 90 * DAY)
    recommend = served_recommender(engine)
    found = recommend.recommend_many(
        ["b-user00", "c-user00", "nobody"], source="new_arrivals", count=3, in_stock_only=True,
        now=NOW,
    )  # fmt: skip
    assert found["b-user00"][0] == "b-new" and "b-old" not in found["b-user00"]
    assert found["c-user00"][0] == "c-new" and "b-new" not in found["c-user00"]
    assert found["nobody"] == []


def test_replenishment_when_the_usual_interval_has_passed(
    engine: ServingEngine, shop_store: Store
) -> None:
    # every 10 days: due 10 days after the last; bought once: never; 40 days late: a habit
    # that ended
    for n in range(3):
        add_event(shop_store, "r-user", "b01", at=NOW - 12 * DAY - (2 - n) * 10 * DAY)
        add_event(shop_store, "r-user", "c02", at=NOW - 2 * DAY - (2 - n) * 10 * DAY)
        add_event(shop_store, "r-user", "m03", at=NOW - 40 * DAY - (2 - n) * 10 * DAY)
    add_event(shop_store, "r-user", "b02", at=NOW - 30 * DAY)
    recommend = served_recommender(engine)
    found = recommend(
        "r-user", source="replenish", count=3, trigger_item=None, in_stock_only=True, now=NOW
    )
    assert found == ["b01"]


def test_the_store_has_the_last_word_on_stock(engine: ServingEngine, shop_store: Store) -> None:
    recommend = served_recommender(engine)
    first = recommend(
        "c-user05", source="personal", count=2, trigger_item=None, in_stock_only=True, now=NOW
    )
    with shop_store.engine.begin() as connection:
        connection.execute(update(items).where(items.c.item_id == first[0]).values(stock=0))
    # written by the API or an import a moment ago (their clock: the wall clock)
    record_change(shop_store, first[0], "stock", 20, 0, at=time.time())
    recommend._synced_wall = 0.0  # the next call reads the changes now
    again = recommend(
        "c-user05", source="personal", count=2, trigger_item=None, in_stock_only=True, now=NOW
    )
    assert first[0] not in again and len(again) == 2
    state = engine.state
    assert state is not None
    index = state.served.item_index[first[0]]
    assert not state.catalog.in_stock[index]  # the served catalogue heard of it too


def test_popular_items_when_no_model_is_served(
    shop_settings: Settings, shop_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    engine = ServingEngine(shop_settings, shop_store)  # nothing published, never started
    recommend = served_recommender(engine)
    with caplog.at_level(logging.WARNING):
        found = recommend.recommend_many(
            ["b-user00", "someone-new"], source="personal", count=3, in_stock_only=True,
            now=NOW,
        )  # fmt: skip
    events = shop_events()
    bought = set(events[events["user_id"] == "b-user00"]["item_id"])
    counts = events.groupby("item_id").size().sort_values(ascending=False, kind="stable")
    top = [i for i in counts.index if not i.endswith("09")]
    assert found["someone-new"] == sorted(top[:3], key=lambda i: (-counts[i], i))
    assert not set(found["b-user00"]) & bought  # bought in the last 30 days: left out
    assert "no model is served" in caplog.text
    similar = recommend(
        "x", source="similar", count=2, trigger_item="m00", in_stock_only=True, now=NOW
    )
    assert similar and "m00" not in similar
