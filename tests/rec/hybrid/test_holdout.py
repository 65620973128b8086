"""The hybrid's internal splits: time cuts whose labels are the pairs first seen after the
cut (what a server is asked), and the cold-item split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recmind.rec.hybrid.holdout import (
    cold_items,
    cold_split,
    cut_cost,
    cut_times,
    label_cut,
    label_cuts,
)
from recmind.rec.interactions import Interactions


def events(rows: list[tuple[str, str, float]]) -> Interactions:
    return Interactions.from_frame(pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"]))


def pairs(data: Interactions, mask: np.ndarray | None = None) -> set[tuple[str, str]]:
    mask = np.ones(len(data), dtype=bool) if mask is None else mask
    return {
        (str(data.user_ids[u]), str(data.item_ids[i]))
        for u, i in zip(data.user_index[mask], data.item_index[mask], strict=True)
    }


def labelled(data: Interactions, labels: object) -> set[tuple[str, str]]:
    users, items = labels.nonzero()  # type: ignore[attr-defined]
    return {
        (str(data.user_ids[u]), str(data.item_ids[i])) for u, i in zip(users, items, strict=True)
    }


DATA = events(
    [
        ("a", "x", 1.0),
        ("a", "y", 2.0),
        ("a", "x", 6.0),  # a repeats x after the cut at 5
        ("a", "x", 8.0),
        ("a", "z", 6.5),  # new after the cut: a label
        ("a", "w", 12.0),  # new, but after the label window
        ("b", "x", 3.0),
        ("b", "y", 5.0),  # first seen at the cut itself: a label
        ("c", "y", 7.0),  # c has no history before the cut: never labelled
        ("c", "z", 8.0),
        ("d", "w", 4.0),
    ]
)


def test_label_cut_trains_on_the_past_and_labels_the_window() -> None:
    split = label_cut(DATA, 5.0, 9.5)
    assert split.moment == 5.0
    assert pairs(split.train) == {("a", "x"), ("a", "y"), ("b", "x"), ("d", "w")}
    assert labelled(DATA, split.labels) == {("a", "z"), ("b", "y")}
    assert [str(DATA.user_ids[u]) for u in split.users] == ["a", "b"]
    # labels never repeat a training pair
    assert split.train.matrix().multiply(split.labels).nnz == 0
    # without an end the window runs to the end of the log
    assert labelled(DATA, label_cut(DATA, 5.0).labels) == {("a", "z"), ("a", "w"), ("b", "y")}


def test_label_cut_clips_pairs_repeated_after_the_cut() -> None:
    """a-x happened at 1, 6 and 8: at the cut 5 only its first event was known, so its
    training row is one event at 1 (neither its later time nor its count leaks)."""
    split = label_cut(DATA, 5.0, 9.5)
    train = split.train
    assert train.timestamps.max() < 5.0
    row = np.flatnonzero(
        (train.user_ids[train.user_index] == "a") & (train.item_ids[train.item_index] == "x")
    )
    assert len(row) == 1
    assert train.timestamps[row[0]] == 1.0 and train.first_times[row[0]] == 1.0
    assert train.weights[row[0]] == 1.0
    assert train.weights.dtype == DATA.weights.dtype
    # the pair keeps all its events when the cut comes after them
    late = label_cut(DATA, 9.0).train
    keep = (late.user_ids[late.user_index] == "a") & (late.item_ids[late.item_index] == "x")
    assert late.weights[keep].tolist() == [3.0] and late.timestamps[keep].tolist() == [8.0]


def test_cut_times_are_distinct_quantiles_inside_the_log() -> None:
    times = DATA.first_times
    cuts = cut_times(DATA, (0.9, 0.5, 0.5, 0.0, 1.0))
    assert cuts == sorted({float(np.quantile(times, 0.5)), float(np.quantile(times, 0.9))})
    assert all(times.min() < c <= times.max() for c in cuts)
    flat = events([(f"u{u}", f"i{j}", 0.0) for u in range(5) for j in range(3)])
    assert cut_times(flat, (0.5, 0.9)) == []  # no moment leaves pairs on both sides
    assert label_cuts(flat, (0.5, 0.9), 0.2) == []


def test_cut_times_keep_the_latest_cuts_the_budget_affords(interactions: Interactions) -> None:
    quantiles = (0.5, 0.6, 0.7, 0.8, 0.9)
    every = cut_times(interactions, quantiles)
    assert len(every) == 5
    cost = cut_cost(interactions)
    assert cost == len(interactions) + interactions.n_items**2 / 100
    assert cut_times(interactions, quantiles, budget=2.5 * cost) == every[-2:]
    assert cut_times(interactions, quantiles, budget=1.0, min_cuts=3) == every[-3:]
    assert cut_times(interactions, quantiles, budget=100 * cost) == every
    assert cut_times(interactions, quantiles, budget=np.inf, min_cuts=3) == every
    splits = label_cuts(interactions, quantiles, 0.2, budget=1.0, min_cuts=2)
    assert [s.moment for s in splits] == every[-2:]


def test_label_cuts_label_the_next_window_of_pairs(interactions: Interactions) -> None:
    """Each cut labels the pairs first seen in the next ``window`` share of all pairs, of
    people with history before it; every split is a :func:`label_cut`."""
    quantiles = (0.5, 0.6, 0.7, 0.8, 0.9)
    splits = label_cuts(interactions, quantiles, 0.2)
    assert [s.moment for s in splits] == cut_times(interactions, quantiles)
    times = np.sort(interactions.first_times)
    n = len(times)
    for split in splits:
        position = float(np.mean(times < split.moment))
        until = np.inf if position + 0.2 >= 1 else float(np.quantile(times, position + 0.2))
        again = label_cut(interactions, split.moment, until)
        assert (split.labels != again.labels).nnz == 0
        np.testing.assert_array_equal(split.users, again.users)
        assert len(split.users) > 0
        # labels are pairs of the data first seen in [moment, until)
        users, items = split.labels.nonzero()
        lookup = {
            (int(u), int(i)): t
            for u, i, t in zip(
                interactions.user_index,
                interactions.item_index,
                interactions.first_times,
                strict=True,
            )
        }
        first = np.asarray([lookup[(int(u), int(i))] for u, i in zip(users, items, strict=True)])
        assert (first >= split.moment).all() and (first < until).all()
        assert np.sum((times >= split.moment) & (times < until)) <= 0.2 * n + 1
        # every labelled user had history before the cut
        assert np.isin(split.users, split.train.user_index).all()
        assert (split.train.first_times < split.moment).all()
    # window 1.0 labels everything after the cut
    whole = label_cuts(interactions, (0.5,), 1.0)[0]
    assert (whole.labels != label_cut(interactions, whole.moment).labels).nnz == 0


def test_time_order_groups_users_by_time() -> None:
    order = DATA.time_order(seed=1)
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
    assert split.moment == pytest.approx(float(data.timestamps.max()))  # the end of the log
    on_cold = np.isin(data.item_index, split.cold_items)
    has_history = np.isin(data.user_index, split.train.user_index)
    assert labelled(data, split.labels) == pairs(data, on_cold & has_history)
    assert len(split.train) == len(data) - int(on_cold.sum())
    assert not np.isin(split.train.item_index, split.cold_items).any()
    assert len(cold_split(data, seed=4, share=0.0, min_users=5).train) == len(data)
