"""Ranker features on a five-event example whose values are worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from recmind.rec.hybrid.candidates import Candidates
from recmind.rec.hybrid.features import (
    FeatureContext,
    build_features,
    category_matrix,
    feature_names,
)
from recmind.rec.interactions import Interactions, ItemCatalog

# Global time order (ranks 0..4): a-i0, a-i1, a-i2, b-i0, b-i3.
ROWS = [("a", "i0", 1.0), ("a", "i1", 2.0), ("a", "i2", 3.0), ("b", "i0", 4.0), ("b", "i3", 5.0)]
CATEGORIES = {"i0": "A", "i1": "A|B", "i2": "B", "i3": None}
PAIRS = [("b", "i1"), ("b", "i2"), ("a", "i3"), ("a", "i0")]
"""(user, candidate) pairs, grouped by user: b first, then a."""


@pytest.fixture(scope="module")
def table() -> dict[str, np.ndarray]:
    ids = np.asarray(list(CATEGORIES), dtype=object)
    data = Interactions.from_frame(
        pd.DataFrame(ROWS, columns=["user_id", "item_id", "timestamp"]), item_ids=ids
    )
    items = pd.DataFrame({"item_id": list(CATEGORIES), "category": list(CATEGORIES.values())})
    catalog = ItemCatalog.from_frame(items, ids)
    context = FeatureContext.build(data, catalog, seed=0)
    users = data.lookup_users([u for u, _ in PAIRS])
    candidates = Candidates(
        users=users,
        items=data.lookup_items([i for _, i in PAIRS]),
        groups=np.asarray([2, 2]),
        scores=np.asarray([[0.5, 2.0], [0.25, 1.0], [0.0, 3.0], [-1.0, 0.0]], dtype=np.float32),
        ranks=np.asarray([[0, 3], [1, 1], [3, 0], [2, 3]], dtype=np.float32),
        depth=3,
    )
    matrix = build_features(candidates, context)
    names = feature_names(["s1", "s2"])
    assert matrix.shape == (4, len(names)) and matrix.dtype == np.float32
    return {name: matrix[:, j] for j, name in enumerate(names)}


def close(values: np.ndarray, expected: list[float]) -> None:
    np.testing.assert_allclose(values, np.asarray(expected, dtype=np.float32), rtol=1e-6)


def test_source_columns(table: dict[str, np.ndarray]) -> None:
    close(table["score_s1"], [0.5, 0.25, 0.0, -1.0])
    close(table["rank_s2"], [3, 1, 0, 3])
    close(table["sources_proposing"], [1, 2, 1, 1])
    close(table["best_rank"], [0, 1, 0, 2])


def test_item_columns(table: dict[str, np.ndarray]) -> None:
    close(table["item_log_count"], [math.log(2), math.log(2), math.log(2), math.log(3)])
    # first appearance rank - user's last rank (b: 4, a: 2), over 5 events
    close(table["item_age"], [(4 - 1) / 5, (4 - 2) / 5, (2 - 4) / 5, (2 - 0) / 5])
    close(table["item_first_after_user"], [0, 0, 1, 0])
    # events since the item's last event: i1 last at rank 1, i2 at 2, i3 at 4, i0 at 3
    close(table["item_idle"], [3 / 5, 2 / 5, 0 / 5, 1 / 5])


def test_trending_windows(table: dict[str, np.ndarray]) -> None:
    """With five events every window is one event wide: the event at the user's last
    rank (b: b-i3, a: a-i2) or at the latest rank (b-i3)."""
    for name in ("trending_0.005", "trending_0.02", "trending_0.08"):
        close(table[name], [0, 0, 0, 0])
    for name in ("trending_now_0.005", "trending_now_0.08"):
        close(table[name], [0, 0, math.log(2), 0])


def test_user_columns(table: dict[str, np.ndarray]) -> None:
    close(table["user_log_length"], [math.log(3), math.log(3), math.log(4), math.log(4)])
    close(table["user_idle"], [0, 0, 2 / 5, 2 / 5])
    b_mean = (math.log(3) + math.log(2)) / 2
    a_mean = (math.log(3) + 2 * math.log(2)) / 3
    close(table["user_mean_log_popularity"], [b_mean, b_mean, a_mean, a_mean])


def test_category_affinity(table: dict[str, np.ndarray]) -> None:
    """b's history is half A (i0) and no B; a's is 2/3 A and 2/3 B. i1 is A and B, i2 is
    B, i3 has no category, i0 is A."""
    close(table["category_affinity_max"], [0.5, 0.0, 0.0, 2 / 3])
    close(table["category_affinity_mean"], [0.25, 0.0, 0.0, 2 / 3])


def test_window_counts_stay_inside_the_item() -> None:
    """A window reaching below rank 0 must not count the previous item's events."""
    ids = np.asarray(["i0", "i1"], dtype=object)
    rows = [("a", "i0", 1.0), ("b", "i0", 2.0), ("c", "i1", 3.0)]
    data = Interactions.from_frame(
        pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"]), item_ids=ids
    )
    context = FeatureContext.build(data, ItemCatalog.bare(ids), seed=0)
    counts = context.window_counts(np.asarray([1, 1, 0, 0]), np.asarray([2, 2, 1, 0]), 10)
    np.testing.assert_array_equal(counts, [1, 1, 2, 1])
    np.testing.assert_array_equal(context.window_counts(np.asarray([0]), np.asarray([2]), 1), [0])


def test_category_matrix_columns() -> None:
    matrix = category_matrix([frozenset({"b", "a"}), frozenset(), frozenset({"b"})])
    np.testing.assert_array_equal(matrix.toarray(), [[1, 1], [0, 0], [0, 1]])


def test_history_stats_equal_the_users_own() -> None:
    """A user's own items as an ad-hoc history give the user's statistics; the latest
    event defaults to now (the context's newest)."""
    ids = np.asarray(list(CATEGORIES), dtype=object)
    data = Interactions.from_frame(
        pd.DataFrame(ROWS, columns=["user_id", "item_id", "timestamp"]), item_ids=ids
    )
    items = pd.DataFrame({"item_id": list(CATEGORIES), "category": list(CATEGORIES.values())})
    context = FeatureContext.build(data, ItemCatalog.from_frame(items, ids), seed=0)
    own = [np.asarray([0, 1, 2]), np.asarray([0, 3])]  # a, b
    stats = context.history_stats(own)
    users = context.users
    np.testing.assert_array_equal(stats.length, users.length)
    np.testing.assert_allclose(stats.mean_popularity, users.mean_popularity)
    np.testing.assert_allclose(stats.categories.toarray(), users.categories.toarray())
    np.testing.assert_array_equal(stats.last, [4, 4])
    np.testing.assert_array_equal(context.history_stats(own, np.asarray([2, 4])).last, [2, 4])


def test_item_repeat_rate(table: dict[str, np.ndarray]) -> None:
    """Nobody repeats an item in the example (a rating log): the column is 0. With repeated
    events it is the log of the item's events per user who touched it."""
    close(table["item_log_repeat"], [0, 0, 0, 0])
    ids = np.asarray(["milk", "tv"], dtype=object)
    rows = [("a", "milk", 1.0), ("a", "milk", 2.0), ("a", "milk", 3.0), ("b", "milk", 4.0)]
    rows += [("b", "tv", 5.0)]
    data = Interactions.from_frame(
        pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"]), item_ids=ids
    )
    context = FeatureContext.build(data, ItemCatalog.bare(ids), seed=0)
    np.testing.assert_allclose(context.item_repeat, [math.log(4 / 2), 0.0])
