"""HybridRecommender on the shared small data set: labels come from time cuts inside the
given data, the scoring-only choices (``use_trees``, cold slots) need no refit,
determinism, pickling, the fallback without labels, source explanations, cold items."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from tests.rec.hybrid.conftest import FAST, SEMANTIC

from recmind.rec.base import Filters
from recmind.rec.hybrid import HybridRecommender
from recmind.rec.hybrid import recommender as hybrid_recommender
from recmind.rec.hybrid.config import HybridConfig
from recmind.rec.hybrid.holdout import InternalSplit
from recmind.rec.hybrid.recommender import OUTSIDE, place_cold
from recmind.rec.hybrid.sources import SequentialSource, informative_texts, unsuitable
from recmind.rec.interactions import Interactions, ItemCatalog

FEW_CUTS: dict[str, Any] = {**FAST, "label_quantiles": (0.6, 0.8)}
"""Two label cuts instead of nine: for tests whose sources are slow to fit."""


def with_params(model: HybridRecommender, **params: Any) -> HybridConfig:
    return HybridConfig(**{**model.config.model_dump(), **params})


def test_config_defaults() -> None:
    config = HybridConfig()
    np.testing.assert_allclose(config.label_quantiles, np.arange(0.5, 0.91, 0.05))
    assert len(config.label_quantiles) == 9
    assert config.label_window == 0.2 and config.use_trees
    assert config.cut_budget == 6e6 and config.min_cuts == 3
    for bad in (0.0, 1.5):
        with pytest.raises(ValidationError):
            HybridConfig(label_window=bad)


def test_the_ranker_learns_from_the_cuts_of_the_given_data_only(
    interactions: Interactions, catalog: ItemCatalog
) -> None:
    """Remove the latest fifth of the pairs as a temporal harness would (the test
    target), fit on the rest: every internal label is a pair of the data given, never a
    removed one, and every cut lies inside it."""
    cut = float(np.quantile(interactions.first_times, 0.8))
    target = interactions.first_times >= cut
    given = interactions.subset(~target)
    splits: list[InternalSplit] = []
    original = hybrid_recommender.label_cuts

    def spy(*args: Any, **kwargs: Any) -> list[InternalSplit]:
        out = original(*args, **kwargs)
        splits.extend(out)
        return out

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hybrid_recommender, "label_cuts", spy)
        model = HybridRecommender(FAST, seed=5).fit(given, catalog)
    assert len(splits) >= 5
    assert model.label_cuts_ == [s.moment for s in splits]
    assert model.label_cuts_ == sorted(model.label_cuts_)
    given_pairs, removed = given.matrix(), interactions.subset(target).matrix()
    for split in splits:
        assert split.labels.nnz > 0
        assert split.labels.multiply(given_pairs).nnz == split.labels.nnz
        assert split.labels.multiply(removed).nnz == 0
        assert split.moment <= given.first_times.max() < cut
    assert model.ranker_ is not None


def test_a_small_cut_budget_keeps_the_latest_cuts(
    fitted: HybridRecommender, interactions: Interactions, catalog: ItemCatalog
) -> None:
    assert len(fitted.label_cuts_) == 9  # the small data set affords every cut
    model = HybridRecommender({**FAST, "cut_budget": 1.0, "min_cuts": 2}, seed=5).fit(
        interactions, catalog
    )
    assert model.label_cuts_ == fitted.label_cuts_[-2:]


def test_candidates_rank_above_everything_else(
    fitted: HybridRecommender, interactions: Interactions
) -> None:
    users = np.arange(interactions.n_users)
    candidates, _ = fitted.scorer_.candidates(fitted._known_queries(users))
    scores = fitted.score_users(users)
    in_union = np.zeros_like(scores, dtype=bool)
    in_union[np.repeat(users, candidates.groups), candidates.items] = True
    for row in range(len(users)):
        if in_union[row].any() and (~in_union[row]).any():
            assert scores[row, in_union[row]].min() > scores[row, ~in_union[row]].max()
    assert (scores[~in_union] < OUTSIDE + 2).all()


def test_use_trees_false_ranks_by_the_rankers_base(
    fitted: HybridRecommender, interactions: Interactions
) -> None:
    """Without its trees the ranker scores every candidate by its starting order (the
    best source's rank, or their fusion); switching needs no refit."""
    ranker = fitted.ranker_
    assert ranker is not None and ranker.base is not None and ranker.model_texts
    base_only = fitted.with_config(with_params(fitted, use_trees=False))
    assert base_only.ranker_ is ranker and base_only.scorer_ is fitted.scorer_
    assert base_only.sources_ is fitted.sources_ and fitted.config.use_trees
    users = np.arange(interactions.n_users)
    candidates, features = fitted.scorer_.features(fitted._known_queries(users))
    rows = np.repeat(np.arange(len(users)), candidates.groups)
    without = base_only.score_users(users)
    np.testing.assert_array_equal(without[rows, candidates.items], ranker.base(features))
    with_trees = fitted.score_users(users)
    assert not np.array_equal(with_trees[rows, candidates.items], ranker.base(features))
    outside = np.ones_like(without, dtype=bool)
    outside[rows, candidates.items] = False
    np.testing.assert_array_equal(without[outside], with_trees[outside])


def test_the_search_space_needs_no_refit(fitted: HybridRecommender) -> None:
    space = HybridRecommender.search_space()
    assert len(space) == 4 and {} in space
    assert {"use_trees", "cold_slots"} <= HybridRecommender.scoring_params
    for params in space:
        assert set(params) <= HybridRecommender.scoring_params
        clone = fitted.with_config(with_params(fitted, **params))
        assert clone.ranker_ is fitted.ranker_ and clone.sources_ is fitted.sources_
    no_slots = fitted.with_config(with_params(fitted, cold_slots=0))
    users = np.arange(5)
    np.testing.assert_array_equal(no_slots.score_users(users), fitted.score_users(users))
    with pytest.raises(ValueError, match="only"):
        fitted.with_config(with_params(fitted, candidates=10))


def test_same_seed_same_model(
    fitted: HybridRecommender, interactions: Interactions, catalog: ItemCatalog
) -> None:
    again = HybridRecommender(FAST, seed=5).fit(interactions, catalog)
    users = np.arange(interactions.n_users)
    np.testing.assert_array_equal(again.score_users(users), fitted.score_users(users))
    assert again.label_cuts_ == fitted.label_cuts_


def test_pickle_round_trip(fitted: HybridRecommender, interactions: Interactions) -> None:
    users = [*(str(u) for u in interactions.user_ids), "stranger"]
    restored = pickle.loads(pickle.dumps(fitted, protocol=5))
    for filters in (None, Filters(categories=("books",))):
        before = fitted.recommend(users, k=8, filters=filters)
        after = restored.recommend(users, k=8, filters=filters)
        np.testing.assert_array_equal(before.item_ids, after.item_ids)
        np.testing.assert_array_equal(before.scores, after.scores)
    history = [interactions.histories(5)[0]]
    moment = float(np.quantile(interactions.first_times, 0.5))
    np.testing.assert_array_equal(
        restored.score_histories_at(history, moment), fitted.score_histories_at(history, moment)
    )


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
    """Every user has a single pair: nobody with history before a cut takes anything up
    after it, the ranker is skipped and reciprocal-rank fusion orders the candidates."""
    rows = [(f"u{u}", f"i{u % 4}", 1.7e9 + u) for u in range(12)]
    data = Interactions.from_frame(pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"]))
    model = HybridRecommender(FAST, seed=0).fit(data)
    assert model.ranker_ is None and model.label_cuts_ == []
    recs = model.recommend(["u0", "u5"], k=3)
    assert all(len(recs.for_user(r)) == 3 for r in range(2))
    assert np.isfinite(model.score_users(np.arange(data.n_users))).all()
    assert model.feature_importance() == {}


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


def test_sequential_source(interactions: Interactions, catalog: ItemCatalog) -> None:
    pytest.importorskip("torch", reason="the sequential source needs torch")
    tiny = {"hidden": 8, "max_epochs": 2, "text_fusion": False, "monitor_users": 0}
    model = HybridRecommender(
        {
            **FEW_CUTS,
            "sources": ["ease", "sequential"],
            "source_params": {"sequential": tiny},
        },
        seed=2,
    ).fit(interactions, catalog)
    assert isinstance(model.sources_[1], SequentialSource)
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


def test_no_cold_split_without_a_source_that_reads_text(fitted: HybridRecommender) -> None:
    """No source can propose an item nobody has touched: no second split is drawn."""
    assert fitted.cold_ranker_ is None and len(fitted.cold_items_) == 0


def with_untouched_item(interactions: Interactions) -> tuple[Interactions, ItemCatalog]:
    """The shared data plus a catalogue item nobody has touched ("Item 0 sequel")."""
    ids = np.asarray([*interactions.item_ids, "cold-book"], dtype=object)
    data = Interactions(
        user_ids=interactions.user_ids,
        item_ids=ids,
        user_index=interactions.user_index,
        item_index=interactions.item_index,
        timestamps=interactions.timestamps,
        weights=interactions.weights,
        first_timestamps=interactions.first_timestamps,
    )
    titles = [f"Item {i}" for i in range(len(ids) - 1)] + ["Item 0 sequel"]
    catalog = ItemCatalog.from_frame(pd.DataFrame({"item_id": ids, "title": titles}), ids)
    return data, catalog


def test_an_untouched_item_in_a_history_counts(interactions: Interactions) -> None:
    """An item in the catalogue that nobody touched in training (a new one) still counts
    in a history: the text source reads it, so the ranking moves."""
    data, catalog = with_untouched_item(interactions)
    model = HybridRecommender(
        {**FEW_CUTS, "sources": ["ease", "semantic"], "source_params": {"semantic": SEMANTIC}},
        seed=1,
    ).fit(data, catalog)
    new = data.n_items - 1
    with_new = model.score_histories([[4, new]])
    without = model.score_histories([[4]])
    assert not np.array_equal(with_new, without)
    only_new, _ = model.recommend_histories([[new]], k=3)
    assert new not in only_new[0] and (only_new[0] >= 0).all()


def test_text_source_proposes_untouched_items_and_a_cold_ranker_places_them(
    interactions: Interactions,
) -> None:
    """An item nobody has touched is a catalogue item that exists at every moment: the
    text source proposes it, and a second ranker, learnt from a split that hides some
    items entirely, places such items."""
    data, catalog = with_untouched_item(interactions)
    params = {
        **FEW_CUTS,
        "sources": ["ease", "semantic"],
        "source_params": {"semantic": SEMANTIC},
        "cold_share": 0.3,
        "cold_min_users": 3,
    }
    model = HybridRecommender(params, seed=1).fit(data, catalog)
    assert len(model.cold_items_) > 0
    new = data.n_items - 1
    users = np.arange(data.n_users)
    candidates, _ = model.scorer_.candidates(model._known_queries(users))
    assert new in set(candidates.items.tolist())
    assert np.isfinite(model.score_histories([[0]])[0, new])
    assert model.cold_ranker_ is not None
