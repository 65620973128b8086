"""Each tool on the small shop (SQLite and PostgreSQL): arguments validated before anything
runs (structured errors, never exceptions), prices and stock read from the store at the
call, order_status only ever showing the caller's own orders, handoffs queued, and results
turned into the claim checker's facts."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest
from tests.assistant.retrieval.shop import set_item
from tests.serving.shop import add_event

from recmind.assistant.retrieval import Retriever
from recmind.assistant.tools import (
    ComparisonResult,
    HandoffResult,
    ItemResult,
    OrdersResult,
    PolicyResult,
    ProductsResult,
    RecommendResult,
    ToolContext,
    ToolOutcome,
    default_registry,
    to_facts,
)
from recmind.data.handoffs import list_open
from recmind.data.store import Store
from recmind.marketing.copy.facts_store import FactRow, write_facts
from recmind.text.claims.facts import Facts

REGISTRY = default_registry()


def call(context: ToolContext, name: str, arguments: Any) -> ToolOutcome:
    return REGISTRY.call(context, name, arguments)


def test_every_tool_has_a_json_schema_for_its_arguments() -> None:
    assert REGISTRY.names == [
        "search_products",
        "get_item",
        "compare_items",
        "order_status",
        "recommend",
        "policy_lookup",
        "handoff",
    ]
    for schema in REGISTRY.schemas():
        assert schema["description"]
        assert schema["parameters"]["type"] == "object"
        assert schema["parameters"]["additionalProperties"] is False
    handoff = REGISTRY["handoff"].schema()["parameters"]
    assert handoff["properties"]["reason"]["enum"] == [
        "low_confidence",
        "asked_for_human",
        "complaint",
        "failed_check",
        "other",
    ]
    order = REGISTRY["order_status"].schema()["parameters"]
    assert "user_id" not in order["properties"]  # the person is never an argument


@pytest.mark.parametrize(
    ("name", "arguments", "kind"),
    [
        ("get_item", {}, "invalid_arguments"),
        ("get_item", {"item_id": ""}, "invalid_arguments"),
        ("get_item", {"item_id": "d-linen", "price": 1}, "invalid_arguments"),
        ("get_item", "{not json", "invalid_arguments"),
        ("get_item", "[1, 2]", "invalid_arguments"),
        ("compare_items", {"item_ids": ["d-linen"]}, "invalid_arguments"),
        ("compare_items", {"item_ids": ["d-linen", "d-linen"]}, "invalid_arguments"),
        ("compare_items", {"item_ids": ["a", "b", "c", "d", "e"]}, "invalid_arguments"),
        ("search_products", {"query": "x", "min_price": 50, "max_price": 10}, "invalid_arguments"),
        ("search_products", {"query": "x", "top": 100}, "invalid_arguments"),
        ("order_status", {"user_id": "bob"}, "invalid_arguments"),
        ("handoff", {"reason": "angry", "summary": "s"}, "invalid_arguments"),
        ("handoff", {"reason": "other", "summary": ""}, "invalid_arguments"),
        ("recommend", {"count": 0}, "invalid_arguments"),
        ("get_item", {"item_id": "d-\x00linen"}, "invalid_arguments"),
        ("order_status", {"order_id": "o-\x00"}, "invalid_arguments"),
        ("compare_items", {"item_ids": ["d-linen", "\ud800"]}, "invalid_arguments"),
        ("search_products", {"query": "dress\x00"}, "invalid_arguments"),
        ("handoff", {"reason": "other", "summary": "a\x00b"}, "invalid_arguments"),
        ("refund_everything", {}, "unknown_tool"),
        ("get_item\ud800", {}, "unknown_tool"),
        ("get_item", {"item_id": "no-such-item"}, "not_found"),
        ("compare_items", {"item_ids": ["d-linen", "nope"]}, "not_found"),
        ("search_products", {"query": "dress"}, "unavailable"),  # no retriever here
        ("policy_lookup", {"question": "returns"}, "unavailable"),
    ],
)
def test_a_bad_call_is_a_structured_error(
    context: ToolContext, name: str, arguments: Any, kind: str
) -> None:
    outcome = call(context, name, arguments)
    assert not outcome.ok and outcome.result is None
    assert outcome.error is not None and outcome.error.kind == kind
    assert outcome.error.message
    if kind == "invalid_arguments" and isinstance(arguments, dict):
        assert outcome.error.problems
        assert all({"loc", "msg", "type"} <= set(p) for p in outcome.error.problems)
    assert outcome.model_dump_json()  # it can be shown to the model as it is
    assert list_open(context.store) == []  # nothing ran


def test_an_exception_inside_a_tool_does_not_escape(
    context: ToolContext, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the store went away")

    monkeypatch.setattr("recmind.assistant.tools.catalog.item_cards", broken)
    outcome = call(context, "get_item", {"item_id": "d-linen"})
    assert outcome.error is not None and outcome.error.kind == "failed"
    assert "store went away" not in outcome.error.message  # internals are logged, not shown
    assert "tool get_item failed in conversation conv-ann" in caplog.text


def test_get_and_compare_read_the_store_after_a_price_change(
    context: ToolContext, tmp_path: Path
) -> None:
    outcome = call(context, "get_item", '{"item_id": "d-linen"}')
    assert isinstance(outcome.result, ItemResult)
    item = outcome.result.item
    assert (item.price, item.currency, item.stock, item.in_stock) == (89.0, "USD", 4, True)
    assert item.attributes["material"] == "linen"
    assert (item.reviews.count, item.reviews.average_rating) == (2, 4.0)
    assert [(c.kind, c.id) for c in outcome.result.citations] == [("item", "d-linen")]

    assert item.reviews.positive_share is None  # no sentiment stored yet
    sentiment = {"reviews": 2, "positive": 1, "positive_share": 0.5}
    write_facts(context.store, [FactRow("d-linen", "sentiment", "reviews", sentiment, "h")])
    stored = call(context, "get_item", {"item_id": "d-linen"}).result
    assert isinstance(stored, ItemResult) and stored.item.reviews.positive_share == 0.5

    set_item(context.store, tmp_path, "d-linen", price=120.0, stock=0)
    changed = call(context, "get_item", {"item_id": "d-linen"}).result
    assert isinstance(changed, ItemResult)
    assert (changed.item.price, changed.item.stock, changed.item.in_stock) == (120.0, 0, False)

    compared = call(context, "compare_items", {"item_ids": ["d-linen", "d-shirt"]}).result
    assert isinstance(compared, ComparisonResult)
    assert [(c.item_id, c.price) for c in compared.items] == [("d-linen", 120.0), ("d-shirt", 59.0)]
    assert compared.attributes["material"] == {"d-linen": "linen", "d-shirt": "organic cotton"}
    assert compared.attributes["pockets"] == {"d-linen": None, "d-shirt": "yes"}
    assert {c.id for c in compared.citations} == {"d-linen", "d-shirt"}


def test_order_status_shows_only_the_callers_own_orders(
    context: ToolContext, caplog: pytest.LogCaptureFixture
) -> None:
    mine = call(context, "order_status", {}).result
    assert isinstance(mine, OrdersResult)
    assert [o.order_id for o in mine.orders] == ["o-ann-2", "o-ann-1"]  # newest first
    assert mine.total_orders == 2
    one = call(context, "order_status", {"order_id": "o-ann-1"}).result
    assert isinstance(one, OrdersResult)
    (order,) = one.orders
    assert (order.status, order.carrier, order.tracking_number) == (
        "shipped",
        "Parcelink",
        "PL4400172",
    )
    assert (order.total, order.currency, order.placed_on, order.expected_on) == (
        94.95,
        "USD",
        "2026-03-01",
        "2026-03-05",
    )
    assert {(c.kind, c.id) for c in one.citations} == {("order", "o-ann-1"), ("item", "d-linen")}

    with caplog.at_level(logging.WARNING, logger="recmind.assistant.tools.orders"):
        theirs = call(context, "order_status", {"order_id": "o-bob-1"})
    missing = call(context, "order_status", {"order_id": "o-nobody"})
    assert theirs.error is not None and theirs.error.kind == "not_found"
    assert theirs.error == missing.error  # the same answer, word for word
    assert theirs.model_dump(exclude={"arguments"}) == missing.model_dump(exclude={"arguments"})
    assert theirs.result is None and "SP-BOB" not in theirs.model_dump_json()
    assert "order_status refused in conversation conv-ann" in caplog.text
    # The model cannot name another person: the argument is refused, not used.
    sneaky = call(context, "order_status", {"order_id": "o-bob-1", "user_id": "bob"})
    assert sneaky.error is not None and sneaky.error.kind == "invalid_arguments"
    anonymous = ToolContext(context.store, context.settings, conversation_id="c-anon")
    refused = call(anonymous, "order_status", {"order_id": "o-ann-1"})
    assert refused.error is not None and refused.error.kind == "unavailable"


def test_handoff_queues_the_conversation(context: ToolContext) -> None:
    outcome = call(context, "handoff", {"reason": "complaint", "summary": "Parcel is late."})
    assert isinstance(outcome.result, HandoffResult)
    (queued,) = list_open(context.store)
    assert queued.handoff_id == outcome.result.handoff_id
    assert (queued.conversation_id, queued.user_id, queued.reason, queued.summary) == (
        "conv-ann",
        "ann",
        "complaint",
        "Parcel is late.",
    )
    assert outcome.result.citations[0].id == queued.handoff_id


def test_recommend_for_anonymous_gives_popular_items_in_stock(context: ToolContext) -> None:
    now = time.time()
    taken = [("t-tee", 3), ("d-velvet", 2), ("k-cardigan", 1)]  # d-velvet is sold out
    for item_id, times in taken:
        for n in range(times):
            add_event(context.store, f"p{n}", item_id, at=now - 3600 * (n + 1))
    add_event(context.store, "p9", "j-rain", at=now - 90 * 86_400)  # long ago
    anonymous = ToolContext(context.store, context.settings, conversation_id="c-anon")
    outcome = call(anonymous, "recommend", {"count": 3})
    assert isinstance(outcome.result, RecommendResult) and not outcome.result.personalised
    assert [c.item_id for c in outcome.result.items] == ["t-tee", "k-cardigan"]
    everything = call(anonymous, "recommend", {"count": 3, "in_stock": False}).result
    assert isinstance(everything, RecommendResult)
    assert [c.item_id for c in everything.items] == ["t-tee", "d-velvet", "k-cardigan"]
    # a bound person without a served model gets the same popular list
    mine = call(context, "recommend", {"count": 3}).result
    assert isinstance(mine, RecommendResult) and not mine.personalised
    assert [c.item_id for c in mine.items] == ["t-tee", "k-cardigan"]


def test_search_and_policy_lookup_through_the_retriever(
    context: ToolContext, retriever: Retriever, tmp_path: Path
) -> None:
    context.retriever = retriever
    found = call(context, "search_products", {"query": "merino wool", "top": 3}).result
    assert isinstance(found, ProductsResult)
    assert found.items[0].item_id == "k-cardigan" and found.items[0].price == 74.0
    cheap = call(
        context, "search_products", {"query": "dress", "max_price": 100, "in_stock": True}
    ).result
    assert isinstance(cheap, ProductsResult)
    assert {"d-linen", "d-shirt"} <= {c.item_id for c in cheap.items}
    assert all(c.price is not None and c.price <= 100 and c.in_stock for c in cheap.items)
    set_item(context.store, tmp_path, "d-linen", price=99.5)
    again = call(context, "search_products", {"query": "linen wrap dress", "top": 1}).result
    assert isinstance(again, ProductsResult) and again.items[0].price == 99.5
    knits = call(context, "search_products", {"query": "warm", "category": "Tops"}).result
    assert isinstance(knits, ProductsResult)
    assert knits.items and all(c.category == "Tops/Knits" for c in knits.items)

    policy = call(context, "policy_lookup", {"question": "how long do I have to return"})
    assert isinstance(policy.result, PolicyResult)
    first = policy.result.passages[0]
    assert first.doc_id == "returns" and first.text
    assert policy.result.citations[0].kind == "passage"
    assert policy.result.citations[0].id == first.passage_id

    facts = to_facts([call(context, "get_item", {"item_id": "d-linen"}), policy])
    assert isinstance(facts, Facts)
    assert [(i.item_id, i.price, i.stock) for i in facts.items] == [("d-linen", 99.5, 4)]
    assert first.title in facts.policies


def test_results_become_the_checkers_facts(context: ToolContext, shop: Store) -> None:
    outcomes = [
        call(context, "get_item", {"item_id": "d-linen"}),
        call(context, "compare_items", {"item_ids": ["t-tee", "d-shirt"]}),
        call(context, "order_status", {"order_id": "o-ann-1"}),
        call(context, "get_item", {"item_id": "nope"}),  # a failed call adds nothing
    ]
    facts = to_facts(outcomes)
    assert [i.item_id for i in facts.items] == ["d-linen", "t-tee", "d-shirt"]
    linen = facts.items[0]
    assert (linen.price, linen.currency, linen.stock, linen.tags) == (89.0, "USD", 4, ["Dresses"])
    assert linen.attributes["material"] == "linen"
    assert (linen.average_rating, linen.rating_count) == (4.0, 2)
    assert "PL4400172" in facts.terms and "Parcelink" in facts.terms
    assert "2026-03-05" in facts.terms and "total 94.95 USD" in facts.terms
    assert not any("nope" in t for t in facts.terms)
