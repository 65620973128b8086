"""A small shop with meaningful texts (baking, camping, music), imported into a real store
and used by the serving and API tests: three groups of people who each stay mostly in one
department, so personal lists, new items and similar items have a right answer."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert

from recmind.config import Settings
from recmind.data.bundle import DataBundle
from recmind.data.importer import import_bundle
from recmind.data.privacy import erase_rows
from recmind.data.schema import events as events_table
from recmind.data.schema import items as items_table
from recmind.data.schema import users as users_table
from recmind.data.store import Store
from recmind.rec.artifacts import ArtifactInfo, ModelStore
from recmind.training import train_model, training_bundle

DEPARTMENTS: dict[str, list[str]] = {
    "Baking": [
        "Sourdough bread starter kit",
        "Strong white bread flour 5 kg",
        "Cast iron Dutch oven for baking bread",
        "Stand mixer with dough hook",
        "Bread proofing basket",
        "Cake tin set, non-stick",
        "Digital kitchen scale for baking",
        "Rolling pin, beech wood",
        "Baking parchment paper roll",
        "Cookbook: the art of bread baking",
    ],
    "Camping": [
        "Two-person backpacking tent",
        "Down sleeping bag for cold nights",
        "Portable camping gas stove",
        "Waterproof hiking boots",
        "Trekking poles, carbon",
        "Headlamp for camping and hiking",
        "Inflatable sleeping pad",
        "Camping cookware set",
        "Water filter for hiking",
        "Hiking backpack 40 litres",
    ],
    "Music": [
        "Acoustic guitar strings",
        "Electric guitar, solid body",
        "Drum sticks, hickory",
        "Piano sheet music collection",
        "Guitar tuner clip-on",
        "Studio headphones for musicians",
        "Ukulele for beginners",
        "Guitar amplifier 20 watt",
        "Metronome for music practice",
        "Violin rosin",
    ],
}
START = 1_700_000_000.0
HOUR = 3600.0


def shop_items() -> pd.DataFrame:
    rows = []
    for d, (department, titles) in enumerate(DEPARTMENTS.items()):
        for n, title in enumerate(titles):
            rows.append(
                {
                    "item_id": f"{department[0].lower()}{n:02d}",
                    "title": title,
                    "description": f"{title}. Part of our {department.lower()} range.",
                    "category": department,
                    "price": 10.0 + n + 10 * d,
                    "stock": 0 if n == 9 else 20,
                    "language": "en",
                    "attributes": {},
                }
            )
    return pd.DataFrame(rows)


def shop_events(seed: int = 5, users_per_department: int = 12) -> pd.DataFrame:
    """Each person: 4-7 events in their department, sometimes one elsewhere; popular items
    first (Zipf-like), an hour apart."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, 11)
    weights /= weights.sum()
    departments = list(DEPARTMENTS)
    rows = []
    for d, department in enumerate(departments):
        for u in range(users_per_department):
            user = f"{department[0].lower()}-user{u:02d}"
            count = int(rng.integers(4, 8))
            picks = rng.choice(10, size=count, replace=False, p=weights)
            items = [f"{department[0].lower()}{int(n):02d}" for n in picks]
            if rng.random() < 0.3:
                other = departments[(d + 1) % 3]
                items.insert(int(rng.integers(0, len(items))), f"{other[0].lower()}00")
            t = START + float(rng.integers(0, 200)) * HOUR
            for item in items:
                t += HOUR
                rows.append((user, item, "purchase", t))
    frame = pd.DataFrame(rows, columns=["user_id", "item_id", "event_type", "timestamp"])
    frame["event_id"] = [f"e{n:05d}" for n in range(len(frame))]
    frame["value"] = None
    return frame


def import_shop(store: Store, settings: Settings, quarantine: Path) -> DataBundle:
    bundle = DataBundle(name="shop", items=shop_items(), events=shop_events())
    import_bundle(store, bundle, quarantine_dir=quarantine, settings=settings)
    return bundle


def publish(store: Store, settings: Settings, model: str = "ease") -> ArtifactInfo:
    """Train ``model`` on everything in the store (erased people's history left out, as
    every training does) and publish it as the latest version."""
    result = train_model(
        training_bundle(store, settings.api.secret),
        model_name=model,
        model_store=ModelStore(settings.models_dir),
        seed=settings.seed,
    )
    return result.artifact


def add_event(
    store: Store, user_id: str, item_id: str, *, event_type: str = "purchase", at: float
) -> None:
    """Store one event the way an acknowledged write leaves it (user row included)."""
    with store.engine.begin() as connection:
        exists = connection.execute(
            users_table.select().where(users_table.c.user_id == user_id)
        ).first()
        if exists is None:
            connection.execute(insert(users_table).values(user_id=user_id))
        connection.execute(
            insert(events_table).values(
                event_id=uuid.uuid4().hex,
                user_id=user_id,
                item_id=item_id,
                event_type=event_type,
                timestamp=at,
            )
        )


def erase_user(store: Store, user_id: str, settings: Settings) -> None:
    """Erase as the API does: rows and tombstone in one transaction."""
    erase_rows(store, user_id, settings.api.secret)


def put_item(store: Store, item_id: str, title: str, category: str, stock: int = 10) -> None:
    """Create or replace one catalogue row."""
    with store.engine.begin() as connection:
        connection.execute(delete(items_table).where(items_table.c.item_id == item_id))
        connection.execute(
            insert(items_table).values(
                item_id=item_id,
                title=title,
                description=f"{title}.",
                category=category,
                stock=stock,
                attributes="{}",
            )
        )


def delete_item(store: Store, item_id: str) -> None:
    with store.engine.begin() as connection:
        connection.execute(delete(items_table).where(items_table.c.item_id == item_id))
