"""The hybrid's internal split: which pairs become ranker labels."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recmind.rec.hybrid.holdout import (
    cold_items,
    cold_split,
    held_out_pairs,
    internal_split,
    time_order,
)
from recmind.rec.interactions import Interactions


def events(rows: list[tuple[str, str, float]]) -> Interactions:
    return Interactions.from_frame(pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"]))


def pairs(data: Interactions, mask: np.ndarray) -> set[tuple[str, str]]:
    return {
        (str(data.user_ids[u]), str(data.item_ids[i]))
        for u, i in zip(data.user_index[mask], data.item_index[mask], strict=True)
    }


DATA = events(
    [
        ("a", "x", 1.0),
        ("a", "y", 2.0),
        ("a", "z", 3.0),
        ("b", "x", 5.0),
        ("c", "y", 9.0),
        ("c", "z", 10.0),
        ("c", "w", 11.0),
        ("d", "w", 10.5),
    ]
)


def test_last_pair_of_users_with_two_or_more() -> None:
    held = held_out_pairs(DATA, seed=0, period_share=0.0)
    assert pairs(DATA, held) == {("a", "z"), ("c", "w")}


def test_several_last_pairs_leave_each_user_one_for_training() -> None:
    held = held_out_pairs(DATA, seed=0, period_share=0.0, last=2)
    assert pairs(DATA, held) == {("a", "y"), ("a", "z"), ("c", "z"), ("c", "w")}
    everything = held_out_pairs(DATA, seed=0, period_share=0.0, last=10)
    assert pairs(DATA, ~everything) == {("a", "x"), ("b", "x"), ("c", "y"), ("d", "w")}


def test_latest_period_added_but_first_pair_stays() -> None:
    """share 0.2: the latest 2 of 8 pairs are d's single pair and c's last, and d's is its
    first pair, so it stays. share 0.45: the latest 4 add c's first pair (stays) and c's
    second (a label)."""
    held = held_out_pairs(DATA, seed=0, period_share=0.2)
    assert pairs(DATA, held) == {("a", "z"), ("c", "w")}
    wider = held_out_pairs(DATA, seed=0, period_share=0.45)
    assert pairs(DATA, wider) == {("a", "z"), ("c", "z"), ("c", "w")}
    period_only = held_out_pairs(DATA, seed=0, period_share=0.45, last=False)
    assert pairs(DATA, period_only) == {("c", "z"), ("c", "w")}


def test_equal_timestamps_keep_most_pairs_for_training() -> None:
    """A log without real times (every timestamp alike) must not lose its training data
    to the period labels: the period is the latest share of pairs, not of time."""
    flat = events([(f"u{u}", f"i{j}", 0.0) for u in range(20) for j in range(u % 5 + 1)])
    held = held_out_pairs(flat, seed=3, period_share=0.1, last=False)
    assert 0 < held.sum() <= round(0.1 * len(flat))


def test_split_labels_are_pairs_of_the_given_data() -> None:
    split = internal_split(DATA, seed=0, period_share=0.45)
    given = DATA.matrix()
    rows, cols = split.labels.nonzero()
    assert len(rows) == 3
    assert np.all(np.asarray(given[rows, cols]).ravel() == 1.0)
    assert len(split.train) == len(DATA) - 3
    assert split.train.matrix().multiply(split.labels).nnz == 0
    assert [str(DATA.user_ids[u]) for u in split.users] == ["a", "c"]


def test_ties_follow_a_seeded_shuffle_not_the_id() -> None:
    """Ten items at the same second: which one is "last" depends on the seed only."""
    tied = events([("u", f"i{j}", 7.0) for j in range(10)])
    chosen = set()
    for seed in range(12):
        held = held_out_pairs(tied, seed=seed, period_share=0.0)
        assert held.sum() == 1
        chosen |= pairs(tied, held)
        np.testing.assert_array_equal(held, held_out_pairs(tied, seed=seed, period_share=0.0))
    assert len(chosen) > 3


def test_time_order_groups_users_by_time() -> None:
    order = time_order(DATA, seed=1)
    users = DATA.user_index[order]
    times = DATA.timestamps[order]
    assert np.all(np.diff(users) >= 0)
    assert all(np.all(np.diff(times[users == u]) >= 0) for u in np.unique(users))


def many_items() -> Interactions:
    """40 users over 30 items; item j has 2 + j % 9 users, so some items have 5+."""
    rows = [
        (f"u{u:02d}", f"i{j:02d}", float(u * 100 + j)) for j in range(30) for u in range(2 + j % 9)
    ]
    return events(rows)


def test_cold_items_are_drawn_among_items_with_enough_users() -> None:
    data = many_items()
    popularity = data.item_popularity()
    cold = cold_items(data, seed=4, share=0.3, min_users=5)
    eligible = np.flatnonzero(popularity >= 5)
    assert len(cold) == round(0.3 * len(eligible)) and set(cold) <= set(eligible)
    np.testing.assert_array_equal(cold, cold_items(data, seed=4, share=0.3, min_users=5))
    assert not np.array_equal(cold, cold_items(data, seed=5, share=0.3, min_users=5))
    assert len(cold_items(data, seed=4, share=0.0, min_users=5)) == 0
    assert len(cold_items(DATA, seed=4, share=0.5, min_users=5)) == 0  # nothing qualifies


def test_cold_split_holds_out_every_pair_of_the_cold_items_and_nothing_else() -> None:
    data = many_items()
    split = cold_split(data, seed=4, share=0.3, min_users=5)
    assert len(split.cold_items) > 0
    on_cold = np.isin(data.item_index, split.cold_items)
    users, items = split.labels.nonzero()
    labelled = {
        (str(data.user_ids[u]), str(data.item_ids[i])) for u, i in zip(users, items, strict=True)
    }
    assert pairs(data, on_cold) == labelled
    assert len(split.train) == len(data) - int(on_cold.sum())
    assert not np.isin(split.train.item_index, split.cold_items).any()
    assert len(cold_split(data, seed=4, share=0.0, min_users=5).train) == len(data)
