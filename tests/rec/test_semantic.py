"""The semantic recommender on a hand-made catalogue with real text and a real encoder:
cold items, short histories, recency, ad-hoc sessions, similar items."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from recmind.config import Settings
from recmind.rec.interactions import Interactions, ItemCatalog
from recmind.rec.semantic import SemanticRecommender, recency_weights

FAST = {"encoder": "minilm-onnx", "cache_embeddings": False}
T0 = 1.7e9
ITEMS = {
    "bread": "Sourdough starter kit for baking bread at home",
    "oven": "Dutch oven for crusty artisan loaves",
    "flour": "Stone-ground whole wheat flour for baking",
    "proof": "Bread proofing basket (banneton) for shaping sourdough dough",
    "boots": "Waterproof hiking boots for mountain trails",
    "tent": "Two-person backpacking tent for camping",
    "poles": "Trekking poles for hiking on steep trails",
    "novel": "A mystery novel set in 1920s Venice",
}
COLD = ("proof", "poles")
"""Items nobody has touched: only their text can bring them up."""


def catalog_and_events() -> tuple[Interactions, ItemCatalog]:
    rows = [
        ("baker", "bread", T0),
        ("baker", "oven", T0 + 10),
        ("baker", "flour", T0 + 20),
        ("hiker", "boots", T0),
        ("hiker", "tent", T0 + 10),
        ("reader", "novel", T0),
        ("one-event", "tent", T0),
        ("switcher", "bread", T0),
        ("switcher", "oven", T0 + 10),
        ("switcher", "flour", T0 + 20),
        ("switcher", "boots", T0 + 30),
    ]
    events = pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])
    ids = np.asarray(list(ITEMS), dtype=object)
    data = Interactions.from_frame(events, item_ids=ids)
    items = pd.DataFrame({"item_id": list(ITEMS), "title": list(ITEMS.values())})
    return data, ItemCatalog.from_frame(items, ids)


@pytest.fixture(scope="module")
def fitted() -> SemanticRecommender:
    data, catalog = catalog_and_events()
    return SemanticRecommender(FAST, seed=1).fit(data, catalog)


def top(model: SemanticRecommender, user: str, k: int = 1) -> list[str]:
    return [i for i, _ in model.recommend([user], k=k).for_user(0)]


def test_cold_item_reaches_the_right_people(fitted: SemanticRecommender) -> None:
    assert (
        fitted.interactions_.item_popularity()[fitted.interactions_.lookup_items(COLD)].sum() == 0
    )
    assert top(fitted, "baker") == ["proof"]
    assert top(fitted, "hiker") == ["poles"]


def test_one_event_is_enough(fitted: SemanticRecommender) -> None:
    assert set(top(fitted, "one-event", k=2)) == {"boots", "poles"}


def test_recent_events_weigh_more() -> None:
    data, catalog = catalog_and_events()
    recent = SemanticRecommender({**FAST, "half_life_events": 0.5}).fit(data, catalog)
    assert top(recent, "switcher") == ["poles"]
    flat = SemanticRecommender({**FAST, "half_life_events": None}).fit(data, catalog)
    assert top(flat, "switcher") == ["proof"]


def test_recency_weights_share_ties() -> None:
    events = pd.DataFrame(
        [("u", "a", 1.0), ("u", "b", 2.0), ("u", "c", 2.0), ("v", "a", 5.0)],
        columns=["user_id", "item_id", "timestamp"],
    )
    data = Interactions.from_frame(events)
    weights = dict(
        zip(
            zip(data.user_index, data.item_index, strict=True),
            recency_weights(data, 1.0),
            strict=True,
        )
    )
    assert weights == {(0, 0): 0.25, (0, 1): 1.0, (0, 2): 1.0, (1, 0): 1.0}
    np.testing.assert_array_equal(recency_weights(data, None), np.ones(4))


def test_score_history_matches_a_known_user(fitted: SemanticRecommender) -> None:
    history = fitted.interactions_.lookup_items(["bread", "oven", "flour"]).tolist()
    user = fitted.interactions_.lookup_users(["baker"])
    np.testing.assert_allclose(fitted.score_history([history]), fitted.score_users(user), atol=1e-6)
    anonymous = fitted.score_history([[fitted.interactions_.lookup_items(["boots"])[0], -1], []])
    assert fitted.interactions_.item_ids[np.argsort(-anonymous[0])[1]] == "poles"
    np.testing.assert_allclose(anonymous[1], fitted.fallback_scores_)


def test_similar_items(fitted: SemanticRecommender) -> None:
    similar = fitted.similar_items(["boots", "proof", "missing"], k=2)
    assert [i for i, _ in similar[0]] == ["poles", "tent"]
    assert similar[1][0][0] in {"bread", "oven"} and all(i != "proof" for i, _ in similar[1])
    assert similar[2] == []
    scores = [s for _, s in similar[0]]
    assert scores == sorted(scores, reverse=True) and all(-1.0 <= s <= 1.0001 for s in scores)


def test_pickle_keeps_vectors_not_index(fitted: SemanticRecommender) -> None:
    fitted.similar_items(["tent"], k=1)
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored._index is None
    assert restored.similar_items(["tent"], k=3) == fitted.similar_items(["tent"], k=3)
    np.testing.assert_array_equal(restored.item_vectors_, fitted.item_vectors_)


def test_caches_item_vectors(settings: Settings) -> None:
    data, catalog = catalog_and_events()
    SemanticRecommender({"encoder": "minilm-onnx"}).fit(data, catalog)
    assert list((settings.home / "cache" / "embeddings").glob("minilm-onnx@*.sqlite"))


def test_config_is_validated() -> None:
    with pytest.raises(ValueError, match="half_life_events"):
        SemanticRecommender({"half_life_events": 0})
    with pytest.raises(ValueError, match="extra"):
        SemanticRecommender({"neighbours": 3})
    data, catalog = catalog_and_events()
    with pytest.raises(ValueError, match="unknown encoder 'nope'"):
        SemanticRecommender({"encoder": "nope", "cache_embeddings": False}).fit(data, catalog)
    assert all(
        set(p) <= set(SemanticRecommender.Config.model_fields)
        for p in SemanticRecommender.search_space()
    )
