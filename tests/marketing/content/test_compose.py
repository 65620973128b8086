"""The outbox composer: recommendations, facts, rendering, recipient, then one outbox row per
request; a message that cannot go out is a skipped row with its reason, never dropped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
import pytest
from sqlalchemy import select
from tests.marketing.content.little_shop import NOW, add_items, add_users

from recmind.config import Settings
from recmind.data.schema import outbox
from recmind.data.store import Store
from recmind.marketing.content.compose import OutboxComposer
from recmind.marketing.messages import MessageRequest, RecommendationSource, campaign_key


class ListRecommender:
    """Answers every person with the same items (one call per person, recorded)."""

    def __init__(self, items: Sequence[str]) -> None:
        self.items = list(items)
        self.calls: list[tuple[str, str, str | None]] = []

    def __call__(
        self,
        user_id: str,
        *,
        source: RecommendationSource,
        count: int,
        trigger_item: str | None,
        in_stock_only: bool,
        now: float,
    ) -> list[str]:
        self.calls.append((user_id, source, trigger_item))
        head = [trigger_item] if trigger_item else []
        return (head + self.items)[:count]


class BatchListRecommender(ListRecommender):
    def __init__(self, items: Sequence[str]) -> None:
        super().__init__(items)
        self.batches: list[list[str]] = []

    def recommend_many(
        self,
        user_ids: Sequence[str],
        *,
        source: RecommendationSource,
        count: int,
        in_stock_only: bool,
        now: float,
        trigger_items: Mapping[str, str | None] | None = None,
    ) -> dict[str, list[str]]:
        self.batches.append(list(user_ids))
        return {u: self.items[:count] for u in user_ids}


def request(user_id: str, **extra: Any) -> MessageRequest:
    values: dict[str, Any] = {
        "idempotency_key": campaign_key("spring", user_id),
        "user_id": user_id,
        "channel": "email",
        "source_kind": "campaign",
        "source_id": "spring",
        "template": "new_arrivals",
        "recommendation_count": 2,
    }
    values.update(extra)
    return MessageRequest(**values)


def rows(store: Store) -> dict[str, dict[str, Any]]:
    with store.engine.connect() as connection:
        found = connection.execute(select(outbox)).all()
    return {str(r.user_id) + ":" + str(r.channel): dict(r._mapping) for r in found}


@pytest.fixture
def shop(store: Store) -> Store:
    add_items(
        store,
        [
            {"item_id": "mug", "title": "Blue Mug", "price": 15.0, "stock": 2},
            {"item_id": "tea", "title": "Green Tea", "price": 4.5, "stock": 40},
        ],
    )
    add_users(
        store,
        [
            {"user_id": "ann", "email": "ann@example.com", "attributes": {"first_name": "Ann"}},
            {"user_id": "bob", "email": None},
        ],
    )
    return store


def test_a_message_is_composed_once(shop: Store) -> None:
    recommender = ListRecommender(["mug", "deleted-item", "tea"])
    composer = OutboxComposer(shop, Settings(), recommender)
    assert composer(request("ann", recommendation_count=3), now=NOW) is True
    row = rows(shop)["ann:email"]
    assert row["status"] == "pending" and row["recipient"] == "ann@example.com"
    assert row["subject"] == "New at recmind demo shop: Blue Mug and 1 more"
    assert orjson.loads(row["items"]) == ["mug", "tea"]  # the deleted item is gone
    assert "Hi Ann," in row["body_text"] and "$15.00" in row["body_text"]
    assert row["next_attempt_at"] == NOW and row["source_kind"] == "campaign"
    # the same key again: nothing new, and no recommendation or rendering work
    assert composer(request("ann"), now=NOW + 5) is False
    assert len(recommender.calls) == 1
    assert len(rows(shop)) == 1


def test_what_cannot_go_out_is_recorded_with_the_reason(shop: Store) -> None:
    composer = OutboxComposer(shop, Settings(), ListRecommender([]))
    result = composer.compose(
        [
            request("bob"),  # no address
            request("nobody"),  # no users row: no address either
            request("ann"),  # needs items, has none
            request("ann", channel="onsite", template="welcome_1", idempotency_key="w:ann"),
            request("ann", channel="webhook", template="no_such", idempotency_key="x:ann"),
        ],
        now=NOW,
    )
    assert result.queued == 1
    assert result.skipped == {"no_address": 2, "no_items": 1, "render_failed": 1}
    found = rows(shop)
    assert found["bob:email"]["status"] == "skipped"
    assert found["bob:email"]["skip_reason"] == "no_address"
    assert found["nobody:email"]["skip_reason"] == "no_address"
    assert found["ann:email"]["skip_reason"] == "no_items"
    assert found["ann:webhook"]["skip_reason"].startswith("render_failed: ")
    assert found["ann:webhook"]["recipient"] == "ann"
    onsite = found["ann:onsite"]
    assert onsite["status"] == "pending" and onsite["recipient"] is None
    assert onsite["subject"] == "Welcome to recmind demo shop"
    # skipped rows hold their keys: a rerun writes nothing
    again = composer.compose([request("bob"), request("ann")], now=NOW + 1)
    assert (again.written, again.existing) == (0, 2)


def test_batches_go_to_the_recommender_at_once(shop: Store) -> None:
    recommender = BatchListRecommender(["tea", "mug"])
    composer = OutboxComposer(shop, Settings(), recommender)
    batch = [
        request("ann"),
        request("bob", channel="onsite"),
        request("ann", channel="onsite", idempotency_key="k2"),
    ]
    written = composer.compose_many(batch, now=NOW)
    assert written == 3
    # ann twice in one batch (two messages): two calls, never one person twice in a call
    assert recommender.batches == [["ann", "bob"], ["ann"]]
    assert recommender.calls == []
    assert orjson.loads(rows(shop)["bob:onsite"]["items"]) == ["tea", "mug"]


def test_a_test_send_goes_to_the_given_address(shop: Store) -> None:
    composer = OutboxComposer(shop, Settings(), ListRecommender(["mug"]))
    test = request("bob", source_kind="test", idempotency_key="test:spring:bob:1")
    result = composer.compose([test], now=NOW, recipients={"test:spring:bob:1": "qa@shop.test"})
    assert result.queued == 1
    row = rows(shop)["bob:email"]
    assert (row["recipient"], row["source_kind"]) == ("qa@shop.test", "test")
