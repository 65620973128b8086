"""``score_histories_at``: the time-causal scoring contract every registered model passes.

At a moment ``now`` an item whose first interaction in training came later did not exist
yet: it scores ``-inf`` and is never recommended. A catalogue item nobody touched in
training has no first interaction and stays rankable. ``now`` is one moment for all
histories or one per history; ``last_seen`` is one time per history.
"""

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
    "als": {"factors": 8, "iterations": 5},
    "semantic": {"encoder": "minilm-onnx", "cache_embeddings": False},
    "sequential": {
        "hidden": 16,
        "max_len": 12,
        "max_epochs": 2,
        "eval_every": 2,
        "monitor_users": 10,
        "text_fusion": False,
    },
    "hybrid": {
        "source_params": {"semantic": {"encoder": "minilm-onnx", "cache_embeddings": False}}
    },
}
NAMES = list(MODELS)
DAY = 86_400.0
UNTOUCHED = (27, 29)
"""Catalogue items whose pairs are dropped: nobody touched them in training."""


@pytest.fixture(scope="module")
def data(interactions: Interactions) -> Interactions:
    """The shared 60-day log without any pair on the :data:`UNTOUCHED` items."""
    return interactions.subset(~np.isin(interactions.item_index, UNTOUCHED))


@pytest.fixture(scope="module")
def now(data: Interactions) -> float:
    """Day 10 of the log: about a third of the items were first touched later."""
    return float(data.timestamps.min()) + 10 * DAY


@pytest.fixture(scope="module", params=NAMES)
def model(request: pytest.FixtureRequest, data: Interactions, catalog: ItemCatalog) -> Recommender:
    name = str(request.param)
    return create_model(name, PARAMS.get(name), seed=3).fit(data, catalog)


def histories_at(data: Interactions, moment: float) -> list[list[int]]:
    """A few people's histories as they stood at ``moment``, an empty one and one with an
    unknown item."""
    known = data.before(moment).histories(seed=0)
    people = [[int(i) for i in h] for h in known if len(h) >= 2][:3]
    assert len(people) == 3
    return [*people, [], [-1, people[0][0]]]


def test_the_data_has_past_future_and_untouched_items(data: Interactions, now: float) -> None:
    first = data.item_first_seen()
    assert set(np.flatnonzero(np.isinf(first)).tolist()) == set(UNTOUCHED)
    assert (first <= now).sum() >= 10
    assert (np.isfinite(first) & (first > now)).sum() >= 8


def test_items_first_seen_after_now_score_minus_inf(
    model: Recommender, data: Interactions, now: float
) -> None:
    histories = histories_at(data, now)
    scores = model.score_histories_at(histories, now)
    assert scores.shape == (len(histories), data.n_items)
    first = data.item_first_seen()
    future = np.isfinite(first) & (first > now)
    assert np.isneginf(scores[:, future]).all()
    assert np.isfinite(scores[:, ~future]).all()  # the past, and what nobody touched
    assert np.isfinite(scores[:, list(UNTOUCHED)]).all()


def test_recommendations_never_hold_a_future_item(
    model: Recommender, data: Interactions, now: float
) -> None:
    histories = histories_at(data, now)
    idx, _ = model.recommend_histories_at(histories, now, k=data.n_items, filters=Filters())
    first = data.item_first_seen()
    future = set(np.flatnonzero(np.isfinite(first) & (first > now)).tolist())
    for row, history in zip(idx, histories, strict=True):
        listed = set(row[row >= 0].tolist())
        assert not listed & future
        assert set(UNTOUCHED) <= listed  # nobody touched them: still rankable
        expected = set(range(data.n_items)) - future - {i for i in history if i >= 0}
        assert listed == expected  # every other item is ranked


def test_after_the_last_event_nothing_is_masked(model: Recommender, data: Interactions) -> None:
    """At or after the latest training time every item exists; a model whose scores do
    not depend on the moment scores exactly like :meth:`score_histories`."""
    latest = float(data.timestamps.max())
    histories = histories_at(data, latest)
    for moment in (latest, latest + 365 * DAY):
        scores = model.score_histories_at(histories, moment)
        assert np.isfinite(scores).all()
        moment_free = type(model)._score_histories_at is Recommender._score_histories_at
        if moment_free or model.name == "popular":
            np.testing.assert_allclose(scores, model.score_histories(histories), rtol=1e-12)


def test_one_moment_or_one_per_history(model: Recommender, data: Interactions, now: float) -> None:
    histories = histories_at(data, now)
    n = len(histories)
    scalar = model.score_histories_at(histories, now)
    np.testing.assert_array_equal(scalar, model.score_histories_at(histories, [now] * n))
    np.testing.assert_array_equal(scalar, model.score_histories_at(histories, np.full(n, now)))
    # per-row moments: each row is scored as if alone at its own moment
    latest = float(data.timestamps.max())
    moments = np.linspace(now, latest, n)
    rows = model.score_histories_at(histories, moments)
    for row, (history, moment) in enumerate(zip(histories, moments, strict=True)):
        alone = model.score_histories_at([history], float(moment))[0]
        np.testing.assert_allclose(rows[row], alone, rtol=1e-5, atol=1e-6)  # float32 batches
    assert np.isneginf(rows[0]).sum() > np.isneginf(rows[-1]).sum() == 0


def test_wrong_lengths_are_errors(model: Recommender, data: Interactions, now: float) -> None:
    histories = histories_at(data, now)
    n = len(histories)
    for last_seen in ([now] * (n - 1), [now] * (n + 1), [now]):
        with pytest.raises(ValueError, match="last_seen"):
            model.score_histories_at(histories, now, last_seen=last_seen)
        with pytest.raises(ValueError, match="last_seen"):
            model.recommend_histories_at(histories, now, k=3, last_seen=last_seen)
    with pytest.raises(ValueError, match="moments"):
        model.score_histories_at(histories, [now] * (n - 1))
    # one time per history is accepted, a later one reads as now
    fine = model.score_histories_at(histories, now, last_seen=[now - DAY] * n)
    assert fine.shape == (n, data.n_items)
    later = model.score_histories_at(histories, now, last_seen=[now + DAY] * n)
    np.testing.assert_array_equal(later, model.score_histories_at(histories, now))
