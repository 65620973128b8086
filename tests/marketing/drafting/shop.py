"""A small fixed shop for drafting tests: 30 people with unique e-mails and zip codes,
shared age buckets and one rare tier, three categories, purchases and views."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import insert

from recmind.data.schema import events, items, users
from recmind.data.store import Store

AS_OF = 1_700_000_000.0
DAY = 86_400.0
CATEGORIES = ("Movies/Comedy", "Movies/Drama", "Snacks")
AGES = ("18-24", "25-34", "35-44")
N = 30


def user_id(i: int) -> str:
    return f"customer-{i:03d}"


def email(i: int) -> str:
    return f"person{i}@mail.test"


def zip_code(i: int) -> str:
    return f"Z{70000 + 37 * i}"


RARE_TIER = "platinum-elite"
"""Held by one person only: a drafting prompt must never show it."""


def fill(store: Store) -> None:
    """People, items and events (purchases with money, views) before :data:`AS_OF`."""
    people: list[dict[str, Any]] = []
    log: list[dict[str, Any]] = []
    for i in range(N):
        attributes: dict[str, Any] = {"age": AGES[i % 3], "zip": zip_code(i)}
        if i == 7:
            attributes["tier"] = RARE_TIER
        people.append(
            {
                "user_id": user_id(i),
                "created_at": AS_OF - 400 * DAY,
                "email": email(i),
                "consent_email": i % 2 == 0,
                "timezone": None,
                "attributes": orjson.dumps(attributes).decode(),
            }
        )
        for n in range(i % 5):
            item = f"item-{(i + n) % 6}"
            log.append(
                {
                    "event_id": f"e-{i}-{n}",
                    "user_id": user_id(i),
                    "item_id": item,
                    "event_type": "purchase" if n % 2 == 0 else "view",
                    "timestamp": AS_OF - (5 + 11 * n + i) * DAY,
                    "value": 10.0 + i if n % 2 == 0 else None,
                    "query": None,
                }
            )
    catalogue = [
        {
            "item_id": f"item-{k}",
            "title": f"Title {k}",
            "description": None,
            "category": CATEGORIES[k % 3],
            "price": 5.0 + k,
            "stock": 10,
            "language": "en",
            "attributes": "{}",
        }
        for k in range(6)
    ]
    with store.engine.begin() as connection:
        connection.execute(insert(items), catalogue)
        connection.execute(insert(users), people)
        connection.execute(insert(events), log)
