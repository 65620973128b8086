"""Reciprocal rank fusion on hand-made lists."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recmind.assistant.retrieval.fusion import reciprocal_rank_fusion


def test_scores_are_the_sum_of_reciprocal_ranks() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "d"]], k=60)
    assert [doc for doc, _ in fused] == ["b", "c", "a", "d"]
    scores = dict(fused)
    assert scores["a"] == pytest.approx(1 / 61)
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["c"] == pytest.approx(1 / 63 + 1 / 62)
    assert scores["d"] == pytest.approx(1 / 63)


def test_k_and_weights_change_the_order() -> None:
    lists = [["a", "b"], ["b", "x", "y", "a"]]
    # small k: being first in one list beats being in both lists lower down
    assert reciprocal_rank_fusion(lists, k=1)[0][0] == "b"
    assert reciprocal_rank_fusion([["a"], ["b"]], weights=[1.0, 2.0])[0][0] == "b"
    assert reciprocal_rank_fusion([["a"], ["b"]], weights=[2.0, 1.0])[0][0] == "a"
    assert reciprocal_rank_fusion([["a"], ["b"]], weights=[0.0, 1.0])[1] == ("a", 0.0)


def test_ties_are_broken_by_best_rank_then_id_and_repeats_count_once() -> None:
    fused = reciprocal_rank_fusion([["b", "a", "b"], ["a", "b"]])
    assert [doc for doc, _ in fused] == ["a", "b"]
    assert fused[0][1] == pytest.approx(fused[1][1])
    assert reciprocal_rank_fusion([]) == []
    with pytest.raises(ValueError, match="positive"):
        reciprocal_rank_fusion([["a"]], k=0)
    with pytest.raises(ValueError, match="one weight per"):
        reciprocal_rank_fusion([["a"]], weights=[1.0, 1.0])


@given(
    st.lists(st.lists(st.sampled_from("abcdefgh"), max_size=8, unique=True), max_size=4),
    st.floats(min_value=0.5, max_value=200),
)
def test_every_listed_id_once_best_first(lists: list[list[str]], k: float) -> None:
    fused = reciprocal_rank_fusion(lists, k=k)
    ids = [doc for doc, _ in fused]
    assert sorted(ids) == sorted({doc for ranked in lists for doc in ranked})
    scores = [score for _, score in fused]
    assert scores == sorted(scores, reverse=True)
    # a document first in every list where it appears ranks no lower than any other
    for ranked in lists:
        if ranked and all(r[:1] == ranked[:1] for r in lists if r):
            assert ids[0] == ranked[0]
