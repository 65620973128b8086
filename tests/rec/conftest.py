"""Small seeded data sets shared by the recommender tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recmind.rec.interactions import Interactions, ItemCatalog

N_USERS = 40
N_ITEMS = 30
CATEGORIES = ("Books|Fiction", "Books/Comics", "Tops/Knits", "Music", None)
DAY = 86_400.0


def make_events(seed: int = 7) -> pd.DataFrame:
    """Users with 3-9 items each, drawn with a skewed popularity, over 60 days."""
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, N_ITEMS + 1)
    popularity /= popularity.sum()
    rows = []
    for user in range(N_USERS):
        count = int(rng.integers(3, 10))
        for item in rng.choice(N_ITEMS, size=count, replace=False, p=popularity):
            rows.append((f"u{user:02d}", f"i{item:02d}", 1.7e9 + rng.uniform(0, 60) * DAY))
    return pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])


def make_items() -> pd.DataFrame:
    """Categories cycle (some multi-valued, one hierarchical, some missing); every fourth item
    is sold out and every seventh has unknown stock."""
    ids = [f"i{i:02d}" for i in range(N_ITEMS)]
    stock = [0.0 if i % 4 == 1 else (np.nan if i % 7 == 3 else 5.0) for i in range(N_ITEMS)]
    return pd.DataFrame(
        {
            "item_id": ids,
            "title": [f"Item {i}" for i in range(N_ITEMS)],
            "category": [CATEGORIES[i % len(CATEGORIES)] for i in range(N_ITEMS)],
            "stock": stock,
        }
    )


@pytest.fixture(scope="session")
def interactions() -> Interactions:
    item_ids = np.asarray([f"i{i:02d}" for i in range(N_ITEMS)], dtype=object)
    return Interactions.from_frame(make_events(), item_ids=item_ids)


@pytest.fixture(scope="session")
def catalog(interactions: Interactions) -> ItemCatalog:
    return ItemCatalog.from_frame(make_items(), interactions.item_ids)


@pytest.fixture(scope="session")
def uniform_interactions() -> Interactions:
    """Every item exactly as popular as every other (user u has items u, u+1, u+2 mod n):
    popularity is one big tie."""
    rows = [
        (f"u{u:02d}", f"i{(u + d) % N_ITEMS:02d}", 1.7e9 + d)
        for u in range(N_ITEMS)
        for d in range(3)
    ]
    frame = pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])
    item_ids = np.asarray([f"i{i:02d}" for i in range(N_ITEMS)], dtype=object)
    return Interactions.from_frame(frame, item_ids=item_ids)
