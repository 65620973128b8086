"""Metrics on hand-computed cases, against scikit-learn, and their invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import ndcg_score

from recmind.eval import metrics


def csr(rows: list[list[int]], n_items: int) -> sp.csr_matrix:
    data = [(r, i) for r, items in enumerate(rows) for i in items]
    r, c = zip(*data, strict=True) if data else ((), ())
    m = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(len(rows), n_items))
    m.sort_indices()
    return m


RECS = np.array([[3, 1, 2], [0, 4, -1]])
TARGETS = csr([[1], [0, 2]], 5)


def test_hand_computed_accuracy() -> None:
    got = metrics.accuracy(RECS, TARGETS, [1, 3])
    assert got["hr@1"] == pytest.approx(0.5)
    assert got["ndcg@1"] == pytest.approx(0.5)
    assert got["mrr@1"] == pytest.approx(0.5)
    assert got["recall@1"] == pytest.approx(0.25)
    ndcg_u0 = 1 / math.log2(3)
    ndcg_u1 = 1 / (1 + 1 / math.log2(3))
    assert got["hr@3"] == pytest.approx(1.0)
    assert got["ndcg@3"] == pytest.approx((ndcg_u0 + ndcg_u1) / 2)
    assert got["mrr@3"] == pytest.approx((0.5 + 1.0) / 2)
    assert got["recall@3"] == pytest.approx((1.0 + 0.5) / 2)


def test_padding_is_never_a_hit() -> None:
    recs = np.array([[-1, -1]])
    hits = metrics.hit_matrix(recs, csr([[0]], 3))
    assert not hits.any()


def test_hand_computed_beyond_accuracy() -> None:
    assert metrics.coverage(RECS, 5, 3) == pytest.approx(1.0)
    assert metrics.coverage(RECS, 5, 1) == pytest.approx(0.4)
    popularity = np.array([4.0, 0.0, 1.0, 3.0, 0.0])
    # items 3 and 0: -log2(4/5) and -log2(5/5) = 0
    assert metrics.novelty(RECS, popularity, 4, 1) == pytest.approx(-math.log2(0.8) / 2)
    cats = metrics.category_matrix(
        [frozenset("a"), frozenset("ab"), frozenset(), frozenset("b"), frozenset()]
    )
    # list 1: (3,1) 1 - 1/2, (3,2) 1, (1,2) 1; list 2: (0,4) 1; padding ignored
    expected = ((0.5 + 1 + 1) / 3 + 1.0) / 2
    assert metrics.diversity(RECS, cats, 3) == pytest.approx(expected)
    # two items without categories are alike; a single-item list is skipped
    assert metrics.diversity(np.array([[2, 4], [0, -1]]), cats, 2) == pytest.approx(0.0)


def test_diversity_without_categories_is_none() -> None:
    cats = metrics.category_matrix([frozenset(), frozenset()])
    assert metrics.diversity(np.array([[0, 1]]), cats, 2) is None


def test_diversity_chunking_matches_one_block() -> None:
    rng = np.random.default_rng(1)
    cats = metrics.category_matrix(
        [frozenset(rng.choice(list("abcdef"), size=rng.integers(0, 4))) for _ in range(30)]
    )
    recs = np.array([rng.permutation(30)[:6] for _ in range(50)])
    whole = metrics.diversity(recs, cats, 6)
    chunked = metrics.diversity(recs, cats, 6, chunk_cells=1)
    assert whole == pytest.approx(chunked)


def test_users_without_targets_are_rejected() -> None:
    with pytest.raises(ValueError, match="at least one target"):
        metrics.accuracy(np.array([[0, 1]]), csr([[]], 3), [2])


def test_shape_mismatch_is_rejected() -> None:
    with pytest.raises(ValueError, match="one row per user"):
        metrics.accuracy(np.array([[0, 1]]), csr([[0], [1]], 3), [2])


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("k", [1, 5, 10])
def test_ndcg_matches_sklearn(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    n_users, n_items = 40, 30
    scores = rng.random((n_users, n_items))  # continuous: no ties
    relevant = rng.random((n_users, n_items)) < 0.15
    relevant[np.arange(n_users), rng.integers(0, n_items, n_users)] = True
    recs = np.argsort(-scores, axis=1)[:, :k]
    got = metrics.accuracy(recs, sp.csr_matrix(relevant.astype(float)), [k])[f"ndcg@{k}"]
    assert got == pytest.approx(ndcg_score(relevant.astype(float), scores, k=k))


@st.composite
def ranked_case(draw: st.DrawFn) -> tuple[np.ndarray, sp.csr_matrix, int]:
    """Random lists without duplicates (some padded) and non-empty target sets."""
    seed = draw(st.integers(0, 2**32 - 1))
    n_users = draw(st.integers(1, 12))
    n_items = draw(st.integers(2, 25))
    k = draw(st.integers(1, n_items + 3))
    rng = np.random.default_rng(seed)
    recs = np.full((n_users, k), -1)
    rows = []
    for u in range(n_users):
        length = rng.integers(0, min(k, n_items) + 1)
        recs[u, :length] = rng.permutation(n_items)[:length]
        rows.append(sorted(rng.choice(n_items, size=rng.integers(1, n_items + 1), replace=False)))
    return recs, csr(rows, n_items), k


@given(ranked_case())
@settings(max_examples=150, deadline=None)
def test_metrics_lie_in_unit_interval(case: tuple[np.ndarray, sp.csr_matrix, int]) -> None:
    recs, targets, k = case
    for name, value in metrics.accuracy(recs, targets, [k]).items():
        assert 0.0 <= value <= 1.0 + 1e-12, name
    n_items = targets.shape[1]
    assert 0.0 <= metrics.coverage(recs, n_items, k) <= 1.0
    rng = np.random.default_rng(n_items)
    cats = metrics.category_matrix(
        [frozenset(rng.choice(list("abcd"), size=rng.integers(0, 3))) for _ in range(n_items)]
    )
    div = metrics.diversity(recs, cats, k)
    assert div is None or 0.0 <= div <= 1.0 + 1e-12


@given(ranked_case())
@settings(max_examples=150, deadline=None)
def test_hr_and_recall_never_decrease_with_k(case: tuple[np.ndarray, sp.csr_matrix, int]) -> None:
    recs, targets, k = case
    hits = metrics.hit_matrix(recs, targets)
    n_targets = np.diff(targets.indptr)
    previous = metrics.accuracy_per_user(hits, n_targets, 1)
    for cut in range(2, k + 1):
        current = metrics.accuracy_per_user(hits, n_targets, cut)
        for name in ("hr", "recall"):
            assert np.all(current[name] >= previous[name] - 1e-12), (name, cut)
        previous = current


@given(ranked_case(), st.integers(0, 2**31))
@settings(max_examples=100, deadline=None)
def test_user_order_does_not_change_the_mean(
    case: tuple[np.ndarray, sp.csr_matrix, int], perm_seed: int
) -> None:
    recs, targets, k = case
    order = np.random.default_rng(perm_seed).permutation(len(recs))
    before = metrics.accuracy(recs, targets, [k])
    after = metrics.accuracy(recs[order], targets[order], [k])
    for name, value in before.items():
        assert after[name] == pytest.approx(value)


@given(ranked_case())
@settings(max_examples=150, deadline=None)
def test_a_perfect_list_scores_one(case: tuple[np.ndarray, sp.csr_matrix, int]) -> None:
    _, targets, k = case
    n_items = targets.shape[1]
    perfect = np.full((targets.shape[0], k), -1)
    for u in range(targets.shape[0]):
        wanted = targets.indices[targets.indptr[u] : targets.indptr[u + 1]]
        rest = np.setdiff1d(np.arange(n_items), wanted)
        ranked = np.concatenate([wanted, rest])[:k]
        perfect[u, : len(ranked)] = ranked
    got = metrics.accuracy(perfect, targets, [k])
    assert got[f"hr@{k}"] == pytest.approx(1.0)
    assert got[f"ndcg@{k}"] == pytest.approx(1.0)
    assert got[f"mrr@{k}"] == pytest.approx(1.0)
    n_targets = np.diff(targets.indptr)
    hits = metrics.hit_matrix(perfect, targets)
    recall = metrics.accuracy_per_user(hits, n_targets, k)["recall"]
    assert np.allclose(recall[n_targets <= k], 1.0)
