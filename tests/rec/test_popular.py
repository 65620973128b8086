"""Recency-weighted popularity checked on a hand example."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recmind.rec.interactions import Interactions
from recmind.rec.popular import PopularityRecommender, decayed_counts

DAY = 86_400.0
T_REF = 1.7e9


def hand_interactions() -> Interactions:
    """a: fresh and a week old; b: two weeks old; c: two fresh pairs and a year old one."""
    rows = [
        ("u1", "a", T_REF),
        ("u2", "a", T_REF - 7 * DAY),
        ("u1", "b", T_REF - 14 * DAY),
        ("u3", "c", T_REF),
        ("u4", "c", T_REF - 1 * DAY),
        ("u5", "c", T_REF - 365 * DAY),
        ("u3", "d", T_REF - 7 * DAY),
    ]
    return Interactions.from_frame(pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"]))


def test_half_life_by_hand() -> None:
    counts = decayed_counts(hand_interactions(), half_life_days=7.0)
    # a = 1 + 1/2; b = 1/4; c = 1 + 2**(-1/7) + 2**(-365/7); d = 1/2
    expected = [1.5, 0.25, 1 + 2 ** (-1 / 7) + 2 ** (-365 / 7), 0.5]
    np.testing.assert_allclose(counts, expected, rtol=1e-12)


def test_plain_counts() -> None:
    np.testing.assert_array_equal(decayed_counts(hand_interactions(), None), [2, 1, 3, 1])


def test_reference_time_is_latest_training_timestamp() -> None:
    """Shifting every timestamp leaves the weights unchanged."""
    data = hand_interactions()
    shifted = Interactions(
        data.user_ids,
        data.item_ids,
        data.user_index,
        data.item_index,
        data.timestamps + 1000 * DAY,
        data.weights,
    )
    np.testing.assert_allclose(decayed_counts(shifted, 7.0), decayed_counts(data, 7.0))


def test_ranking_follows_decay() -> None:
    """u5 saw only c: decay ranks a (1.5) > d (0.5) > b (0.25); plain counts give a (2)
    then b and d tied (1 each)."""
    data = hand_interactions()
    decayed = PopularityRecommender({"half_life_days": 7.0}).fit(data).recommend(["u5"], k=3)
    assert decayed.item_ids[0].tolist() == ["a", "d", "b"]
    assert decayed.scores[0].tolist() == pytest.approx([1.5, 0.5, 0.25])
    plain = PopularityRecommender().fit(data).recommend(["u5"], k=3)
    assert plain.item_ids[0][0] == "a"
    assert plain.scores[0].tolist() == [2.0, 1.0, 1.0]


def test_equal_scores_are_shuffled_not_sorted_by_id() -> None:
    """Items i01..i19 are tied for a known user who saw only i00."""
    rows = [(f"u{u}", f"i{i:02d}", 0.0) for u in range(3) for i in range(20)]
    rows.append(("u9", "i00", 0.0))
    data = Interactions.from_frame(pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"]))
    recs = PopularityRecommender(seed=5).fit(data).recommend(["u9"], k=19)
    ids = recs.item_ids[0].tolist()
    assert sorted(ids) == [f"i{i:02d}" for i in range(1, 20)]
    assert ids != sorted(ids)


def test_half_life_must_be_positive() -> None:
    with pytest.raises(ValueError, match="greater than 0"):
        PopularityRecommender({"half_life_days": 0.0})
