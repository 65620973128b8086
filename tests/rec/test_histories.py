"""``score_histories``: every registered model scores ad-hoc histories (a visitor's session,
or a person's events up to this request) consistently with how it scores fitted users."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from recmind.rec.base import Filters, Recommender
from recmind.rec.interactions import Interactions, ItemCatalog
from recmind.rec.registry import MODELS, create_model

PARAMS: dict[str, dict[str, Any]] = {
    "popular": {"half_life_days": 30.0},
    "itemknn": {"neighbors": 10},
    "ease": {"l2": 10.0},
    "als": {"factors": 8, "iterations": 15, "regularization": 0.5, "alpha": 5.0},
    "semantic": {"encoder": "minilm-onnx", "cache_embeddings": False},
    "sequential": {
        "hidden": 16,
        "max_len": 12,
        "max_epochs": 4,
        "eval_every": 2,
        "monitor_users": 10,
        "text_fusion": False,
    },
    "hybrid": {
        "source_params": {"semantic": {"encoder": "minilm-onnx", "cache_embeddings": False}}
    },
}
NAMES = list(MODELS)
PERSONAL = [n for n in NAMES if n != "popular"]


def _skip_without_override(model: Recommender) -> None:
    if type(model).score_histories is Recommender.score_histories:
        pytest.skip(f"{model.name} has no score_histories override yet")


@pytest.fixture(scope="module", params=NAMES)
def model(
    request: pytest.FixtureRequest, interactions: Interactions, catalog: ItemCatalog
) -> Recommender:
    name = str(request.param)
    fitted = create_model(name, PARAMS.get(name), seed=3)
    if name == "hybrid" and type(fitted).score_histories is Recommender.score_histories:
        pytest.skip("hybrid has no score_histories override yet")
    return fitted.fit(interactions, catalog)


def training_history(model: Recommender, user: int) -> list[int]:
    """The user's training items, oldest first (ties in the order of the data)."""
    data = model.interactions_
    rows = np.flatnonzero(data.user_index == user)
    order = rows[np.argsort(data.timestamps[rows], kind="stable")]
    return [int(i) for i in data.item_index[order]]


def untied_users(model: Recommender) -> list[int]:
    """Users whose training timestamps are all distinct (their order is unambiguous)."""
    data = model.interactions_
    out = []
    for user in range(data.n_users):
        times = data.timestamps[data.user_index == user]
        if len(np.unique(times)) == len(times):
            out.append(user)
    return out


def test_shape_and_finite(model: Recommender) -> None:
    _skip_without_override(model)
    histories = [training_history(model, 0), [3, 1], [], [-1, 2]]
    scores = model.score_histories(histories)
    assert scores.shape == (4, model.interactions_.n_items)
    assert scores.dtype == np.float64
    assert np.isfinite(scores).all()


def test_unknown_items_are_ignored(model: Recommender) -> None:
    _skip_without_override(model)
    history = training_history(model, 1)
    with_unknown = [-1, *history[:2], -5, *history[2:], -1]
    np.testing.assert_allclose(
        model.score_histories([with_unknown]), model.score_histories([history]), atol=1e-9
    )


def test_empty_history_gets_popularity(model: Recommender) -> None:
    _skip_without_override(model)
    scores = model.score_histories([[], [-1, -2]])
    if model.name == "popular":
        expected = model.score_users(np.asarray([0]))[0]  # the model's own ranking
    else:
        expected = model.fallback_scores_
    np.testing.assert_allclose(scores[0], expected)
    np.testing.assert_allclose(scores[1], expected)


@pytest.mark.parametrize("exact", ["popular", "itemknn", "ease"])
def test_training_history_equals_the_fitted_user(
    exact: str, interactions: Interactions, catalog: ItemCatalog
) -> None:
    """Linear item-item models: a user's own training history scores exactly like them."""
    model = create_model(exact, PARAMS[exact], seed=3).fit(interactions, catalog)
    users = np.arange(interactions.n_users)
    histories = [training_history(model, int(u)) for u in users]
    np.testing.assert_allclose(
        model.score_histories(histories), model.score_users(users), rtol=1e-5, atol=1e-6
    )


def test_semantic_history_equals_the_fitted_user(
    interactions: Interactions, catalog: ItemCatalog
) -> None:
    """Same recency weights when the order is unambiguous (no timestamp ties)."""
    model = create_model("semantic", PARAMS["semantic"], seed=3).fit(interactions, catalog)
    users = untied_users(model)
    assert len(users) >= 10
    histories = [training_history(model, u) for u in users]
    np.testing.assert_allclose(
        model.score_histories(histories), model.score_users(np.asarray(users)), atol=1e-5
    )


def test_sequential_history_equals_the_fitted_user(
    interactions: Interactions, catalog: ItemCatalog
) -> None:
    model = create_model("sequential", PARAMS["sequential"], seed=3).fit(interactions, catalog)
    users = untied_users(model)
    histories = [training_history(model, u) for u in users]
    np.testing.assert_allclose(
        model.score_histories(histories), model.score_users(np.asarray(users)), atol=1e-4
    )


def test_als_fold_in_recovers_the_fitted_users(
    interactions: Interactions, catalog: ItemCatalog
) -> None:
    """Folding a training history in solves the same least-squares problem ALS solved for
    the user (against the final item factors), so the factors nearly coincide."""
    model = create_model("als", PARAMS["als"], seed=3).fit(interactions, catalog)
    users = np.arange(interactions.n_users)
    folded = model.fold_in([training_history(model, int(u)) for u in users])  # type: ignore[attr-defined]
    fitted = model.user_factors_.astype(np.float64)  # type: ignore[attr-defined]
    cosine = (folded * fitted).sum(axis=1) / (
        np.linalg.norm(folded, axis=1) * np.linalg.norm(fitted, axis=1)
    )
    assert np.median(cosine) > 0.98, np.median(cosine)
    assert cosine.min() > 0.9, cosine.min()


@pytest.mark.parametrize("name", PERSONAL)
def test_a_new_event_changes_the_scores(
    name: str, interactions: Interactions, catalog: ItemCatalog
) -> None:
    """What makes real time work: one more item in the history moves the ranking."""
    model = create_model(name, PARAMS[name], seed=3)
    _skip_without_override(model)
    model.fit(interactions, catalog)
    history = training_history(model, 2)
    unseen = next(i for i in range(interactions.n_items) if i not in history)
    before, after = model.score_histories([history, [*history, unseen]])
    assert not np.allclose(before, after)


@pytest.mark.parametrize("name", PERSONAL)
def test_anonymous_sessions(name: str, interactions: Interactions, catalog: ItemCatalog) -> None:
    """A visitor without an account: their session's items are excluded, the rest ranked,
    and two different sessions get different lists."""
    model = create_model(name, PARAMS[name], seed=3)
    _skip_without_override(model)
    model.fit(interactions, catalog)
    sessions = [[0, 5, 9], [20, 21]]
    idx, scores = model.recommend_histories(sessions, k=5, filters=Filters())
    for row, session in zip(idx, sessions, strict=True):
        assert (row >= 0).all()
        assert not set(row.tolist()) & set(session)
    assert np.all(np.diff(scores, axis=1) <= 0)
    full = model.score_histories(sessions)
    assert not np.allclose(full[0], full[1])


def test_popular_ignores_the_history(interactions: Interactions, catalog: ItemCatalog) -> None:
    model = create_model("popular", PARAMS["popular"], seed=3).fit(interactions, catalog)
    first, second = model.score_histories([[0, 5], [20]])
    np.testing.assert_array_equal(first, second)
