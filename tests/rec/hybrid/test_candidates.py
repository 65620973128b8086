"""Candidate generation with hand-written fake sources (fixed score tables)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from recmind.rec.hybrid.candidates import from_scores, generate
from recmind.rec.hybrid.sources import Source
from recmind.rec.interactions import Interactions, ItemCatalog
from recmind.rec.topk import tiebreak_keys


class FakeSource(Source):
    """A fake: returns rows of a fixed users x items table."""

    def __init__(self, name: str, table: list[list[float]]):
        self.name = name
        self.table = np.asarray(table, dtype=np.float32)

    def fit(self, interactions: Interactions, catalog: ItemCatalog, seed: int) -> None:
        pass

    def scores(self, user_index: np.ndarray) -> np.ndarray:
        rows: np.ndarray = self.table[user_index]
        return rows

    def history_scores(self, histories: Sequence[np.ndarray]) -> np.ndarray:
        """Row ``h[0]`` of the table for each history (a fake: the first item picks it)."""
        return self.table[[int(h[0]) for h in histories]]


FIRST = FakeSource("first", [[5, 4, 3, 2, 1, 0], [0, 1, 2, 3, 4, 5]])
SECOND = FakeSource("second", [[0, 0, 9, 8, 0, 7], [1, 1, 1, 1, 1, 1]])
SEEN = sp.csr_matrix(np.asarray([[1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1]], dtype=np.float32))


def test_union_of_each_sources_top_unseen_items() -> None:
    found = generate([FIRST, SECOND], np.asarray([0]), SEEN, depth=2, tiebreak=np.arange(6))
    assert found.items.tolist() == [1, 2, 3]  # first: 1, 2 (0 is seen); second: 2, 3
    assert found.groups.tolist() == [3]
    np.testing.assert_array_equal(found.scores, [[4, 0], [3, 9], [2, 8]])
    np.testing.assert_array_equal(found.ranks, [[0, 2], [1, 0], [2, 1]])
    np.testing.assert_array_equal(found.proposed, [[True, False], [True, True], [False, True]])


def test_users_in_the_order_asked() -> None:
    keys = tiebreak_keys(6, seed=3)
    found = generate([FIRST, SECOND], np.asarray([1, 0]), SEEN, depth=2, tiebreak=keys)
    assert found.users.tolist()[: found.groups[0]] == [1] * int(found.groups[0])
    assert set(found.items[: found.groups[0]].tolist()) >= {3, 4}
    assert 5 not in found.items[: found.groups[0]].tolist()  # seen by user 1


def test_ties_broken_by_the_seeded_keys_not_the_index() -> None:
    """The second source scores every item of user 1 alike: the keys pick its top 2."""
    keys = np.asarray([5, 4, 0, 1, 3, 2])
    found = generate([SECOND], np.asarray([1]), SEEN, depth=2, tiebreak=keys)
    assert found.items.tolist() == [2, 3]
    np.testing.assert_array_equal(found.ranks.ravel(), [0, 1])


def test_user_with_nothing_left() -> None:
    everything = sp.csr_matrix(np.ones((1, 6), dtype=np.float32))
    found = generate([FIRST], np.asarray([0]), everything, depth=3, tiebreak=np.arange(6))
    assert len(found) == 0 and found.groups.tolist() == [0]


def test_from_scores_matches_generate() -> None:
    """Candidates from precomputed rows (the ad-hoc history path) equal those of the
    sources asked per user, with the rows' own keys as ``users``."""
    keys = tiebreak_keys(6, seed=1)
    asked = generate([FIRST, SECOND], np.asarray([1, 0]), SEEN, depth=3, tiebreak=keys)
    rows = [FIRST.table[[1, 0]], SECOND.table[[1, 0]]]
    given = from_scores(rows, np.asarray([7, 8]), SEEN[[1, 0]], depth=3, tiebreak=keys)
    np.testing.assert_array_equal(given.items, asked.items)
    np.testing.assert_array_equal(given.scores, asked.scores)
    np.testing.assert_array_equal(given.ranks, asked.ranks)
    assert given.users.tolist() == [7] * int(asked.groups[0]) + [8] * int(asked.groups[1])
