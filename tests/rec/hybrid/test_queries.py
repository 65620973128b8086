"""Queries at moments: candidates of items that existed then, and the ranker's training
rows, whose labels line up with their candidates."""

from __future__ import annotations

import numpy as np
import pandas as pd
from tests.rec.hybrid.conftest import FakeSource

from recmind.rec.hybrid.features import FeatureContext, feature_names
from recmind.rec.hybrid.holdout import label_cut, label_cuts
from recmind.rec.hybrid.queries import (
    Queries,
    Scorer,
    batches,
    concat_rows,
    ranker_rows,
    split_queries,
)
from recmind.rec.hybrid.ranker import RankerData
from recmind.rec.hybrid.sources import fit_sources
from recmind.rec.interactions import Interactions, ItemCatalog

# items w, x, y, z are indices 0..3; the cut is at 5
DATA = Interactions.from_frame(
    pd.DataFrame(
        [
            ("a", "x", 1.0),
            ("a", "y", 2.0),
            ("a", "w", 6.0),  # label: w existed (c took it at 4)
            ("a", "z", 6.5),  # label on z, first taken up after the cut
            ("b", "x", 3.0),
            ("b", "y", 7.0),  # label
            ("c", "w", 4.0),
        ],
        columns=["user_id", "item_id", "timestamp"],
    )
)
W, X, Y, Z = range(4)
A, B, C = range(3)
TABLE = [[0, 0, 0, 0], [3, 9, 2, 10], [0, 0, 0, 0], [0, 0, 0, 0]]
"""Every history here starts with x: the source scores z best, then x, w, y."""


def scorer_on(
    split_train: Interactions,
    source: FakeSource,
    depth: int = 2,
    first_seen: np.ndarray | None = None,
) -> Scorer:
    """A scorer of the cut's training data (``first_seen``: its items' first times, or
    the given ones)."""
    return Scorer(
        sources=[source],
        context=FeatureContext.build(split_train, ItemCatalog.bare(DATA.item_ids), seed=0),
        first_seen=split_train.item_first_seen() if first_seen is None else first_seen,
        depth=depth,
        tiebreak=np.arange(DATA.n_items),
    )


def test_split_queries_are_the_labelled_users_at_the_cut() -> None:
    split = label_cut(DATA, 5.0)
    users, queries = split_queries(split, seed=0)
    assert users.tolist() == [A, B] and len(queries) == 2
    assert [h.tolist() for h in queries.histories] == [[X, Y], [X]]
    np.testing.assert_array_equal(queries.moments, [5.0, 5.0])
    np.testing.assert_array_equal(queries.last_seen, [2.0, 3.0])
    taken = queries.take(np.asarray([1]))
    assert [h.tolist() for h in taken.histories] == [[X]] and taken.last_seen.tolist() == [3.0]


def test_items_first_seen_after_the_moment_are_never_candidates() -> None:
    """z is the source's best item but the scorer's data first saw it after the cut."""
    split = label_cut(DATA, 5.0)
    source = FakeSource("fake", TABLE)
    _, queries = split_queries(split, seed=0)
    scorer = scorer_on(split.train, source, depth=4, first_seen=DATA.item_first_seen())
    candidates, stats = scorer.candidates(queries)
    assert Z not in candidates.items.tolist()
    assert candidates.items.tolist() == [W, W, Y]  # a: x, y seen; b: x seen
    np.testing.assert_array_equal(source.moments[0], [5.0, 5.0])
    np.testing.assert_array_equal(stats.now, [3, 3])  # four pairs known


def test_untouched_items_are_catalogue_items_that_exist() -> None:
    """In the cut's own training data nobody has touched z: it is a catalogue item that
    exists at every moment, a candidate when a source proposes it, with no count, age or
    idle time."""
    split = label_cut(DATA, 5.0)
    _, queries = split_queries(split, seed=0)
    scorer = scorer_on(split.train, FakeSource("fake", TABLE), depth=4)
    candidates, features = scorer.features(queries)
    assert candidates.items.tolist() == [W, Z, W, Y, Z]
    names = feature_names(["fake"])
    on_z = candidates.items == Z
    assert (features[on_z, names.index("item_log_count")] == 0).all()
    assert np.isnan(features[on_z, names.index("item_age")]).all()
    assert np.isnan(scorer.context.item_first[Z])


def test_ranker_rows_label_their_candidates() -> None:
    split = label_cut(DATA, 5.0)
    source = FakeSource("fake", TABLE)
    scorer = scorer_on(split.train, source, depth=4)
    rows = ranker_rows(scorer, split, seed=0, max_queries=10, batch_size=10)
    assert rows.users.tolist() == [A, B]
    assert rows.groups.tolist() == [2, 3]  # a: w, z; b: w, y, z
    np.testing.assert_array_equal(rows.labels, [1, 1, 0, 1, 0])  # a-w, a-z, b-y
    assert rows.features.shape == (5, len(feature_names(["fake"])))
    np.testing.assert_array_equal(rows.features[:, 0], [3, 10, 3, 2, 10])  # source scores
    # batching changes nothing
    one_by_one = ranker_rows(scorer, split, seed=0, max_queries=10, batch_size=1)
    np.testing.assert_array_equal(one_by_one.features, rows.features)
    np.testing.assert_array_equal(one_by_one.labels, rows.labels)
    np.testing.assert_array_equal(one_by_one.groups, rows.groups)


def test_ranker_rows_sample_at_most_max_queries() -> None:
    split = label_cut(DATA, 5.0)
    rows = ranker_rows(
        scorer_on(split.train, FakeSource("fake", TABLE)),
        split,
        seed=0,
        max_queries=1,
        batch_size=10,
    )
    assert len(rows.users) == 1 and rows.users[0] in (A, B)
    assert len(rows.groups) == 1 and int(rows.groups.sum()) == len(rows.labels)


def test_rows_of_real_sources_line_up_with_the_split(
    interactions: Interactions, catalog: ItemCatalog
) -> None:
    """On the shared data with real sources fitted on a cut's past: every row's label is
    the split's label of that (user, candidate), some candidates are labels, and no
    candidate was first taken up after the cut in the sources' data."""
    split = label_cuts(interactions, (0.7,), 0.3)[0]
    sources = fit_sources(("ease", "popular", "transitions"), {}, split.train, catalog, seed=0)
    scorer = Scorer(
        sources=sources,
        context=FeatureContext.build(split.train, catalog, seed=0),
        first_seen=split.train.item_first_seen(),
        depth=10,
        tiebreak=np.arange(interactions.n_items),
    )
    rows = ranker_rows(scorer, split, seed=0, max_queries=1000, batch_size=7)
    users, queries = split_queries(split, seed=0)
    candidates, features = scorer.features(queries)
    np.testing.assert_array_equal(rows.users, users)
    np.testing.assert_array_equal(rows.features, features)
    expected = np.asarray(split.labels[users[candidates.users], candidates.items]).ravel()
    np.testing.assert_array_equal(rows.labels, expected)
    assert rows.labels.sum() > 0
    first = split.train.item_first_seen()[candidates.items]
    assert ((first < split.moment) | np.isinf(first)).all()
    assert rows.features.shape[1] == len(feature_names(["ease", "popular", "transitions"]))


def test_concat_rows() -> None:
    empty = concat_rows([], width=4)
    assert empty.features.shape == (0, 4) and len(empty.groups) == 0
    part = RankerData(
        features=np.ones((3, 4), dtype=np.float32),
        labels=np.asarray([1.0, 0.0, 0.0]),
        groups=np.asarray([1, 2]),
        users=np.asarray([5, 6]),
    )
    none = RankerData(
        features=np.zeros((0, 4), dtype=np.float32),
        labels=np.zeros(0),
        groups=np.zeros(0, dtype=np.int64),
        users=np.zeros(0, dtype=np.int64),
    )
    both = concat_rows([part, none, part], width=4)
    assert both.features.shape == (6, 4)
    assert both.groups.tolist() == [1, 2, 1, 2] and both.users.tolist() == [5, 6, 5, 6]


def test_batches_cover_every_row_once() -> None:
    assert [b.tolist() for b in batches(5, 2)] == [[0, 1], [2, 3], [4]]
    assert list(batches(0, 3)) == []
    assert len(Queries([], np.zeros(0), np.zeros(0))) == 0
