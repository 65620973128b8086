"""``rank_fitted``: the harness ranks through the serving path, at each user's moment."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from recmind.data.bundle import DataBundle
from recmind.eval.runner import item_space, split_bundle
from recmind.eval.scoring import fit_and_rank
from recmind.eval.specs import resolve_models
from recmind.eval.splits import Holdout, leave_last_out
from recmind.rec.base import Filters, Recommender
from recmind.rec.interactions import Interactions, ItemCatalog
from recmind.serving.snapshot import TrainingHistories

DAY = 86_400.0


def future_hit_log() -> Interactions:
    """10 early users take 4 of the items a-f on days 1-4; from day 100, 30 late users
    each take "hit" and then 3 of the early items; from day 200, 5 latecomers take 3 early
    items. Fitted on everything, "hit" is by far the most popular item, but nobody had
    heard of it on day 4. Nobody ever takes "unsold"."""
    rng = np.random.default_rng(0)
    early = ["a", "b", "c", "d", "e", "f"]
    rows = []
    for u in range(10):
        for day, item in enumerate(rng.choice(early, size=4, replace=False), start=1):
            rows.append((f"early{u}", str(item), day * DAY + u))
    for u in range(30):
        rows.append((f"late{u}", "hit", (100 + u) * DAY))
        for step, item in enumerate(rng.choice(early, size=3, replace=False), start=1):
            rows.append((f"late{u}", str(item), (100 + u) * DAY + step * 3600.0))
    for u in range(5):
        for step, item in enumerate(rng.choice(early, size=3, replace=False), start=1):
            rows.append((f"latecomer{u}", str(item), (200 + u) * DAY + step * 3600.0))
    frame = pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])
    return Interactions.from_frame(frame, item_ids=[*early, "hit", "unsold"])


def ranked_rows(holdout: Holdout, recs: np.ndarray, prefix: str) -> list[list[int]]:
    users = holdout.train.user_ids[holdout.users]
    return [
        [int(i) for i in row if i >= 0]
        for user, row in zip(users, recs, strict=True)
        if str(user).startswith(prefix)
    ]


@pytest.mark.parametrize(("model", "params"), [("popular", {"half_life_days": None}),
                                               ("popular", {"half_life_days": 7.0}),
                                               ("ease", {"l2": 1.0}),
                                               ("itemknn", {"neighbors": 5})])  # fmt: skip
def test_the_harness_never_shows_an_item_from_after_the_users_moment(
    model: str, params: dict[str, Any]
) -> None:
    data = future_hit_log()
    hit = int(np.flatnonzero(data.item_ids == "hit")[0])
    unsold = int(np.flatnonzero(data.item_ids == "unsold")[0])
    split = leave_last_out(data, seed=0)
    (spec,) = resolve_models([model])
    catalog = ItemCatalog.bare(data.item_ids)
    for holdout in (split.test, split.validation):
        fitted = spec.factory(params, 0).fit(holdout.train, catalog)
        plain = model == "popular" and params["half_life_days"] is None
        if plain:  # counted over the loo training data, the hit leads
            assert int(np.argmax(fitted.score_users(holdout.users[:1])[0])) == hit
        ranking = fit_and_rank(spec, params, holdout, catalog, k=data.n_items, seed=0)
        early = ranked_rows(holdout, ranking.recs, "early")
        assert len(early) == 10
        assert all(hit not in row and unsold in row for row in early)
        # a latecomer's moment comes after the hit's release: it is rankable for them
        latecomers = ranked_rows(holdout, ranking.recs, "latecomer")
        assert len(latecomers) == 5
        assert all(hit in row and unsold in row for row in latecomers)
        if plain:
            assert all(row[0] == hit for row in latecomers)


@pytest.mark.parametrize(("protocol", "model", "params"), [
    ("loo", "popular", {"half_life_days": 7.0}),
    ("loo", "ease", {"l2": 50.0}),
    ("temporal", "popular", {"half_life_days": 1.0}),
    ("temporal", "ease", {"l2": 50.0}),
    ("cold-user", "popular", {"half_life_days": None}),
])  # fmt: skip
def test_rank_fitted_is_the_serving_path(
    bundle: DataBundle, protocol: str, model: str, params: dict[str, Any]
) -> None:
    """The server holds each training user's history in the model's seeded time order
    (:class:`TrainingHistories`) and ranks it with ``recommend_histories_at``, excluding
    the history's items: at the holdout's moments that is exactly the harness ranking."""
    items = item_space(bundle)
    split = split_bundle(bundle, items, protocol, seed=5)
    catalog = ItemCatalog.bare(items)
    (spec,) = resolve_models([model])
    for holdout in (split.test, split.validation):
        ranking = fit_and_rank(spec, params, holdout, catalog, k=10, seed=5)
        fitted: Recommender = spec.factory(params, 5).fit(holdout.train, catalog)
        snapshot = TrainingHistories.of(fitted)
        histories = [snapshot.user(int(u))[0] for u in holdout.users]
        for served, harness in zip(histories, holdout.histories(5), strict=True):
            np.testing.assert_array_equal(served, harness)  # the same order, ties included
        recs, _ = fitted.recommend_histories_at(
            histories,
            holdout.moments(),
            10,
            Filters(exclude_seen=True),
            last_seen=holdout.last_seen(),
        )
        np.testing.assert_array_equal(recs, ranking.recs)
