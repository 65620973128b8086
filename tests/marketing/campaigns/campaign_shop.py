"""A shop for the campaign tests: a few items, people (some without an address) and a
segment whose membership is written directly (as a refresh leaves it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import insert
from tests.marketing.content.little_shop import DAY, NOW, add_events, add_items, add_users

from recmind.data.schema import segment_members, segments
from recmind.data.store import Store
from recmind.marketing.messages import RecommendationSource


def open_shop(store: Store, people: int = 7) -> list[str]:
    """Items, ``people`` people (every third without an email address) with a purchase
    each, and the segment ``regulars`` holding all of them (plus one who left it)."""
    add_items(
        store,
        [
            {"item_id": "mug", "title": "Blue Mug", "price": 15.0, "stock": 2},
            {"item_id": "tea", "title": "Green Tea", "price": 4.5, "stock": 40},
            {"item_id": "pan", "title": "Pan", "price": 30.0, "stock": 5},
        ],
    )
    ids = [f"p{n:03d}" for n in range(people)]
    add_users(
        store,
        [
            {"user_id": u, "email": None if n % 3 == 2 else f"{u}@example.com"}
            for n, u in enumerate(ids)
        ]
        + [{"user_id": "gone", "email": "gone@example.com"}],
    )
    add_events(store, [(u, "pan", "purchase", NOW - 60 * DAY) for u in ids])
    with store.engine.begin() as connection:
        connection.execute(
            insert(segments).values(
                segment_id="regulars",
                name="Regulars",
                description=None,
                rule="{}",
                version=1,
                builtin=False,
                created_at=NOW - DAY,
                updated_at=NOW - DAY,
                refreshed_at=NOW - DAY,
            )
        )
        rows = [
            {"segment_id": "regulars", "user_id": u, "entered_at": NOW - DAY, "exited_at": None}
            for u in ids
        ]
        rows.append(
            {"segment_id": "regulars", "user_id": "gone", "entered_at": NOW - 9 * DAY,
             "exited_at": NOW - 2 * DAY}
        )  # fmt: skip
        connection.execute(insert(segment_members), rows)
    return ids


class FixedRecommender:
    """Everyone gets ``items`` (a batch recommender, counting the people it was asked for)."""

    def __init__(self, items: Sequence[str] = ("mug", "tea")) -> None:
        self.items = list(items)
        self.asked: list[str] = []

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
        return self.recommend_many([user_id], source=source, count=count,
                                   in_stock_only=in_stock_only, now=now)[user_id]  # fmt: skip

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
        self.asked.extend(user_ids)
        return {u: self.items[:count] for u in user_ids}
