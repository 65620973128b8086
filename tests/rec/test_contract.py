"""The contract every registered recommender passes: one harness, parametrised over MODELS.

A new model gets these checks by being added to ``recmind.rec.registry.MODELS``; give it
small, fast hyperparameters in ``FAST_PARAMS`` if its defaults are slow.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest

from recmind.rec.base import Filters, Recommendations, Recommender
from recmind.rec.interactions import Interactions, ItemCatalog
from recmind.rec.registry import MODELS, create_model

FAST_PARAMS: dict[str, dict[str, Any]] = {
    "popular": {"half_life_days": 30.0},
    "itemknn": {"neighbors": 10},
    "ease": {"l2": 10.0},
    "als": {"factors": 8, "iterations": 5},
    # int8 ONNX MiniLM: no torch load; no disk cache, so the suite writes nothing outside tmp.
    "semantic": {"encoder": "minilm-onnx", "cache_embeddings": False},
    "hybrid": {
        "source_params": {"semantic": {"encoder": "minilm-onnx", "cache_embeddings": False}}
    },
}
NAMES = list(MODELS)
K = 5


def fit(
    name: str, data: Interactions, catalog: ItemCatalog | None = None, seed: int = 3
) -> Recommender:
    return create_model(name, FAST_PARAMS.get(name), seed=seed).fit(data, catalog)


@pytest.fixture(scope="module", params=NAMES)
def model_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def model(model_name: str, interactions: Interactions, catalog: ItemCatalog) -> Recommender:
    return fit(model_name, interactions, catalog)


def all_users(data: Interactions) -> list[str]:
    return [str(u) for u in data.user_ids]


def returned(recs: Recommendations) -> list[list[str]]:
    return [[str(i) for i in row if i is not None] for row in recs.item_ids]


def seen_items(data: Interactions, user: str) -> set[str]:
    row = data.matrix()[int(data.lookup_users([user])[0])]
    return {str(data.item_ids[j]) for j in row.indices}


def test_shapes_and_dtypes(model: Recommender, interactions: Interactions) -> None:
    users = [*all_users(interactions)[:7], "stranger"]
    recs = model.recommend(users, k=K)
    assert recs.item_ids.shape == (8, K) and recs.item_ids.dtype == object
    assert recs.scores.shape == (8, K) and recs.scores.dtype == np.float64
    assert recs.user_ids.tolist() == users
    assert recs.known_users.tolist() == [True] * 7 + [False]
    assert recs.model == model.name
    assert all(isinstance(i, str) for i in recs.item_ids.ravel())


def test_same_seed_same_lists(model_name: str, interactions: Interactions) -> None:
    users = all_users(interactions)
    first = fit(model_name, interactions, seed=11).recommend(users, k=K)
    second = fit(model_name, interactions, seed=11).recommend(users, k=K)
    np.testing.assert_array_equal(first.item_ids, second.item_ids)
    np.testing.assert_array_equal(first.scores, second.scores)


def test_other_seed_still_valid(model_name: str, interactions: Interactions) -> None:
    """Seeds may change the lists (tie order, random initialisation) but never the rules."""
    recs = fit(model_name, interactions, seed=12345).recommend(all_users(interactions), k=K)
    for user, items in zip(recs.user_ids, returned(recs), strict=True):
        assert len(items) == K
        assert not set(items) & seen_items(interactions, str(user))


def test_exclude_seen(model: Recommender, interactions: Interactions) -> None:
    users = all_users(interactions)
    recs = model.recommend(users, k=interactions.n_items)
    for user, items in zip(users, returned(recs), strict=True):
        seen = seen_items(interactions, user)
        assert not set(items) & seen
        assert len(items) == interactions.n_items - len(seen)


def test_seen_items_allowed_when_asked(model: Recommender, interactions: Interactions) -> None:
    recs = model.recommend(all_users(interactions), k=interactions.n_items, filters=Filters(False))
    assert all(len(items) == interactions.n_items for items in returned(recs))


@pytest.mark.parametrize(
    "filters",
    [
        Filters(categories=("books",)),
        Filters(categories=("Tops", "music")),
        Filters(in_stock=True),
        Filters(exclude_items=("i00", "i01", "i02", "nonexistent")),
        Filters(categories=("books",), in_stock=True, exclude_items=("i05",)),
    ],
    ids=["category", "categories-hierarchy", "in-stock", "exclude-items", "combined"],
)
def test_filters(
    model: Recommender, interactions: Interactions, catalog: ItemCatalog, filters: Filters
) -> None:
    """Every returned item passes the filters, and nothing that passes is lost."""
    allowed = np.ones(interactions.n_items, dtype=bool)
    if filters.categories:
        allowed &= catalog.category_mask(filters.categories)
    if filters.in_stock:
        allowed &= catalog.in_stock
    allowed &= ~np.isin(interactions.item_ids, filters.exclude_items)
    allowed_ids = {str(i) for i in interactions.item_ids[allowed]}
    users = [*all_users(interactions), "stranger"]
    recs = model.recommend(users, k=interactions.n_items, filters=filters)
    for user, items in zip(users, returned(recs), strict=True):
        seen = seen_items(interactions, user) if user != "stranger" else set()
        assert set(items) == allowed_ids - seen


def test_unknown_user_gets_popular_items(model: Recommender, interactions: Interactions) -> None:
    popularity = interactions.item_popularity()
    recs = model.recommend(["stranger", "another stranger"], k=K)
    threshold = np.sort(popularity)[-K]
    for items in returned(recs):
        assert len(items) == K
        chosen = popularity[interactions.lookup_items(items)]
        assert (chosen >= threshold).all()
        assert list(chosen) == sorted(chosen, reverse=True)


def test_k_beyond_catalogue_pads(model: Recommender, interactions: Interactions) -> None:
    user = all_users(interactions)[0]
    k = interactions.n_items + 5
    recs = model.recommend([user, "stranger"], k=k)
    n_valid = interactions.n_items - len(seen_items(interactions, user))
    assert recs.item_ids.shape == (2, k)
    assert all(i is None for i in recs.item_ids[0, n_valid:])
    assert np.isnan(recs.scores[0, n_valid:]).all()
    assert not np.isnan(recs.scores[0, :n_valid]).any()
    assert all(i is None for i in recs.item_ids[1, interactions.n_items :])


def test_scores_non_increasing(model: Recommender, interactions: Interactions) -> None:
    recs = model.recommend([*all_users(interactions), "stranger"], k=interactions.n_items)
    for row in recs.scores:
        valid = row[~np.isnan(row)]
        assert valid.size > 0
        assert np.all(np.diff(valid) <= 0)


def test_ties_not_broken_by_id(model_name: str, uniform_interactions: Interactions) -> None:
    """With every item equally popular a new user faces one big tie: the order must be a
    seeded shuffle, not the id order, and another seed shuffles differently."""
    orders = []
    for seed in (1, 2):
        model = fit(model_name, uniform_interactions, seed=seed)
        idx, scores = model.recommend_indices(np.array([-1]), uniform_interactions.n_items)
        assert np.unique(scores[0]).size == 1
        assert sorted(idx[0]) == list(range(uniform_interactions.n_items))
        assert list(idx[0]) != sorted(idx[0])
        orders.append(list(idx[0]))
    assert orders[0] != orders[1]


def test_pickle_round_trip(model: Recommender, interactions: Interactions) -> None:
    users = [*all_users(interactions), "stranger"]
    filters = Filters(categories=("books",), in_stock=True)
    restored = pickle.loads(pickle.dumps(model, protocol=5))
    assert type(restored) is type(model) and restored.config == model.config
    for f in (None, filters):
        before, after = model.recommend(users, k=K, filters=f), restored.recommend(users, K, f)
        np.testing.assert_array_equal(before.item_ids, after.item_ids)
        np.testing.assert_array_equal(before.scores, after.scores)


def test_scores_are_finite_for_known_users(model: Recommender, interactions: Interactions) -> None:
    scores = model.score_users(np.arange(interactions.n_users))
    assert scores.shape == (interactions.n_users, interactions.n_items)
    assert np.isfinite(scores).all()
