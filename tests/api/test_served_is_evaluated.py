"""The list served over HTTP is the list the evaluation harness ranks: for the same history
and the same moment, ``GET /v1/users/{id}/recommendations`` returns exactly (items and
order) what :meth:`Recommender.recommend_histories_at` and
:func:`recmind.eval.scoring.rank_fitted` give, so an offline figure measures what is served.

MovieLens 100K (many ratings of one person share a second, so the order of tied events
matters to order-aware models) is imported into a real store, a model is trained and
published the way ``recmind train`` does it, and a real server on loopback answers.
Nobody has events beyond the training data. The server's clock is set to a moment after the
last training event (the harness is asked at the same moment); the list is read twice per
person: from the cache warmed when the version loaded, and computed on a cache miss.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pytest
import scipy.sparse as sp
from tests.api.conftest import LiveServer, make_settings, start_server
from tests.serving.shop import publish

from recmind.data.datasets import load_dataset
from recmind.data.importer import import_bundle
from recmind.eval.runner import item_events, item_space
from recmind.eval.scoring import rank_fitted
from recmind.eval.splits import Holdout
from recmind.rec.artifacts import ArtifactInfo, ModelStore, data_fingerprint
from recmind.rec.base import Filters, Recommender
from recmind.rec.interactions import Interactions, ItemCatalog
from recmind.rec.registry import create_model
from recmind.serving import ranker
from recmind.serving.engine import ServingEngine
from recmind.training import training_bundle

K = 10
AFTER_TRAINING = 3600.0
"""The moment asked: this long after the last training event."""
N_USERS = 24
HYBRID_PARAMS: dict[str, Any] = {
    "sources": ("ease", "itemknn", "transitions", "popular"),
    "cold_share": 0.0,
}
"""A hybrid without the text source (no encoder to load) and without its second fit: what
matters here is that it reads the order of a history (``transitions``)."""


@pytest.fixture(scope="module")
def movielens(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server on SQLite with MovieLens 100K imported; no model published yet."""
    home = tmp_path_factory.mktemp("served") / "home"
    settings = make_settings(home)
    serving = settings.serving.model_copy(update={"warm_in_child": False})
    settings = settings.model_copy(update={"serving": serving})
    live, running = start_server(settings)
    import_bundle(
        live.store,
        load_dataset("movielens-100k"),
        quarantine_dir=home / "quarantine",
        settings=settings,
    )
    yield live
    running.stop()
    live.store.close()


def publish_fitted(live: LiveServer, name: str, params: dict[str, Any]) -> ArtifactInfo:
    """Fit ``name`` with fixed ``params`` on everything in the store (no tuning: a model
    too slow to tune in a test) and publish it as ``recmind train`` would."""
    settings = live.settings
    bundle = training_bundle(live.store, settings.api.secret)
    items = item_space(bundle)
    interactions = Interactions.from_frame(item_events(bundle), item_ids=items)
    catalog = ItemCatalog.from_frame(bundle.items, items)
    model = create_model(name, params, seed=settings.seed).fit(interactions, catalog)
    return ModelStore(settings.models_dir).save(
        model, metrics={}, data_fingerprint=data_fingerprint(interactions)
    )


def served_model(
    live: LiveServer, info: ArtifactInfo, monkeypatch: pytest.MonkeyPatch
) -> tuple[Recommender, float]:
    """Serve ``info`` with the server's clock at a moment after the last training event;
    the model as the harness would load it, and that moment."""
    model, loaded = ModelStore(live.settings.models_dir).load(info.version)
    assert loaded.version == info.version
    moment = float(model.interactions_.timestamps.max()) + AFTER_TRAINING
    monkeypatch.setattr(ranker, "time", SimpleNamespace(time=lambda: moment))
    engine: ServingEngine = live.app.state.engine
    engine.reload()
    assert engine.version == info.version
    return model, moment


def chosen_users(model: Recommender) -> np.ndarray:
    """Dense indices of people with training history: those whose latest events share a
    second with another of theirs (the order of ties matters there), the shortest and
    longest histories, and a seeded sample of the rest."""
    data = model.interactions_
    last = data.user_last_seen()
    tied_at_end = np.bincount(
        data.user_index[data.timestamps == last[data.user_index]], minlength=data.n_users
    )
    counts = np.bincount(data.user_index, minlength=data.n_users)
    tied = np.flatnonzero(tied_at_end >= 3)[: N_USERS // 3]
    by_length = np.argsort(counts, kind="stable")
    extremes = np.concatenate([by_length[:3], by_length[-3:]])
    rng = np.random.default_rng(7)
    sample = rng.choice(data.n_users, size=N_USERS, replace=False)
    users = np.asarray(list(dict.fromkeys([*tied, *extremes, *sample]))[:N_USERS], np.int64)
    assert (tied_at_end[users] >= 3).sum() >= 4, "no person with tied latest events"
    return users


def evaluated_lists(
    model: Recommender, users: np.ndarray, moment: float
) -> tuple[list[list[str]], list[list[str]]]:
    """The top ``K`` of each user as the harness ranks them at ``moment``: directly through
    ``recommend_histories_at`` and through ``rank_fitted`` on a holdout of the model's own
    training data."""
    data = model.interactions_
    every = data.histories(model.seed)  # time_order(model.seed), what the server holds
    histories = cast(Sequence[Sequence[int]], [every[int(u)] for u in users])
    last_seen = data.user_last_seen()[users]
    direct, _ = model.recommend_histories_at(
        histories, moment, K, Filters(exclude_seen=True), last_seen=last_seen
    )
    holdout = Holdout(
        train=data,
        users=users,
        targets=sp.csr_matrix((len(users), data.n_items), dtype=np.float32),
        now=np.full(len(users), moment),
    )
    harness = rank_fitted(model, holdout, k=K, fit_seconds=0.0, seed=model.seed).recs
    ids = data.item_ids

    def named(recs: np.ndarray) -> list[list[str]]:
        return [[str(ids[i]) for i in row if i >= 0] for row in recs]

    return named(direct), named(harness)


def check_served_is_evaluated(live: LiveServer, model: Recommender, moment: float) -> None:
    users = chosen_users(model)
    direct, harness = evaluated_lists(model, users, moment)
    assert harness == direct, "rank_fitted and recommend_histories_at disagree"
    engine: ServingEngine = live.app.state.engine
    every = model.interactions_.histories(model.seed)
    for u in users:  # the server is told each history in the harness's order
        told = engine.history(str(model.interactions_.user_ids[u])).items
        assert told.tolist() == every[int(u)].tolist()
    served: dict[str, list[list[str]]] = {"warm": [], "miss": []}
    with live.client("read") as client:
        for user in model.interactions_.user_ids[users]:
            for path in ("warm", "miss"):
                if path == "miss":
                    engine.events_ingested([str(user)])  # drops the cached list
                result = client.recommend(str(user), k=K)
                assert result.personalized and result.version == engine.version
                assert all(item.source == "model" for item in result.items)
                served[path].append([item.item_id for item in result.items])
    for path, lists in served.items():
        differ = [
            (str(model.interactions_.user_ids[u]), got, want)
            for u, got, want in zip(users, lists, direct, strict=True)
            if got != want
        ]
        assert not differ, f"{path}: served != evaluated for {len(differ)} people: {differ[:3]}"


@pytest.mark.parametrize("name", ["ease", "popular"])
def test_served_list_is_the_evaluated_list(
    movielens: LiveServer, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tuned model published by the training job (``recmind train``'s path)."""
    info = publish(movielens.store, movielens.settings, name)
    model, moment = served_model(movielens, info, monkeypatch)
    check_served_is_evaluated(movielens, model, moment)


@pytest.mark.slow
def test_served_hybrid_list_is_the_evaluated_list(
    movielens: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hybrid reads the order of a history: ties in time must be ordered the same way."""
    info = publish_fitted(movielens, "hybrid", HYBRID_PARAMS)
    model, moment = served_model(movielens, info, monkeypatch)
    check_served_is_evaluated(movielens, model, moment)
