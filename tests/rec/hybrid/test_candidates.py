"""Candidate generation from fixed score tables (:func:`from_scores`)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recmind.rec.hybrid.candidates import from_scores
from recmind.rec.topk import tiebreak_keys

FIRST = np.asarray([[5, 4, 3, 2, 1, 0], [0, 1, 2, 3, 4, 5]], dtype=np.float32)
SECOND = np.asarray([[0, 0, 9, 8, 0, 7], [1, 1, 1, 1, 1, 1]], dtype=np.float32)
SEEN = sp.csr_matrix(np.asarray([[1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1]], dtype=np.float32))


def test_union_of_each_sources_top_unseen_items() -> None:
    found = from_scores(
        [FIRST[:1], SECOND[:1]], np.asarray([0]), SEEN[:1], depth=2, tiebreak=np.arange(6)
    )
    assert found.items.tolist() == [1, 2, 3]  # first: 1, 2 (0 is seen); second: 2, 3
    assert found.groups.tolist() == [3] and len(found) == 3
    np.testing.assert_array_equal(found.scores, [[4, 0], [3, 9], [2, 8]])
    np.testing.assert_array_equal(found.ranks, [[0, 2], [1, 0], [2, 1]])
    np.testing.assert_array_equal(found.proposed, [[True, False], [True, True], [False, True]])


def test_rows_keep_their_keys_and_order() -> None:
    """Rows are grouped in the order given, each under its own key (a history's
    position), and never propose the row's seen items."""
    keys = tiebreak_keys(6, seed=3)
    found = from_scores(
        [FIRST[[1, 0]], SECOND[[1, 0]]], np.asarray([7, 8]), SEEN[[1, 0]], depth=2, tiebreak=keys
    )
    first = int(found.groups[0])
    assert found.users.tolist() == [7] * first + [8] * int(found.groups[1])
    assert {3, 4} <= set(found.items[:first].tolist())
    assert 5 not in found.items[:first].tolist()  # seen in row 0
    assert 0 not in found.items[first:].tolist()  # seen in row 1


def test_ties_broken_by_the_seeded_keys_not_the_index() -> None:
    """The second source scores every item of row 1 alike: the keys pick its top 2."""
    keys = np.asarray([5, 4, 0, 1, 3, 2])
    found = from_scores([SECOND[1:]], np.asarray([0]), SEEN[1:], depth=2, tiebreak=keys)
    assert found.items.tolist() == [2, 3]
    np.testing.assert_array_equal(found.ranks.ravel(), [0, 1])


def test_row_with_nothing_left() -> None:
    everything = sp.csr_matrix(np.ones((1, 6), dtype=np.float32))
    found = from_scores([FIRST[:1]], np.asarray([0]), everything, depth=3, tiebreak=np.arange(6))
    assert len(found) == 0 and found.groups.tolist() == [0]


def test_an_item_every_source_scores_minus_inf_is_never_a_candidate() -> None:
    """How items that did not exist yet at a query's moment are kept out; one source
    proposing an item is enough to make it a candidate."""
    first = FIRST[:1].copy()
    second = SECOND[:1].copy()
    first[0, [1, 2]] = -np.inf
    second[0, 2] = -np.inf
    found = from_scores([first, second], np.asarray([0]), SEEN[:1], depth=6, tiebreak=np.arange(6))
    assert 2 not in found.items.tolist()
    assert 1 in found.items.tolist()  # the second source scores it 0
    row = found.items.tolist().index(1)
    assert found.ranks[row, 0] == 6 and found.ranks[row, 1] < 6
