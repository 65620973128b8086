"""Items created after the model was trained: recommendable at once through their text,
updated and deleted items take effect without retraining."""

from __future__ import annotations

from tests.serving.shop import START, add_event, delete_item, put_item

from recmind.data.store import Store
from recmind.rec.base import Filters
from recmind.serving.engine import ServingEngine

BAKER = "b-user00"
CAMPER = "c-user00"
NEW_BREAD = "new-bread"


def ids(result: object) -> list[str]:
    return [i.item_id for i in result.items]  # type: ignore[attr-defined]


def add_new_bread_tin(engine: ServingEngine, store: Store, stock: int = 10) -> None:
    put_item(store, NEW_BREAD, "Rye sourdough bread baking tin", "Baking", stock=stock)
    engine.items_changed([NEW_BREAD])


def test_a_new_item_reaches_the_people_it_suits(engine: ServingEngine, shop_store: Store) -> None:
    add_new_bread_tin(engine, shop_store)
    baker = engine.recommend(BAKER, k=10, explain=True)
    assert NEW_BREAD in ids(baker)
    fresh = [i for i in baker.items if i.source == "fresh"]
    assert [i.item_id for i in fresh] == [NEW_BREAD]
    assert fresh[0].title == "Rye sourdough bread baking tin" and fresh[0].category == "Baking"
    assert fresh[0].reason and fresh[0].reason.startswith("New arrival.")
    assert ids(baker).index(NEW_BREAD) == 4  # k=10, 2 slots: ranks 5 and 10
    assert len(baker.items) == 10
    # a camper's history is far from bread: no slot for it
    assert NEW_BREAD not in ids(engine.recommend(CAMPER, k=10))
    # the share is bounded: with fresh_share 0.2 at most ceil(0.2 k) new items
    assert sum(i.source == "fresh" for i in engine.recommend(BAKER, k=3).items) == 1


def test_a_new_item_follows_filters_and_seen(engine: ServingEngine, shop_store: Store) -> None:
    add_new_bread_tin(engine, shop_store, stock=0)
    assert NEW_BREAD in ids(engine.recommend(BAKER, k=10))
    assert NEW_BREAD not in ids(engine.recommend(BAKER, k=10, filters=Filters(in_stock=True)))
    only_music = Filters(categories=("Music",))
    assert NEW_BREAD not in ids(engine.recommend(BAKER, k=10, filters=only_music))
    add_event(shop_store, BAKER, NEW_BREAD, at=START + 30_000 * 3600)
    after = engine.recommend(BAKER, k=10)
    assert NEW_BREAD not in ids(after)  # seen, though the model has never heard of it
    assert engine.history(BAKER).fresh == (NEW_BREAD,)


def test_a_new_item_in_similar_and_sessions(engine: ServingEngine, shop_store: Store) -> None:
    add_new_bread_tin(engine, shop_store)
    assert NEW_BREAD in ids(engine.similar("b00", k=10))
    assert NEW_BREAD not in ids(engine.similar("c03", k=10))
    own = engine.similar(NEW_BREAD, k=5)
    assert NEW_BREAD not in ids(own)
    assert sum(i.item_id.startswith("b") for i in own.items) >= 4
    session = engine.recommend_session(["b00", "b03", NEW_BREAD], k=10)
    assert NEW_BREAD not in ids(session)
    assert session.personalized


def test_updates_and_deletions_apply_without_retraining(
    engine: ServingEngine, shop_store: Store
) -> None:
    before = engine.recommend(BAKER, k=5)
    top = before.items[0]
    put_item(shop_store, top.item_id, "Renamed " + top.title, "Baking", stock=0)
    engine.items_changed([top.item_id])
    renamed = engine.recommend(BAKER, k=5)
    assert renamed.items[0].title == "Renamed " + top.title
    assert top.item_id not in ids(engine.recommend(BAKER, k=5, filters=Filters(in_stock=True)))
    delete_item(shop_store, top.item_id)
    engine.items_changed([top.item_id])
    assert top.item_id not in ids(engine.recommend(BAKER, k=30))
    assert top.item_id not in ids(engine.similar("b00", k=30))
    assert top.item_id not in ids(engine.recommend("nobody", k=30))


def test_new_items_present_at_load_are_served(
    engine: ServingEngine, shop_store: Store, shop_settings: object
) -> None:
    """An item created while no server ran is found when a server starts."""
    put_item(shop_store, NEW_BREAD, "Rye sourdough bread baking tin", "Baking")
    other = ServingEngine(engine.settings, shop_store)
    other.start()
    try:
        assert NEW_BREAD in ids(other.recommend(BAKER, k=10))
    finally:
        other.stop()
