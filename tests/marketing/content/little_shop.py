"""A few items, people and events written straight into a store, for the content and
campaign tests (the item writes record their catalogue changes by hand, with chosen times)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from sqlalchemy import insert

from recmind.data.schema import catalog_changes, events, items, users
from recmind.data.store import Store

NOW = 1_750_000_000.0
DAY = 86_400.0


def add_items(store: Store, rows: Iterable[Mapping[str, Any]]) -> None:
    values = [
        {
            "item_id": r["item_id"],
            "title": r.get("title", r["item_id"]),
            "description": r.get("description"),
            "category": r.get("category"),
            "price": r.get("price"),
            "stock": r.get("stock"),
            "language": None,
            "attributes": orjson.dumps(r.get("attributes", {})).decode(),
        }
        for r in rows
    ]
    with store.engine.begin() as connection:
        connection.execute(insert(items), values)


def add_users(store: Store, rows: Iterable[Mapping[str, Any]]) -> None:
    values = [
        {
            "user_id": r["user_id"],
            "created_at": r.get("created_at", NOW - 100 * DAY),
            "email": r.get("email"),
            "consent_email": r.get("consent_email", True),
            "timezone": r.get("timezone"),
            "attributes": orjson.dumps(r.get("attributes", {})).decode(),
        }
        for r in rows
    ]
    with store.engine.begin() as connection:
        connection.execute(insert(users), values)


def add_events(store: Store, rows: Iterable[tuple[str, str, str, float]]) -> None:
    """``(user_id, item_id, event_type, timestamp)`` rows."""
    values = [
        {
            "event_id": uuid.uuid4().hex,
            "user_id": u,
            "item_id": i,
            "event_type": kind,
            "timestamp": at,
            "value": None,
            "query": None,
        }
        for u, i, kind, at in rows
    ]
    with store.engine.begin() as connection:
        connection.execute(insert(events), values)


Change = tuple[str, str, float | None, float | None, float]


def add_changes(store: Store, rows: Iterable[Change]) -> None:
    """``(item_id, kind, old, new, changed_at)`` catalogue changes."""
    values = [
        {
            "change_id": uuid.uuid4().hex,
            "item_id": i,
            "kind": kind,
            "old_value": old,
            "new_value": new,
            "changed_at": at,
        }
        for i, kind, old, new, at in rows
    ]
    with store.engine.begin() as connection:
        connection.execute(insert(catalog_changes), values)
