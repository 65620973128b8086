"""Sequence building (time order, seeded ties) and left-padded, length-bucketed batches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recmind.rec.interactions import Interactions
from recmind.rec.sequential.data import (
    build_sequences,
    iterate_batches,
    left_pad,
    training_rows,
    window,
)


def interactions(rows: list[tuple[str, str, float]]) -> Interactions:
    frame = pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])
    return Interactions.from_frame(frame)


def test_time_order_and_shifted_tokens() -> None:
    data = interactions([("a", "i2", 3.0), ("a", "i0", 1.0), ("a", "i1", 2.0), ("b", "i1", 5.0)])
    sequences = build_sequences(data, seed=0)
    assert sequences.n_users == 2
    assert sequences.of(0).tolist() == [1, 2, 3]  # i0, i1, i2 shifted by one
    assert sequences.of(1).tolist() == [2]
    assert sequences.lengths().tolist() == [3, 1]


def test_ties_follow_the_seed_not_the_id() -> None:
    """Twenty items in the same second: the order is a seeded shuffle, reproducible, and
    differs between seeds and from the id order."""
    data = interactions([("a", f"i{j:02d}", 7.0) for j in range(20)])
    first = build_sequences(data, seed=1).of(0).tolist()
    assert first == build_sequences(data, seed=1).of(0).tolist()
    assert first != build_sequences(data, seed=2).of(0).tolist()
    assert first != sorted(first)
    assert sorted(first) == list(range(1, 21))


def test_ties_stay_inside_their_timestamp() -> None:
    data = interactions([("a", "i0", 2.0), ("a", "i1", 1.0), ("a", "i2", 1.0), ("a", "i3", 0.0)])
    order = build_sequences(data, seed=5).of(0).tolist()
    assert order[0] == 4 and order[-1] == 1 and set(order[1:3]) == {2, 3}


def test_left_pad_keeps_the_most_recent_tokens() -> None:
    rows = [np.array([1, 2, 3, 4]), np.array([5]), np.array([], dtype=np.int64)]
    np.testing.assert_array_equal(left_pad(rows, 3), [[2, 3, 4], [0, 0, 5], [0, 0, 0]])


def test_training_rows_and_drop_last() -> None:
    data = interactions([("a", f"i{j}", float(j)) for j in range(5)] + [("b", "i0", 0.0)])
    sequences = build_sequences(data, seed=0)
    (row,) = training_rows(sequences)
    assert row.tolist() == [1, 2, 3, 4, 5]  # user b has no transition
    held = sequences.drop_last(np.array([0, 1]))
    assert held.lengths().tolist() == [4, 0]
    (row,) = training_rows(held)
    assert row.tolist() == [1, 2, 3, 4]
    assert held.groups is not None and held.groups.tolist() == [1, 2, 3, 4]


def test_tie_groups_and_their_shuffle() -> None:
    """Only events that share a user and a timestamp trade places."""
    rows = [("a", f"i{j}", float(j // 3)) for j in range(9)] + [("b", "i0", 0.0), ("b", "i1", 0.0)]
    sequences = build_sequences(interactions(rows), seed=0)
    assert sequences.groups is not None
    assert sequences.groups.tolist() == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4]
    rng = np.random.default_rng(0)
    orders = set()
    for _ in range(30):
        shuffled = sequences.shuffle_ties(rng)
        a = shuffled.of(0).tolist()
        assert [sorted(a[i : i + 3]) for i in (0, 3, 6)] == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
        assert sorted(shuffled.of(1).tolist()) == [1, 2]
        orders.add(tuple(a))
    assert len(orders) > 10
    bare = type(sequences)(indptr=sequences.indptr, tokens=sequences.tokens)
    assert bare.shuffle_ties(rng) is bare


def test_windows_are_recent_or_random_but_contiguous() -> None:
    row = np.arange(1, 21)
    assert window(row, 4, None).tolist() == [16, 17, 18, 19, 20]
    assert window(row[:3], 4, None).tolist() == [1, 2, 3]
    rng = np.random.default_rng(0)
    ends = set()
    for _ in range(200):
        cut = window(row, 4, rng)
        assert len(cut) == 5 and np.all(np.diff(cut) == 1)
        ends.add(int(cut[-1]))
    assert ends == set(range(5, 21))


@pytest.mark.parametrize("random_windows", [False, True])
def test_batches_cover_every_row_once_trimmed_to_their_longest(random_windows: bool) -> None:
    rng = np.random.default_rng(0)
    rows = [np.arange(1, n + 1) for n in rng.integers(2, 30, size=50)]
    seen: list[int] = []
    batches = iterate_batches(rows, 8, rng, max_len=20, random_windows=random_windows)
    for batch in batches:
        assert batch.inputs.shape == batch.targets.shape
        lengths = (batch.inputs > 0).sum(1)
        assert lengths.max() == batch.inputs.shape[1]
        seen.extend(lengths.tolist())
        np.testing.assert_array_equal(batch.targets > 0, batch.inputs > 0)
        real = batch.inputs > 0
        np.testing.assert_array_equal(batch.targets[real], batch.inputs[real] + 1)
    assert sorted(seen) == sorted(min(len(row), 21) - 1 for row in rows)
