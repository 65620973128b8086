"""The evaluation-only random model and how evaluate finds it."""

from __future__ import annotations

import numpy as np

from recmind.data.bundle import DataBundle
from recmind.eval import evaluate
from recmind.eval.reference import RandomRecommender, uniform_scores, with_reference_models
from recmind.rec.interactions import Interactions
from recmind.rec.registry import MODELS


def test_scores_depend_only_on_seed_user_and_item() -> None:
    full = uniform_scores(7, np.arange(30), 50)
    np.testing.assert_array_equal(uniform_scores(7, np.array([12, 3]), 50), full[[12, 3]])
    assert full.min() >= 0.0 and full.max() < 1.0
    assert not np.array_equal(uniform_scores(8, np.arange(30), 50), full)
    assert len(np.unique(full)) == full.size


def test_scores_look_uniform() -> None:
    scores = uniform_scores(0, np.arange(200), 500).ravel()
    counts = np.histogram(scores, bins=10, range=(0.0, 1.0))[0]
    assert abs(scores.mean() - 0.5) < 0.005
    assert counts.min() > 0.95 * scores.size / 10


def test_random_model_ranks_differently_per_user_and_seed(skewed: Interactions) -> None:
    data = skewed
    model = RandomRecommender(seed=1).fit(data)
    first = model.recommend_indices(np.arange(data.n_users), 10)[0]
    assert len({tuple(r) for r in first}) == data.n_users
    again = RandomRecommender(seed=1).fit(data).recommend_indices(np.arange(data.n_users), 10)[0]
    np.testing.assert_array_equal(first, again)
    other = RandomRecommender(seed=2).fit(data).recommend_indices(np.arange(data.n_users), 10)[0]
    assert not np.array_equal(first, other)


def test_random_is_for_evaluation_only(bundle: DataBundle) -> None:
    assert "random" not in MODELS
    assert with_reference_models(["pop"], None) is None
    merged = with_reference_models(["Random", "pop"], None)
    assert merged is not None and merged["random"] is RandomRecommender
    assert set(MODELS) <= set(merged)
    report = evaluate(bundle, models=["random", "pop"], ks=(5,))
    assert [r.label for r in report.rows] == ["random", "pop"]
