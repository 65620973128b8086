"""Ranker features: a five-pair example worked out by hand, the context's lookups, and
time causality (a query at a moment reads nothing after it)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from recmind.rec.hybrid.candidates import Candidates
from recmind.rec.hybrid.features import (
    FeatureContext,
    QueryStats,
    build_features,
    category_matrix,
    feature_names,
)
from recmind.rec.interactions import Interactions, ItemCatalog

# Global time order (ranks 0..4): a-i0 @1, a-i1 @2, a-i2 @3, b-i0 @4, b-i3 @5.
ROWS = [("a", "i0", 1.0), ("a", "i1", 2.0), ("a", "i2", 3.0), ("b", "i0", 4.0), ("b", "i3", 5.0)]
CATEGORIES = {"i0": "A", "i1": "A|B", "i2": "B", "i3": None}
I0, I1, I2, I3 = range(4)
HISTORIES = [np.asarray([I0, I3]), np.asarray([I1])]
"""Query 0: b's history at 5 (rank 4), last seen at 5. Query 1: a visitor who took i1 and
was last seen at 2 (rank 1), asked about at 3.5 (rank 2: i3 did not exist yet)."""
MOMENTS = np.asarray([5.0, 3.5])
LAST_SEEN = np.asarray([5.0, 2.0])
PAIRS = [(0, I1), (0, I2), (1, I3), (1, I2), (1, I0)]
"""(query, candidate) pairs, grouped by query."""


def small_data() -> tuple[Interactions, ItemCatalog]:
    ids = np.asarray(list(CATEGORIES), dtype=object)
    data = Interactions.from_frame(
        pd.DataFrame(ROWS, columns=["user_id", "item_id", "timestamp"]), item_ids=ids
    )
    items = pd.DataFrame({"item_id": list(CATEGORIES), "category": list(CATEGORIES.values())})
    return data, ItemCatalog.from_frame(items, ids)


@pytest.fixture(scope="module")
def context() -> FeatureContext:
    data, catalog = small_data()
    return FeatureContext.build(data, catalog, seed=0)


@pytest.fixture(scope="module")
def table(context: FeatureContext) -> dict[str, np.ndarray]:
    stats = context.query_stats(HISTORIES, MOMENTS, LAST_SEEN)
    candidates = Candidates(
        users=np.asarray([q for q, _ in PAIRS]),
        items=np.asarray([i for _, i in PAIRS]),
        groups=np.asarray([2, 3]),
        scores=np.asarray(
            [[0.5, 2.0], [0.25, 1.0], [0.0, 3.0], [-1.0, 0.0], [0.1, 0.2]], dtype=np.float32
        ),
        ranks=np.asarray([[0, 3], [1, 1], [3, 0], [2, 3], [0, 2]], dtype=np.float32),
        depth=3,
    )
    matrix = build_features(candidates, context, stats)
    names = feature_names(["s1", "s2"])
    assert matrix.shape == (5, len(names)) and matrix.dtype == np.float32
    return {name: matrix[:, j] for j, name in enumerate(names)}


def close(values: np.ndarray, expected: list[float]) -> None:
    np.testing.assert_allclose(values, np.asarray(expected, dtype=np.float32), rtol=1e-6)


def test_query_stats(context: FeatureContext) -> None:
    stats = context.query_stats(HISTORIES, MOMENTS, LAST_SEEN)
    np.testing.assert_array_equal(stats.now, [4, 2])
    np.testing.assert_array_equal(stats.seen, [4, 1])
    np.testing.assert_array_equal(stats.length, [2, 1])
    # i0 had 2 pairs and i3 1 by rank 4; i1 had 1 by rank 2
    close(stats.mean_popularity, [(math.log(3) + math.log(2)) / 2, math.log(2)])
    # last seen after the moment is read as the moment
    later = context.query_stats(HISTORIES, MOMENTS, np.asarray([9.0, 9.0]))
    np.testing.assert_array_equal(later.seen, [4, 2])


def test_source_columns(table: dict[str, np.ndarray]) -> None:
    close(table["score_s1"], [0.5, 0.25, 0.0, -1.0, 0.1])
    close(table["rank_s2"], [3, 1, 0, 3, 2])
    close(table["sources_proposing"], [1, 2, 1, 1, 2])
    close(table["best_rank"], [0, 1, 0, 2, 0])


def test_item_columns_read_the_query_moment(table: dict[str, np.ndarray]) -> None:
    """Query 0 stands at rank 4 of 5 pairs known, query 1 at rank 2 of 3: i3 (first seen at
    rank 4) had no pair yet for query 1, so it has no count, age or idle time."""
    log2 = math.log(2)
    close(table["item_log_count"], [log2, log2, 0.0, log2, log2])  # i0: 1 of its 2 pairs
    # ranks since the item's first pair, in shares of the pairs known at the moment
    close(table["item_age"][[0, 1, 3, 4]], [(4 - 1) / 5, (4 - 2) / 5, (2 - 2) / 3, (2 - 0) / 3])
    assert np.isnan(table["item_age"][2])
    # ranks since the item's latest pair at or before the moment (i0: a-i0, not b-i0)
    close(table["item_idle"][[0, 1, 3, 4]], [(4 - 1) / 5, (4 - 2) / 5, 0 / 3, 2 / 3])
    assert np.isnan(table["item_idle"][2])
    close(table["item_log_repeat"], [0, 0, 0, 0, 0])  # nobody repeats (a rating log)


def test_trending_windows(table: dict[str, np.ndarray]) -> None:
    """With 5 or 3 pairs known every window is one pair wide: the pair at the query's
    moment (query 0: b-i3, query 1: a-i2)."""
    for name in ("trending_0.005", "trending_0.02", "trending_0.08"):
        close(table[name], [0, 0, 0, math.log(2), 0])


def test_user_columns(table: dict[str, np.ndarray]) -> None:
    log2, log3 = math.log(2), math.log(3)
    close(table["user_log_length"], [log3, log3, log2, log2, log2])
    close(table["user_idle"], [0, 0, 1 / 3, 1 / 3, 1 / 3])
    b_mean = (math.log(3) + math.log(2)) / 2
    close(table["user_mean_log_popularity"], [b_mean, b_mean, log2, log2, log2])


def test_category_affinity(table: dict[str, np.ndarray]) -> None:
    """Query 0's history is half A (i0) and no B (i3 has no category); query 1's is all A
    and all B (i1). i1 is A and B, i2 is B, i3 has no category, i0 is A."""
    close(table["category_affinity_max"], [0.5, 0.0, 0.0, 1.0, 1.0])
    close(table["category_affinity_mean"], [0.25, 0.0, 0.0, 1.0, 1.0])


def test_rank_lookups(context: FeatureContext) -> None:
    np.testing.assert_array_equal(
        context.rank_at(np.asarray([0.5, 1.0, 3.5, 5.0, 9.0])), [-1, 0, 2, 4, 4]
    )
    items = np.asarray([I0, I0, I0, I3, I3])
    ranks = np.asarray([-1, 2, 4, 3, 4])
    np.testing.assert_array_equal(context.counts_up_to(items, ranks), [0, 1, 2, 0, 1])
    np.testing.assert_array_equal(context.last_up_to(items, ranks), [np.nan, 0, 3, np.nan, 4])
    np.testing.assert_array_equal(context.window_counts(items, ranks, 2), [0, 0, 1, 0, 1])
    # one width per item
    widths = np.asarray([1, 1, 5, 1, 1])  # ranks 0..4
    np.testing.assert_array_equal(context.window_counts(items, ranks, widths), [0, 0, 2, 0, 1])


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


def test_item_repeat_rate() -> None:
    """The log of an item's events per pair among the pairs known at a rank."""
    ids = np.asarray(["milk", "tv"], dtype=object)
    rows = [("a", "milk", 1.0), ("a", "milk", 2.0), ("a", "milk", 3.0), ("b", "milk", 4.0)]
    rows += [("b", "tv", 5.0)]
    data = Interactions.from_frame(
        pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"]), item_ids=ids
    )
    context = FeatureContext.build(data, ItemCatalog.bare(ids), seed=0)
    # ranks: a-milk 0 (first event at 1), b-milk 1, b-tv 2
    repeat = context.repeat_up_to(np.asarray([0, 0, 1, 1]), np.asarray([0, 2, 2, 1]))
    np.testing.assert_allclose(repeat, [math.log(3), math.log(4 / 2), 0.0, 0.0])


def test_category_matrix_columns() -> None:
    matrix = category_matrix([frozenset({"b", "a"}), frozenset(), frozenset({"b"})])
    np.testing.assert_array_equal(matrix.toarray(), [[1, 1], [0, 0], [0, 1]])


def every_item(n_queries: int, n_items: int) -> Candidates:
    """Every item a candidate of every query, with made-up source columns."""
    users = np.repeat(np.arange(n_queries), n_items)
    items = np.tile(np.arange(n_items), n_queries)
    rng = np.random.default_rng(0)
    return Candidates(
        users=users,
        items=items,
        groups=np.full(n_queries, n_items),
        scores=rng.normal(size=(len(users), 2)).astype(np.float32),
        ranks=rng.integers(0, 6, size=(len(users), 2)).astype(np.float32),
        depth=5,
    )


def stats_equal(one: QueryStats, other: QueryStats) -> None:
    for name in ("length", "now", "seen", "mean_popularity"):
        np.testing.assert_array_equal(getattr(one, name), getattr(other, name), err_msg=name)
    assert (one.categories != other.categories).nnz == 0


@pytest.mark.parametrize("quantile", [0.2, 0.5, 0.8, 0.97])
def test_no_feature_reads_past_the_moment(
    interactions: Interactions, catalog: ItemCatalog, quantile: float
) -> None:
    """Features of queries at a moment are the same whether the context knows the pairs
    after it or not: a context on all the data and one on what was known then
    (:meth:`Interactions.before`) give equal columns, for every item as a candidate."""
    moment = float(np.quantile(interactions.first_times, quantile))
    past = interactions.before(moment)
    assert len(past) < len(interactions)
    full = FeatureContext.build(interactions, catalog, seed=3)
    known = FeatureContext.build(past, catalog, seed=3)
    every = past.histories(3)
    people = np.flatnonzero([len(h) > 0 for h in every])
    histories = [every[int(u)] for u in people]
    # asked at the moment, and a little later (nothing happened in between for `known`)
    later = np.nextafter(
        np.min(interactions.first_times[interactions.first_times > moment]), -np.inf
    )
    moments = np.where(np.arange(len(people)) % 2 == 0, moment, later)
    last_seen = past.user_last_seen()[people]
    candidates = every_item(len(people), interactions.n_items)
    full_stats = full.query_stats(histories, moments, last_seen)
    known_stats = known.query_stats(histories, moments, last_seen)
    stats_equal(full_stats, known_stats)
    with_future = build_features(candidates, full, full_stats)
    without = build_features(candidates, known, known_stats)
    for j, name in enumerate(feature_names(["s1", "s2"])):
        np.testing.assert_array_equal(with_future[:, j], without[:, j], err_msg=name)


def test_features_change_with_the_moment(interactions: Interactions, catalog: ItemCatalog) -> None:
    """The same history asked at two moments: the item and time columns move, the
    history's own columns do not."""
    context = FeatureContext.build(interactions, catalog, seed=3)
    history = [interactions.histories(3)[0]]
    candidates = every_item(1, interactions.n_items)
    names = feature_names(["s1", "s2"])
    early = float(np.quantile(interactions.first_times, 0.5))
    late = float(interactions.timestamps.max())
    then, now = (
        build_features(
            candidates, context, context.query_stats(history, np.asarray([t]), np.asarray([t]))
        )
        for t in (early, late)
    )
    changed = {
        n for j, n in enumerate(names) if not np.array_equal(then[:, j], now[:, j], equal_nan=True)
    }
    assert {"item_log_count", "item_age", "user_mean_log_popularity"} <= changed
    assert not changed & {"user_log_length", "category_affinity_max", "score_s1", "rank_s2"}
