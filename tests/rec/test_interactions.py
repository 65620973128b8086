"""Interactions collapse repeated pairs and keep the id spaces they are given."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recmind.rec.interactions import Interactions, ItemCatalog, parse_categories


def _events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": ["u1", "u1", "u2", "u2", "u3"],
            "item_id": ["a", "a", "b", None, "zzz"],
            "timestamp": [10.0, 30.0, 20.0, 25.0, 5.0],
        }
    )


def test_repeated_pairs_collapse_to_latest_time_and_count() -> None:
    inter = Interactions.from_frame(_events(), item_ids=["a", "b", "c"])
    assert inter.n_items == 3
    assert len(inter) == 2  # search row (no item) and the off-catalogue item are dropped
    row = int(np.flatnonzero(inter.user_ids[inter.user_index] == "u1")[0])
    assert inter.timestamps[row] == 30.0
    assert inter.weights[row] == 2.0
    assert inter.matrix().sum() == 2.0
    assert inter.lookup_users(["u2", "nobody"]).tolist()[1] == -1


def test_catalogue_alignment_categories_and_stock() -> None:
    items = pd.DataFrame(
        {
            "item_id": ["b", "a"],
            "title": ["Bee", None],
            "category": ["Tops/Knits|Sale", "Dresses"],
            "stock": [0, None],
        }
    )
    catalog = ItemCatalog.from_frame(items, np.asarray(["a", "b", "c"], dtype=object))
    assert catalog.titles.tolist() == ["a", "Bee", "c"]
    assert catalog.in_stock.tolist() == [True, False, True]
    assert catalog.category_mask(["tops"]).tolist() == [False, True, False]
    assert catalog.category_mask(["Tops/Knits", "dresses"]).tolist() == [True, True, False]
    assert parse_categories(" A | b |") == frozenset({"a", "b"})


# -- time: first events, what was known at a moment, history order -------------------------


def _timeline() -> Interactions:
    """u1 took a at 10 and again at 30; u2 took b at 20 and a at 40; c nobody took."""
    events = pd.DataFrame(
        {
            "user_id": ["u1", "u1", "u2", "u2"],
            "item_id": ["a", "a", "b", "a"],
            "timestamp": [10.0, 30.0, 20.0, 40.0],
        }
    )
    return Interactions.from_frame(events, item_ids=["a", "b", "c"])


def _pairs(inter: Interactions) -> dict[tuple[str, str], tuple[float, float, float]]:
    """(user, item) -> (latest time, first time, events)."""
    return {
        (str(inter.user_ids[u]), str(inter.item_ids[i])): (float(t), float(f), float(w))
        for u, i, t, f, w in zip(
            inter.user_index,
            inter.item_index,
            inter.timestamps,
            inter.first_times,
            inter.weights,
            strict=True,
        )
    }


def test_pairs_keep_their_first_and_latest_time() -> None:
    inter = _timeline()
    assert _pairs(inter) == {
        ("u1", "a"): (30.0, 10.0, 2.0),
        ("u2", "b"): (20.0, 20.0, 1.0),
        ("u2", "a"): (40.0, 40.0, 1.0),
    }
    np.testing.assert_array_equal(inter.item_first_seen(), [10.0, 20.0, np.inf])
    np.testing.assert_array_equal(inter.user_last_seen(), [30.0, 40.0])
    # a subset keeps the first times; without them the latest time stands in
    assert _pairs(inter.subset(inter.item_index == 0))[("u1", "a")] == (30.0, 10.0, 2.0)
    bare = Interactions(
        inter.user_ids, inter.item_ids, inter.user_index, inter.item_index,
        inter.timestamps, inter.weights,
    )  # fmt: skip
    np.testing.assert_array_equal(bare.first_times, bare.timestamps)


def test_before_keeps_only_what_was_known_at_the_moment() -> None:
    inter = _timeline()
    # at 25: u1's repeat of a (at 30) is not known yet, u2 has not taken a
    assert _pairs(inter.before(25.0)) == {
        ("u1", "a"): (10.0, 10.0, 1.0),
        ("u2", "b"): (20.0, 20.0, 1.0),
    }
    assert _pairs(inter.before(35.0))[("u1", "a")] == (30.0, 10.0, 2.0)
    assert _pairs(inter.before(40.0)) == _pairs(inter)
    assert len(inter.before(5.0)) == 0
    known = inter.before(25.0)
    assert (known.n_users, known.n_items) == (inter.n_users, inter.n_items)  # same id spaces


def test_histories_are_oldest_first_with_seeded_ties() -> None:
    events = pd.DataFrame(
        {
            "user_id": ["u1"] * 5 + ["u2"],
            "item_id": ["e", "d", "c", "b", "a", "z"],
            "timestamp": [5.0, 1.0, 1.0, 1.0, 1.0, 3.0],
        }
    )
    inter = Interactions.from_frame(events)
    ids = inter.item_ids
    orders = set()
    for seed in range(8):
        first, second = inter.histories(seed)
        assert [str(ids[i]) for i in second] == ["z"]
        names = [str(ids[i]) for i in first]
        assert names[-1] == "e" and sorted(names[:4]) == ["a", "b", "c", "d"]  # e is newest
        orders.add(tuple(names[:4]))
        again = inter.histories(seed)[0]
        np.testing.assert_array_equal(first, again)  # the same seed, the same order
    assert len(orders) > 1  # ties follow the seed, not the item ids
