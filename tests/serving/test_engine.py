"""The serving engine against a real store and a real published model: live histories,
erasure, filters, diversity, explanations, anonymous sessions, the cache."""

from __future__ import annotations

import time

import numpy as np
import pytest
from tests.serving.shop import START, add_event, erase_user, publish

from recmind.config import Settings
from recmind.data.store import Store
from recmind.rec.base import Filters
from recmind.serving.engine import ServingEngine
from recmind.serving.results import NotReadyError, UnknownItemError

BAKER = "b-user00"


def ids(result: object) -> list[str]:
    return [i.item_id for i in result.items]  # type: ignore[attr-defined]


def stored_items(store: Store, user_id: str) -> set[str]:
    return {str(i) for i in store.load_events().query("user_id == @user_id")["item_id"]}


def test_starts_without_a_model_and_says_so(shop_settings: Settings, shop_store: Store) -> None:
    engine = ServingEngine(shop_settings, shop_store)
    engine.start()
    try:
        assert not engine.ready and engine.version is None and engine.model_name is None
        with pytest.raises(NotReadyError, match="recmind train"):
            engine.recommend(BAKER)
        info = publish(shop_store, shop_settings, "popular")
        assert engine.reload() is True
        assert engine.ready and engine.version == info.version
        assert engine.model_name == "popular"
        assert engine.reload() is False
    finally:
        engine.stop()


def test_known_user_matches_the_model(engine: ServingEngine, shop_store: Store) -> None:
    """With no event since training, the list is the model's own list for that user."""
    served = engine.served
    assert served is not None
    result = engine.recommend(BAKER, k=5)
    expected = served.model.recommend([BAKER], k=5).for_user(0)
    assert result.personalized and result.model == "ease" and result.version == engine.version
    assert ids(result) == [i for i, _ in expected]
    np.testing.assert_allclose([i.score for i in result.items], [s for _, s in expected])
    assert not set(ids(result)) & stored_items(shop_store, BAKER)
    first = result.items[0]
    assert first.title and first.category == "Baking" and first.source == "model"


def test_a_new_event_changes_the_next_list_at_once(
    engine: ServingEngine, shop_store: Store
) -> None:
    before = engine.recommend(BAKER, k=5)
    top = before.items[0].item_id
    add_event(shop_store, BAKER, top, at=START + 10_000 * 3600)
    after = engine.recommend(BAKER, k=5)  # no hook called: the store is the truth
    assert top not in ids(after)
    assert ids(after) != ids(before)
    # the scores moved too, not just the exclusion
    served = engine.served
    assert served is not None
    history = engine.history(BAKER)
    assert served.item_index[top] in history.items.tolist()


def test_new_user_with_events_is_personal_and_unknown_user_gets_popular(
    engine: ServingEngine, shop_store: Store
) -> None:
    stranger = engine.recommend("nobody", k=5)
    assert not stranger.personalized
    assert all(i.source == "popular" for i in stranger.items)
    add_event(shop_store, "newcomer", "c01", at=START + 9_000 * 3600)
    add_event(shop_store, "newcomer", "c02", at=START + 9_001 * 3600)
    newcomer = engine.recommend("newcomer", k=5)
    assert newcomer.personalized
    assert not {"c01", "c02"} & set(ids(newcomer))
    camping = sum(i.item_id.startswith("c") for i in newcomer.items)
    assert camping >= 3, ids(newcomer)


def test_forgotten_user_is_unknown_and_uncached(
    engine: ServingEngine, shop_store: Store, shop_settings: Settings
) -> None:
    state = engine.state
    assert state is not None
    engine.recommend(BAKER, k=5)
    assert state.resources.cache.holds(BAKER)
    erase_user(shop_store, BAKER, shop_settings)
    engine.forget_user(BAKER)
    assert not state.resources.cache.holds(BAKER)
    result = engine.recommend(BAKER, k=5)
    assert not result.personalized
    assert ids(result) == ids(engine.recommend("nobody", k=5))
    assert not state.resources.cache.holds(BAKER)


def test_erasure_before_a_restart_is_remembered(
    shop_settings: Settings, shop_store: Store, engine: ServingEngine
) -> None:
    """A new process serving an artefact trained before the erasure still treats the
    erased person as unknown (their tombstone is in the store)."""
    erase_user(shop_store, BAKER, shop_settings)
    fresh = ServingEngine(shop_settings, shop_store)
    fresh.start()
    try:
        assert not fresh.recommend(BAKER, k=3).personalized
    finally:
        fresh.stop()


def test_an_erasure_by_another_process_is_honoured_at_the_next_request(
    engine: ServingEngine, shop_store: Store, shop_settings: Settings
) -> None:
    state = engine.state
    assert state is not None
    engine.recommend(BAKER, k=5)
    assert state.resources.cache.holds(BAKER)
    erase_user(shop_store, BAKER, shop_settings)  # as `recmind users erase` would: no hook
    result = engine.recommend(BAKER, k=5)
    assert not result.personalized
    assert ids(result) == ids(engine.recommend("nobody", k=5))
    assert not state.resources.cache.holds(BAKER) and engine.is_forgotten(BAKER)


def test_a_returning_id_is_a_new_person(
    engine: ServingEngine, shop_store: Store, shop_settings: Settings
) -> None:
    """After the erasure only the id's newer events count, after a restart and after a
    retraining too; their old history never comes back, not even by a re-import."""
    old = sorted(stored_items(shop_store, BAKER))
    erase_user(shop_store, BAKER, shop_settings)
    for item in old[:3]:  # the old history re-imported (dated before the erasure)
        add_event(shop_store, BAKER, item, at=START + 3600)
    add_event(shop_store, BAKER, "c01", at=time.time() + 1)  # new, after the erasure
    restarted = ServingEngine(shop_settings, shop_store)
    restarted.start()
    try:
        served = restarted.served
        assert served is not None and BAKER in served.user_index  # trained before
        assert restarted.history(BAKER).items.tolist() == [served.item_index["c01"]]
        assert restarted.recommend(BAKER, k=5).personalized
        publish(shop_store, shop_settings, "ease")  # retrained after the erasure
        assert restarted.reload()
        retrained = restarted.served
        assert retrained is not None and restarted.version != served.version
        row = retrained.user_index[BAKER]
        items, _ = retrained.histories.user(row)
        assert items.tolist() == [retrained.item_index["c01"]]  # only the new person's
        assert restarted.erasure.view(retrained, BAKER)[0] == row  # and it is used
    finally:
        restarted.stop()


def test_filters(engine: ServingEngine) -> None:
    music = engine.recommend(BAKER, k=5, filters=Filters(categories=("music",)))
    assert len(music.items) == 5 and all(i.category == "Music" for i in music.items)
    every = engine.recommend(BAKER, k=40, filters=Filters(in_stock=True))
    assert "b09" not in ids(every) and "c09" not in ids(every)  # sold out
    seen = engine.recommend(BAKER, k=40, filters=Filters(exclude_seen=False))
    assert len(seen.items) == 30


def test_diversity_spreads_categories(engine: ServingEngine) -> None:
    plain = engine.recommend(BAKER, k=6)
    diverse = engine.recommend(BAKER, k=6, diversity=0.9)
    first = [i.category for i in diverse.items[:3]]
    assert len(set(first)) == 3, first  # each next pick overlaps least with the list so far
    assert [i.category for i in plain.items[:3]] != first
    assert diverse.items[0].item_id == plain.items[0].item_id
    assert engine.recommend(BAKER, k=6, diversity=0.0).items == plain.items


def test_explanations_name_the_history(engine: ServingEngine, shop_store: Store) -> None:
    result = engine.recommend(BAKER, k=3, explain=True)
    history_titles = set(
        shop_store.load_items()
        .set_index("item_id")
        .loc[sorted(stored_items(shop_store, BAKER))]["title"]
    )
    for item in result.items:
        assert item.reason and item.reason.startswith("Because you bought")
        assert any(title in item.reason for title in history_titles), item.reason
    plain = engine.recommend(BAKER, k=3)
    assert all(i.reason is None for i in plain.items)


def test_anonymous_session(engine: ServingEngine) -> None:
    session = engine.recommend_session(["m01", "m04"], k=5)
    assert session.personalized
    assert not {"m01", "m04"} & set(ids(session))
    assert sum(i.item_id.startswith("m") for i in session.items) >= 3
    empty = engine.recommend_session([], k=5)
    assert not empty.personalized
    unknown_only = engine.recommend_session(["no-such-item"], k=5)
    assert not unknown_only.personalized


def test_similar_items(engine: ServingEngine) -> None:
    result = engine.similar("c00", k=5)
    assert "c00" not in ids(result)
    assert sum(i.item_id.startswith("c") for i in result.items) >= 4
    with pytest.raises(UnknownItemError):
        engine.similar("no-such-item")


def test_lists_are_precomputed_and_cached_per_history(
    engine: ServingEngine, shop_store: Store
) -> None:
    state = engine.state
    assert state is not None
    cache = state.resources.cache
    assert len(cache) >= 30  # every person with events, warmed at load
    hits = cache.hits
    engine.recommend(BAKER, k=5)
    assert cache.hits == hits + 1
    add_event(shop_store, BAKER, "b08", at=START + 20_000 * 3600)
    misses = cache.misses
    assert "b08" not in ids(engine.recommend(BAKER, k=30))
    assert cache.misses == misses + 1


def test_events_ingested_drops_the_cached_list(engine: ServingEngine) -> None:
    state = engine.state
    assert state is not None
    engine.recommend(BAKER, k=5)
    engine.events_ingested([BAKER, "someone-else"])
    assert not state.resources.cache.holds(BAKER)
