"""HybridRecommender on the shared small data set: labels come from inside the given data,
determinism, pickling, the fallback without labels, source explanations."""

from __future__ import annotations

import importlib.util
import pickle
from typing import Any

import numpy as np
import pandas as pd
import pytest

from recmind.rec.base import Filters
from recmind.rec.hybrid import HybridRecommender
from recmind.rec.hybrid import recommender as hybrid_recommender
from recmind.rec.hybrid.holdout import held_out_pairs
from recmind.rec.hybrid.ranker import RankerData, train_ranker
from recmind.rec.hybrid.recommender import OUTSIDE, place_cold
from recmind.rec.hybrid.sources import SequentialSource, informative_texts, unsuitable
from recmind.rec.interactions import Interactions, ItemCatalog

FAST: dict[str, Any] = {
    "sources": ["ease", "transitions", "popular", "itemknn"],
    "source_params": {"ease": {"l2": 10.0}},
    "min_child_samples": 5,
    "trees": 40,
}


@pytest.fixture(scope="module")
def fitted(interactions: Interactions, catalog: ItemCatalog) -> HybridRecommender:
    return HybridRecommender(FAST, seed=5).fit(interactions, catalog)


def test_ranker_never_sees_the_evaluation_target(
    interactions: Interactions, catalog: ItemCatalog
) -> None:
    """Remove every user's last pair as a harness would (the test target), fit on the rest:
    the internal labels are pairs of the data given, never a removed one."""
    target = held_out_pairs(interactions, seed=99, period_share=0.0)
    given = interactions.subset(~target)
    model = HybridRecommender({**FAST, "period_share": 0.3}, seed=5).fit(given, catalog)
    labels = model.labels_
    assert labels.nnz > 0
    assert labels.multiply(given.matrix()).nnz == labels.nnz
    assert labels.multiply(interactions.subset(target).matrix()).nnz == 0
    assert model.ranker_ is not None


def test_candidates_rank_above_everything_else(
    fitted: HybridRecommender, interactions: Interactions
) -> None:
    users = np.arange(interactions.n_users)
    candidates = fitted.candidates(users)
    scores = fitted.score_users(users)
    in_union = np.zeros_like(scores, dtype=bool)
    in_union[np.repeat(users, candidates.groups), candidates.items] = True
    for row in range(len(users)):
        if in_union[row].any() and (~in_union[row]).any():
            assert scores[row, in_union[row]].min() > scores[row, ~in_union[row]].max()
    assert (scores[~in_union] < OUTSIDE + 2).all()


def test_same_seed_same_model(interactions: Interactions, catalog: ItemCatalog) -> None:
    users = [str(u) for u in interactions.user_ids]
    first = HybridRecommender(FAST, seed=8).fit(interactions, catalog).recommend(users, k=10)
    second = HybridRecommender(FAST, seed=8).fit(interactions, catalog).recommend(users, k=10)
    np.testing.assert_array_equal(first.item_ids, second.item_ids)
    np.testing.assert_array_equal(first.scores, second.scores)


def test_pickle_round_trip(fitted: HybridRecommender, interactions: Interactions) -> None:
    users = [*(str(u) for u in interactions.user_ids), "stranger"]
    restored = pickle.loads(pickle.dumps(fitted, protocol=5))
    for filters in (None, Filters(categories=("books",))):
        before = fitted.recommend(users, k=8, filters=filters)
        after = restored.recommend(users, k=8, filters=filters)
        np.testing.assert_array_equal(before.item_ids, after.item_ids)
        np.testing.assert_array_equal(before.scores, after.scores)


def test_explain_sources(fitted: HybridRecommender, interactions: Interactions) -> None:
    user = str(interactions.user_ids[0])
    recs = fitted.recommend([user], k=5).for_user(0)
    items = [i for i, _ in recs]
    seen = str(interactions.item_ids[interactions.item_index[interactions.user_index == 0][0]])
    reasons = fitted.explain_sources(user, [*items, seen, "no-such-item"])
    assert all(reasons[i] for i in items)  # every recommendation was proposed by a source
    for item in items:
        assert set(reasons[item]) <= set(fitted.source_names_)
        assert all(1 <= rank <= fitted.config.candidates for rank in reasons[item].values())
    assert reasons[seen] == {} and reasons["no-such-item"] == {}
    assert fitted.explain_sources("stranger", items[:1]) == {items[0]: {}}
    importance = fitted.feature_importance()
    assert set(importance) == set(fitted.feature_names_)
    assert sum(importance.values()) == pytest.approx(1.0)


def test_without_labels_sources_are_fused() -> None:
    """Every user has a single pair: nothing can be held out, the ranker is skipped and
    reciprocal-rank fusion orders the candidates."""
    rows = [(f"u{u}", f"i{u % 4}", 1.7e9 + u) for u in range(12)]
    data = Interactions.from_frame(pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"]))
    model = HybridRecommender(FAST, seed=0).fit(data)
    assert model.ranker_ is None and model.labels_.nnz == 0
    recs = model.recommend(["u0", "u5"], k=3)
    assert all(len(recs.for_user(r)) == 3 for r in range(2))
    assert np.isfinite(model.score_users(np.arange(data.n_users))).all()


def test_default_sources_skip_text_when_items_have_none(interactions: Interactions) -> None:
    model = HybridRecommender({"min_child_samples": 5, "trees": 20}, seed=0).fit(interactions)
    assert model.source_names_ == ["ease", "als", "itemknn", "transitions", "popular"]


def test_text_source_needs_words_beyond_the_ids() -> None:
    """Titles that only restate the id ("product 196") say nothing: the text source is left
    out by default, as it is for bare ids."""
    ids = ["196", "14084", "12427"]
    assert not informative_texts(ids, ids)
    assert not informative_texts([f"product {i}" for i in ids], ids)
    assert not informative_texts([f"Product #{i} " for i in ids], ids)
    assert informative_texts(["Bananas", "Milk 2%", "Product 12427"], ids)
    data = Interactions.from_frame(
        pd.DataFrame(
            [(f"u{u}", ids[(u + d) % 3], 1.7e9 + d) for u in range(6) for d in range(2)],
            columns=["user_id", "item_id", "timestamp"],
        ),
        item_ids=np.asarray(ids, dtype=object),
    )
    catalog = ItemCatalog.from_frame(
        pd.DataFrame({"item_id": ids, "title": [f"product {i}" for i in ids]}), data.item_ids
    )
    assert unsuitable("semantic", data, catalog) == "the items have no text beyond their ids"


def test_unknown_source_is_an_error(interactions: Interactions) -> None:
    with pytest.raises(ValueError, match="unknown source 'nope'"):
        HybridRecommender({"sources": ["ease", "nope"]}).fit(interactions)


def test_text_source_brings_cold_items(interactions: Interactions) -> None:
    """With the semantic source an item nobody touched can still be a candidate."""
    ids = np.asarray([*interactions.item_ids, "cold-book"], dtype=object)
    data = Interactions(
        user_ids=interactions.user_ids,
        item_ids=ids,
        user_index=interactions.user_index,
        item_index=interactions.item_index,
        timestamps=interactions.timestamps,
        weights=interactions.weights,
    )
    titles = [f"Item {i}" for i in range(len(ids) - 1)] + ["Item 0 sequel"]
    catalog = ItemCatalog.from_frame(pd.DataFrame({"item_id": ids, "title": titles}), ids)
    semantic = {"encoder": "minilm-onnx", "cache_embeddings": False}
    model = HybridRecommender(
        {**FAST, "sources": ["ease", "semantic"], "source_params": {"semantic": semantic}},
        seed=1,
    ).fit(data, catalog)
    candidates = model.candidates(np.arange(data.n_users))
    assert len(ids) - 1 in set(candidates.items.tolist())
    assert model.source_names_ == ["ease", "semantic"]


@pytest.mark.skipif(
    importlib.util.find_spec("torch") is None, reason="the sequential source needs torch"
)
def test_sequential_source_trains_once(interactions: Interactions, catalog: ItemCatalog) -> None:
    tiny = {"hidden": 8, "max_epochs": 2, "text_fusion": False, "monitor_users": 0}
    model = HybridRecommender(
        {**FAST, "sources": ["ease", "sequential"], "source_params": {"sequential": tiny}},
        seed=2,
    ).fit(interactions, catalog)
    sequential = model.sources_[1]
    assert isinstance(sequential, SequentialSource)
    # refit reads the full histories without retraining: every pair is in them
    assert sum(len(h) for h in sequential.histories_) == len(interactions)
    recs = model.recommend([str(u) for u in interactions.user_ids[:5]], k=4)
    assert all(len(recs.for_user(r)) == 4 for r in range(5))


def test_cold_candidates_take_their_slots() -> None:
    """Row 0: warm 5, 4, 3, 2 and cold items a, b, c that the cold ranker orders c, a, b.
    From position 3 with 2 slots: the two best warm, then c and a, then the other warm,
    then b. Row 1 has one warm candidate: its cold one comes right after it."""
    scores = np.asarray([5, 4, 3, 2, 10, 9, 1, 1, 7], dtype=np.float64)
    rows = np.asarray([0, 0, 0, 0, 0, 0, 0, 1, 1])
    cold = np.asarray([0, 0, 0, 0, 1, 1, 1, 0, 1], dtype=bool)
    order = np.asarray([0, 0, 0, 0, 0.5, 0.1, 0.9, 0, 0.3])
    out = place_cold(scores, rows, cold, order, 2, position=3, slots=2)
    assert np.argsort(-out[:7]).tolist() == [0, 1, 6, 4, 2, 3, 5]
    assert np.argsort(-out[7:]).tolist() == [0, 1]
    np.testing.assert_array_equal(out[~cold], scores[~cold])
    none = place_cold(scores, rows, cold, order, 2, position=3, slots=0)
    assert np.argsort(-none[:7]).tolist() == [0, 1, 2, 3, 6, 4, 5]
    first = place_cold(scores, rows, cold, order, 2, position=1, slots=1)
    assert np.argsort(-first[:7]).tolist() == [6, 0, 1, 2, 3, 4, 5]


def test_cold_items_learned_from_a_second_split(
    interactions: Interactions, catalog: ItemCatalog
) -> None:
    """With a cold share and a source that reads text, a second ranker learns from a split
    that hides some items entirely; without such a source no second fit is made (no
    candidate could ever be an item nobody touched)."""
    trained: list[RankerData] = []
    original = train_ranker

    def spy(data: RankerData, *args: Any) -> Any:
        trained.append(data)
        return original(data, *args)

    semantic = {"encoder": "minilm-onnx", "cache_embeddings": False}
    params = {
        **FAST,
        "sources": [*FAST["sources"], "semantic"],
        "source_params": {**FAST["source_params"], "semantic": semantic},
        "cold_share": 0.3,
        "cold_min_users": 3,
        "cold_from": 2,
        "cold_slots": 1,
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hybrid_recommender, "train_ranker", spy)
        model = HybridRecommender(params, seed=5).fit(interactions, catalog)
        assert len(trained) == 2 and model.cold_ranker_ is not None
        assert len(model.cold_items_) > 0
        assert trained[1].labels.sum() > 0
        trained.clear()
        no_text = {**FAST, "cold_share": 0.3, "cold_min_users": 3}
        behaviour_only = HybridRecommender(no_text, seed=5).fit(interactions, catalog)
        assert len(trained) == 1 and behaviour_only.cold_ranker_ is None
        assert len(behaviour_only.cold_items_) == 0
    without = HybridRecommender({**FAST, "cold_share": 0.0}, seed=5).fit(interactions, catalog)
    assert without.cold_ranker_ is None and len(without.cold_items_) == 0
