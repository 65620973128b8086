"""SequentialRecommender behind the contract: determinism, persistence, request-time
histories, text fusion (a fixed matrix, then the real encoder) and configuration."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from recmind.rec.artifacts import ModelStore, data_fingerprint
from recmind.rec.interactions import Interactions, ItemCatalog
from recmind.rec.sequential import SequentialConfig, SequentialRecommender

FAST: dict[str, Any] = {
    "hidden": 16,
    "max_len": 12,
    "max_epochs": 6,
    "eval_every": 2,
    "monitor_users": 10,
    "text_fusion": False,
}


@pytest.fixture(scope="module")
def fitted(interactions: Interactions, catalog: ItemCatalog) -> SequentialRecommender:
    return SequentialRecommender(FAST, seed=3).fit(interactions, catalog)


def test_defaults_search_one_point() -> None:
    assert SequentialRecommender.search_space() == [{}]
    assert SequentialRecommender.name == "sequential"
    assert SequentialRecommender().config == SequentialConfig()


def test_same_seed_same_scores(interactions: Interactions, fitted: SequentialRecommender) -> None:
    again = SequentialRecommender(FAST, seed=3).fit(interactions)
    users = np.arange(interactions.n_users)
    np.testing.assert_array_equal(again.score_users(users), fitted.score_users(users))
    other = SequentialRecommender(FAST, seed=4).fit(interactions)
    assert not np.array_equal(other.score_users(users), fitted.score_users(users))


def test_pickle_rebuilds_the_module(fitted: SequentialRecommender) -> None:
    users = np.arange(fitted.interactions_.n_users)
    restored = pickle.loads(pickle.dumps(fitted, protocol=5))
    assert restored.module_ is None
    np.testing.assert_array_equal(restored.score_users(users), fitted.score_users(users))
    np.testing.assert_array_equal(
        restored.score_sequences([[1, 2, 3]]), fitted.score_sequences([[1, 2, 3]])
    )


def test_score_sequences_matches_known_users(fitted: SequentialRecommender) -> None:
    users = np.arange(5)
    histories = [(fitted.sequences_.of(int(u)) - 1).tolist() for u in users]
    np.testing.assert_allclose(
        fitted.score_sequences(histories), fitted.score_users(users), rtol=1e-6
    )


def test_latest_event_changes_scores_without_refitting(fitted: SequentialRecommender) -> None:
    history = (fitted.sequences_.of(0) - 1).tolist()
    newest = next(j for j in range(fitted.interactions_.n_items) if j not in history)
    before, after = fitted.score_sequences([history, [*history, newest]])
    assert not np.allclose(before, after)


def test_empty_and_unknown_histories(fitted: SequentialRecommender) -> None:
    scores = fitted.score_sequences([[], [-1, -1], [-1, 4]])
    np.testing.assert_array_equal(scores[0], fitted.fallback_scores_)
    np.testing.assert_array_equal(scores[1], fitted.fallback_scores_)
    np.testing.assert_array_equal(scores[2], fitted.score_sequences([[4]])[0])


def test_training_log(fitted: SequentialRecommender) -> None:
    log = fitted.train_log_
    assert 1 <= log.best_epoch <= log.epochs <= FAST["max_epochs"]
    assert [epoch for epoch, _ in log.checks] == list(range(2, log.epochs + 1, 2))


def test_user_without_training_events_gets_finite_scores() -> None:
    frame = pd.DataFrame(
        [("a", "x", 1.0), ("a", "y", 2.0), ("b", "y", 1.0)],
        columns=["user_id", "item_id", "timestamp"],
    )
    data = Interactions.from_frame(frame, user_ids=["a", "b", "ghost"])
    model = SequentialRecommender(FAST).fit(data)
    scores = model.score_users(np.arange(3))
    assert np.isfinite(scores).all()
    np.testing.assert_array_equal(scores[2], model.fallback_scores_)


def test_fixed_text_matrix_gives_cold_items_a_vector(
    interactions: Interactions, catalog: ItemCatalog
) -> None:
    """Unit test of the fusion plumbing with a random-but-fixed text matrix: an item nobody
    touched has exactly the projection of its text, two cold items with the same text the
    same vector."""
    n_items = interactions.n_items
    keep = np.isin(interactions.item_index, [3, 7], invert=True)
    data = interactions.subset(keep)
    text = np.random.default_rng(0).normal(size=(n_items, 8)).astype(np.float32)
    text[7] = text[3]
    model = SequentialRecommender({**FAST, "text_fusion": True}, text_vectors=text)
    model.fit(data, catalog)
    module = model._module()
    assert module.text_proj is not None
    projected = text @ module.text_proj.weight.detach().numpy().T
    np.testing.assert_allclose(model.item_vectors_[3], projected[3], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(model.item_vectors_[3], model.item_vectors_[7])
    assert np.abs(model.item_vectors_[3]).sum() > 0
    assert np.isfinite(model.score_users(np.arange(data.n_users))).all()


def test_text_matrix_must_match_the_items(interactions: Interactions) -> None:
    bad = np.zeros((interactions.n_items + 1, 4), dtype=np.float32)
    model = SequentialRecommender({**FAST, "text_fusion": True}, text_vectors=bad)
    with pytest.raises(ValueError, match="rows"):
        model.fit(interactions)


def test_text_fusion_off_or_without_texts_is_id_only(
    interactions: Interactions, catalog: ItemCatalog
) -> None:
    text = np.ones((interactions.n_items, 4), dtype=np.float32)
    off = SequentialRecommender(FAST, text_vectors=text).fit(interactions, catalog)
    assert off.text_ is None and off._module().text_proj is None
    bare = SequentialRecommender({**FAST, "text_fusion": True}).fit(interactions)
    assert bare.text_ is None


def test_real_encoder_fusion() -> None:
    """Item texts through the real int8 MiniLM: cold items get distinct vectors from their
    words, and a cold item worded like a known one lands next to it."""
    texts = {
        "bread": "Sourdough starter kit for baking bread at home",
        "oven": "Dutch oven for crusty artisan loaves",
        "boots": "Waterproof hiking boots for mountain trails",
        "tent": "Two-person backpacking tent for camping",
        "proof": "Sourdough bread starter kit for home baking",
        "poles": "Trekking poles for hiking on steep mountain trails",
    }
    ids = np.asarray(list(texts), dtype=object)
    rows = [
        (f"u{u}", item, 1.7e9 + t)
        for u in range(6)
        for t, item in enumerate(["bread", "oven"] if u % 2 else ["boots", "tent"])
    ]
    data = Interactions.from_frame(
        pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"]), item_ids=ids
    )
    catalog = ItemCatalog.from_frame(
        pd.DataFrame({"item_id": list(texts), "title": list(texts.values())}), ids
    )
    config = {**FAST, "text_fusion": True, "encoder": "minilm-onnx", "cache_embeddings": False}
    model = SequentialRecommender(config, seed=1).fit(data, catalog)
    assert model.text_ is not None and model.text_.shape == (6, 384)
    vectors = model.item_vectors_
    proof, poles = data.lookup_items(["proof", "poles"])
    assert not np.allclose(vectors[proof], vectors[poles])
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    similarity = unit @ unit.T
    bread, boots = data.lookup_items(["bread", "boots"])
    assert similarity[proof, bread] > similarity[proof, boots]
    assert similarity[poles, boots] > similarity[poles, bread]


def test_config_is_validated() -> None:
    with pytest.raises(ValueError, match="extra"):
        SequentialRecommender({"epochs": 3})
    with pytest.raises(ValueError, match="loss"):
        SequentialRecommender({"loss": "mse"})
    with pytest.raises(ValueError, match="multiple of heads"):
        SequentialRecommender({**FAST, "hidden": 10, "heads": 3}).fit(
            Interactions.from_frame(
                pd.DataFrame({"user_id": ["a", "a"], "item_id": ["x", "y"], "timestamp": [1, 2]})
            )
        )


def test_without_text_untouched_items_rank_last(interactions: Interactions) -> None:
    data = interactions.subset(np.isin(interactions.item_index, [3, 7], invert=True))
    model = SequentialRecommender(FAST, seed=2).fit(data)
    scores = model.score_users(np.arange(data.n_users))
    known = np.isin(np.arange(data.n_items), [3, 7], invert=True)
    assert np.isfinite(scores).all()
    assert (scores[:, ~known].max(axis=1) < scores[:, known].min(axis=1)).all()


def test_model_store_round_trip(
    tmp_path: Path, fitted: SequentialRecommender, interactions: Interactions
) -> None:
    store = ModelStore(tmp_path / "models")
    store.save(fitted, metrics={}, data_fingerprint=data_fingerprint(interactions))
    loaded, info = store.load()
    assert info.name == "sequential" and info.params == fitted.config.model_dump(mode="json")
    users = [*map(str, interactions.user_ids), "stranger"]
    before, after = fitted.recommend(users, k=7), loaded.recommend(users, k=7)
    np.testing.assert_array_equal(before.item_ids, after.item_ids)
    np.testing.assert_array_equal(before.scores, after.scores)
    again = pickle.loads(pickle.dumps(loaded))  # a loaded model pickles again
    np.testing.assert_array_equal(again.recommend(users, k=7).scores, after.scores)
