"""A small bilingual shop for the copy tests: knitwear with descriptions and reviews, an
English and a Chinese customer, a brand profile with policies."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import insert
from tests.marketing.content.little_shop import DAY, NOW, add_events, add_items, add_users

from recmind.config import Settings
from recmind.data.schema import reviews
from recmind.data.store import Store
from recmind.marketing.copy.brand import BrandProfile, set_brand
from recmind.marketing.copy.options import Offer

BRAND = BrandProfile(
    name="Harbor & Pine",
    tone="warm, plain, confident",
    avoid=["cheap", "amazing"],
    examples=["Layer up for autumn."],
    language="en",
    policies={"free_shipping_over": 75, "returns_days": 30},
)
OFFER = Offer(discount_percent=15, code="WOOL15", ends=date(2025, 6, 30))
NOW_DT = datetime.fromtimestamp(NOW, UTC).replace(tzinfo=None)
ITEMS = [
    {
        "item_id": "sweater",
        "title": "Merino Crew Sweater",
        "description": "A crew-neck sweater knit from soft merino wool in charcoal. Regular fit.",
        "category": "Knitwear",
        "price": 89.0,
        "stock": 4,
        "attributes": {"colour": "charcoal"},
    },
    {
        "item_id": "tee",
        "title": "Organic Cotton Tee",
        "description": "A relaxed tee in organic cotton, white.",
        "category": "Tops",
        "price": 24.5,
        "stock": 120,
    },
    {"item_id": "scarf", "title": "Lambswool Scarf", "category": "Knitwear", "stock": 9},
]
REVIEWS = [
    ("r1", "maya", "sweater", 5.0, "So soft and warm, fits true to size. Love the charcoal."),
    ("r2", "li", "sweater", 2.0, "质量不错，但是有点小，洗了以后缩水。"),
    ("r3", "maya", "tee", 4.0, "Nice relaxed fit, the cotton feels good."),
]


def build_shop(store: Store, settings: Settings | None = None) -> None:
    """Write the shop into ``store`` (and its brand profile)."""
    add_items(store, ITEMS)
    add_users(
        store,
        [
            {
                "user_id": "maya",
                "email": "maya@example.com",
                "attributes": {"first_name": "Maya", "language": "en"},
            },
            {"user_id": "li", "email": "li@example.com", "attributes": {"language": "zh-CN"}},
            {"user_id": "sam", "email": "sam@example.com"},
        ],
    )
    add_events(
        store,
        [
            ("maya", "sweater", "purchase", NOW - 3 * DAY),
            ("li", "sweater", "view", NOW - 2 * DAY),
            ("sam", "tee", "purchase", NOW - DAY),
        ],
    )
    with store.engine.begin() as connection:
        connection.execute(
            insert(reviews),
            [
                {
                    "review_id": r,
                    "user_id": u,
                    "item_id": i,
                    "rating": rating,
                    "text": text,
                    "timestamp": NOW - DAY,
                }
                for r, u, i, rating, text in REVIEWS
            ],
        )
    set_brand(store, BRAND, now=NOW)
