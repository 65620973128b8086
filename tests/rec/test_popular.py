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


# -- at a moment: only what was known then counts ----------------------------------------


def timeline() -> Interactions:
    """At ``T_REF - 5 days``: a has 2 users (one more comes later), b one (u1 took it 15
    days before and again 1 day before the end), c one; "late" is first taken 2 days
    before the end, by 6 users."""
    rows = [
        ("u1", "a", T_REF - 20 * DAY),
        ("u2", "a", T_REF - 10 * DAY),
        ("u3", "a", T_REF - 3 * DAY),
        ("u1", "b", T_REF - 15 * DAY),
        ("u1", "b", T_REF - 1 * DAY),
        ("u9", "c", T_REF - 30 * DAY),
        *[(f"u{u}", "late", T_REF - 2 * DAY + u) for u in range(3, 9)],
    ]
    return Interactions.from_frame(pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"]))


def test_pairs_first_seen_after_the_moment_do_not_count() -> None:
    data = timeline()
    moment = T_REF - 5 * DAY
    a, b, c, late = (int(np.flatnonzero(data.item_ids == i)[0]) for i in ("a", "b", "c", "late"))
    plain = decayed_counts(data, None, at=moment)
    assert plain[[a, b, c, late]].tolist() == [2.0, 1.0, 1.0, 0.0]
    decayed = decayed_counts(data, 7.0, at=moment)
    # decay measured from the moment; b's repeat after it is not known, only its first event
    expected = [2 ** (-15 / 7) + 2 ** (-5 / 7), 2 ** (-10 / 7), 2 ** (-25 / 7), 0.0]
    np.testing.assert_allclose(decayed[[a, b, c, late]], expected, rtol=1e-12)
    # fitted at the end, "late" leads; at the moment it does not exist yet
    model = PopularityRecommender({"half_life_days": 7.0}).fit(data)
    assert int(np.argmax(model.item_scores_)) == late
    scores = model.score_histories_at([[], [a]], moment)
    assert np.isneginf(scores[:, late]).all()
    np.testing.assert_allclose(scores[:, [a, b, c]], [expected[:3]] * 2, rtol=1e-12)
    idx, _ = model.recommend_histories_at([[]], moment, k=4)
    assert idx[0].tolist() == [a, b, c, -1]


def random_log(seed: int = 0) -> Interactions:
    """300 events of 20 users on 15 items over 60 days, with repeats and time ties."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, 16)
    rows = [
        (
            f"u{rng.integers(20)}",
            f"i{rng.choice(15, p=weights / weights.sum()):02d}",
            T_REF + float(rng.integers(0, 60 * 24)) * 3600.0,
        )
        for _ in range(300)
    ]
    return Interactions.from_frame(pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"]))


@pytest.mark.parametrize("half_life", [None, 1.0, 7.0, 30.0])
def test_at_a_moment_equals_fitting_on_what_was_known_then(half_life: float | None) -> None:
    """Scores at a moment are the counts of ``before(moment)``, decayed from the moment
    (a constant factor away from decaying from before(moment)'s own latest event), and
    rank the items known then the same way."""
    data = random_log()
    assert (data.timestamps != data.first_times).any()  # some pairs repeat
    model = PopularityRecommender({"half_life_days": half_life}, seed=4).fit(data)
    first = data.item_first_seen()
    unknown: list[int] = []
    for moment in np.quantile(data.timestamps, [0.01, 0.1, 0.3, 0.6, 0.9]):
        known = data.before(float(moment))
        fitted = decayed_counts(known, half_life)
        factor = (
            1.0
            if half_life is None
            else 2 ** (-(moment - known.timestamps.max()) / (half_life * DAY))
        )
        at = decayed_counts(data, half_life, at=float(moment))
        np.testing.assert_allclose(at, fitted * factor, rtol=1e-9, atol=1e-300)
        # the same ranking through the scoring path (same seed: same tie-breaking)
        then = PopularityRecommender({"half_life_days": half_life}, seed=4).fit(known)
        n_known = int((first <= moment).sum())
        assert n_known > 0
        unknown.append(data.n_items - n_known)
        ranked, _ = model.recommend_histories_at([[]], float(moment), k=data.n_items)
        expected, _ = then.recommend_histories_at([[]], float(moment), k=data.n_items)
        assert ranked[0][:n_known].tolist() == expected[0][:n_known].tolist()
        assert (ranked[0][n_known:] == -1).all()  # the rest did not exist yet
    assert unknown[0] > 0  # the earliest moment did not know every item


@pytest.mark.parametrize("half_life", [None, 7.0])
def test_at_or_after_the_latest_time_equals_the_fitted_scores(half_life: float | None) -> None:
    data = random_log(1)
    model = PopularityRecommender({"half_life_days": half_life}).fit(data)
    latest = float(data.timestamps.max())
    for moment in (latest, latest + 1.0, latest + 400 * DAY):
        np.testing.assert_array_equal(
            decayed_counts(data, half_life, at=moment), model.item_scores_
        )
        scores = model.score_histories_at([[], [0, 1]], moment)
        np.testing.assert_array_equal(scores, np.tile(model.item_scores_, (2, 1)))
    np.testing.assert_array_equal(model.score_histories([[3]]), [model.item_scores_])


def test_search_space_has_short_half_lives() -> None:
    half_lives = [p["half_life_days"] for p in PopularityRecommender.search_space()]
    assert half_lives == [None, 1.0, 3.0, 7.0, 14.0, 30.0, 90.0, 365.0]
