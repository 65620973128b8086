"""The live history (one indexed query, merged with the training pairs), diversity
re-ranking and the placement of new items: the small parts of the request path."""

from __future__ import annotations

import numpy as np
from tests.serving.shop import START, add_event

from recmind.data.store import Store
from recmind.serving.diversity import jaccard, mmr_order
from recmind.serving.fresh import fresh_positions, fresh_slots
from recmind.serving.history import (
    LiveEvents,
    all_latest_events,
    latest_events,
    merge_history,
)

INDEX = {"a": 0, "b": 1, "c": 2, "d": 3}


def live(items: list[str], times: list[float]) -> LiveEvents:
    return LiveEvents(
        item_ids=tuple(items),
        event_types=tuple("view" for _ in items),
        timestamps=np.asarray(times, dtype=np.float64),
        values=np.full(len(items), np.nan),
    )


def test_merge_keeps_each_item_once_at_its_latest_time() -> None:
    train_items = np.asarray([0, 1, 2])
    train_times = np.asarray([10.0, 20.0, 30.0])
    events = live(["a", "new-1", "d", "new-1", "zz"], [40.0, 41.0, 42.0, 43.0, 5.0])
    history = merge_history(train_items, train_times, events, INDEX)
    assert history.items.tolist() == [1, 2, 0, 3]  # "a" moved to its latest time
    assert history.fresh == ("zz", "new-1")  # outside the index, oldest first
    assert len(history) == 6
    same = merge_history(train_items, train_times, events, INDEX)
    assert same.key == history.key
    other = merge_history(train_items, train_times, live(["b"], [50.0]), INDEX)
    assert other.key != history.key


def test_live_events_the_model_was_trained_on_keep_the_training_order() -> None:
    """The store still holds the training events: merged again, ties in time keep the
    model's (seeded) training order, not the store's order by item id."""
    train_items = np.asarray([3, 0, 2, 1])  # "d", "a", "c" share a second, in seeded order
    train_times = np.asarray([10.0, 10.0, 10.0, 20.0])
    stored = live(["a", "c", "d", "b"], [10.0, 10.0, 10.0, 20.0])  # by time, then item id
    history = merge_history(train_items, train_times, stored, INDEX)
    assert history.items.tolist() == [3, 0, 2, 1]
    older = live(["a", "b"], [5.0, 20.0])  # a view before the pair's latest time: no news
    assert merge_history(train_items, train_times, older, INDEX).items.tolist() == [3, 0, 2, 1]
    newer = live(["d", "a"], [30.0, 30.0])  # touched again later: moves to the end
    assert merge_history(train_items, train_times, newer, INDEX).items.tolist() == [2, 1, 3, 0]


def test_merge_of_nothing() -> None:
    empty = np.zeros(0, dtype=np.int64)
    history = merge_history(empty, empty.astype(float), LiveEvents.empty(), INDEX)
    assert history.items.size == 0 and history.fresh == () and len(history) == 0


def test_latest_events_reads_newest_first_then_returns_oldest_first(
    sqlite_store: Store,
) -> None:
    for n, item in enumerate(["x1", "x2", "x3", "x4"]):
        add_event(sqlite_store, "u1", item, at=START + n)
    add_event(sqlite_store, "u2", "x9", at=START)
    events = latest_events(sqlite_store, "u1", 3)
    assert events.item_ids == ("x2", "x3", "x4")
    assert events.timestamps.tolist() == [START + 1, START + 2, START + 3]
    assert len(latest_events(sqlite_store, "nobody", 3)) == 0
    everyone = all_latest_events(sqlite_store, limit=3, max_users=10)
    assert everyone["u1"].item_ids == events.item_ids
    assert everyone["u2"].item_ids == ("x9",)
    assert list(all_latest_events(sqlite_store, limit=3, max_users=1)) == ["u1"]


def test_mmr() -> None:
    cats = [frozenset({"a"}), frozenset({"a"}), frozenset({"b"}), frozenset({"a", "b"})]
    scores = np.asarray([4.0, 3.0, 2.0, 1.0])
    assert mmr_order(scores, cats, 3, 0.0) == [0, 1, 2]
    assert mmr_order(scores, cats, 3, 0.9) == [0, 2, 3]
    assert jaccard(frozenset({"a", "b"}), frozenset({"b"})) == 0.5
    assert jaccard(frozenset(), frozenset({"b"})) == 0.0


def test_fresh_slots_and_positions() -> None:
    assert fresh_slots(10, 0.2) == 2 and fresh_slots(3, 0.2) == 1 and fresh_slots(10, 0) == 0
    assert fresh_positions(10, 2) == [4, 9]
    assert fresh_positions(10, 1) == [9]
    assert fresh_positions(5, 1) == [4]
