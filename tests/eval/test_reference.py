"""The evaluation-only random models and how evaluate finds them."""

from __future__ import annotations

from math import comb

import numpy as np
import pandas as pd

from recmind.data.bundle import DataBundle
from recmind.eval import evaluate
from recmind.eval.cold import cold_item_split
from recmind.eval.metrics import accuracy
from recmind.eval.reference import (
    REFERENCE_MODELS,
    RandomNewRecommender,
    RandomRecommender,
    uniform_scores,
    with_reference_models,
)
from recmind.eval.scoring import fit_and_rank
from recmind.eval.specs import resolve_models
from recmind.rec.base import Filters
from recmind.rec.interactions import Interactions, ItemCatalog
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


# -- random-new on the cold-item protocol -----------------------------------------------


def uniform_log(n_users: int = 300, n_items: int = 200, per_user: int = 8) -> Interactions:
    """Every user takes ``per_user`` distinct items uniformly at random: every item is
    eligible to go cold and each user's share of cold targets is chance."""
    rng = np.random.default_rng(11)
    rows = [
        (f"u{u}", f"i{i}", float(rng.integers(0, 1000)))
        for u in range(n_users)
        for i in rng.choice(n_items, size=per_user, replace=False)
    ]
    frame = pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])
    return Interactions.from_frame(frame, item_ids=[f"i{i}" for i in range(n_items)])


def expected_hit_rate(targets: np.ndarray, pool: int, k: int) -> float:
    """Mean chance that a uniformly random top-``k`` of ``pool`` items holds one of a
    user's ``targets`` (all in the pool): ``1 - C(pool - t, k) / C(pool, k)``."""
    return float(np.mean([1.0 - comb(pool - t, k) / comb(pool, k) for t in targets]))


def test_random_new_ranks_never_touched_items_first(skewed: Interactions) -> None:
    keep = ~np.isin(skewed.item_index, [3, 17])
    model = RandomNewRecommender(seed=2).fit(skewed.subset(keep))
    idx, _ = model.recommend_histories_at([[0, 1], [5]], 1e9, k=2, filters=Filters())
    assert {tuple(sorted(row.tolist())) for row in idx} == {(3, 17)}
    users, _ = model.recommend_indices(np.arange(4), 2)
    assert {tuple(sorted(row.tolist())) for row in users} == {(3, 17)}


def test_random_new_finds_cold_items_at_the_rate_the_decoys_leave() -> None:
    """Cold targets share the never-touched pool with as many decoys: "recommend what is
    new" hits about k * targets / pool, half what it would without decoys, and far more
    than a random ranking of the whole catalogue."""
    data = uniform_log()
    split = cold_item_split(data, seed=0, share=0.1)
    test = split.test
    pool = int(split.info["never-touched items"])
    assert pool == 2 * int(split.info["cold items"]) == 40
    specs = resolve_models(["random", "random-new"], REFERENCE_MODELS)
    hr = {
        spec.name: accuracy(
            fit_and_rank(spec, {}, test, ItemCatalog.bare(data.item_ids), k=10, seed=0).recs,
            test.targets,
            [10],
        )["hr@10"]
        for spec in specs
    }
    targets = np.diff(test.targets.indptr)
    expected = expected_hit_rate(targets, pool, 10)
    without_decoys = expected_hit_rate(targets, pool // 2, 10)
    assert test.n_users > 100
    assert abs(hr["random-new"] - expected) < 0.08, (hr, expected)
    assert hr["random-new"] < 0.75 * without_decoys
    seen = np.diff(test.exclude().indptr)
    chance = expected_hit_rate(targets, data.n_items - int(seen.mean()), 10)
    assert abs(hr["random"] - chance) < 0.05, (hr, chance)
    assert hr["random-new"] > 3 * hr["random"]
