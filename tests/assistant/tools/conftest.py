"""The retrieval tests' small shop with two people's orders and some events, as fixtures
on SQLite and PostgreSQL, and a tool context bound to one person."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.assistant.retrieval.shop import fill_shop

from recmind.assistant.retrieval import Retriever, load_index, reindex
from recmind.assistant.tools import ToolContext
from recmind.config import Settings
from recmind.data.orders import put_order
from recmind.data.store import Store

ORDERS = {
    "o-ann-1": {
        "user_id": "ann",
        "created_at": "2026-03-01T10:00:00Z",
        "status": "shipped",
        "lines": [{"item_id": "d-linen", "quantity": 1, "unit_price": 89.0}],
        "total": 94.95,
        "currency": "USD",
        "carrier": "Parcelink",
        "tracking_number": "PL4400172",
        "expected_delivery": "2026-03-05",
    },
    "o-ann-2": {
        "user_id": "ann",
        "created_at": "2026-03-10T10:00:00Z",
        "status": "paid",
        "lines": [{"item_id": "t-tee", "quantity": 2, "unit_price": 29.0}],
        "total": 63.95,
        "currency": "USD",
    },
    "o-bob-1": {
        "user_id": "bob",
        "created_at": "2026-03-02T10:00:00Z",
        "status": "delivered",
        "lines": [{"item_id": "j-rain", "quantity": 1, "unit_price": 139.0}],
        "total": 139.0,
        "currency": "USD",
        "carrier": "SwiftPost",
        "tracking_number": "SP-BOB-SECRET",
    },
}


@pytest.fixture
def shop(store: Store, settings: Settings, tmp_path: Path) -> Store:
    """The small shop with Ann's and Bob's orders."""
    fill_shop(store, tmp_path / "quarantine")
    for order_id, record in ORDERS.items():
        put_order(store, order_id, dict(record), settings)
    return store


@pytest.fixture
def context(shop: Store, settings: Settings) -> ToolContext:
    """Ann's conversation, without a retriever (tools that need none)."""
    return ToolContext(shop, settings, conversation_id="conv-ann", user_id="ann")


@pytest.fixture
def retriever(shop: Store, tmp_path: Path) -> Retriever:
    reindex(shop, root=tmp_path / "index")
    return Retriever(shop, load_index(tmp_path / "index"))
