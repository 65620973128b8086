"""A small seeded grocery-like shop for the audience tests: people with a favourite
category who shop at their own pace, so who buys what next is predictable from the past."""

from __future__ import annotations

import numpy as np
import pandas as pd

DAY = 86_400.0
START = 1_500_000_000.0
CATEGORIES = 6
ITEMS_PER_CATEGORY = 8


def item_id(category: int, index: int) -> str:
    return f"c{category}-i{index}"


def shop_items() -> pd.DataFrame:
    """48 items in six categories under ``food/`` (``food/c0`` ... ``food/c5``)."""
    rows = [
        {"item_id": item_id(c, i), "title": f"item {c}.{i}", "category": f"food/c{c}"}
        for c in range(CATEGORIES)
        for i in range(ITEMS_PER_CATEGORY)
    ]
    return pd.DataFrame(rows)


def shop_events(seed: int = 7, n_users: int = 180, days: int = 150) -> pd.DataFrame:
    """Purchases (and a few views) of ``n_users`` people over ``days`` days: each person
    visits at their own rate (0.03 to 0.35 visits a day) and buys two items of their
    favourite category (``user % 6``) and one of any category per visit."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, str, str, float]] = []
    for user in range(n_users):
        rate = rng.uniform(0.03, 0.35)
        favourite = user % CATEGORIES
        moment = START + rng.uniform(0, 10) * DAY
        while moment < START + days * DAY:
            picks = [
                item_id(favourite, int(rng.integers(ITEMS_PER_CATEGORY))),
                item_id(favourite, int(rng.integers(ITEMS_PER_CATEGORY))),
                item_id(int(rng.integers(CATEGORIES)), int(rng.integers(ITEMS_PER_CATEGORY))),
            ]
            for offset, item in enumerate(picks):
                rows.append((f"u{user:03d}", item, "purchase", moment + offset))
            if rng.random() < 0.3:
                look = item_id(int(rng.integers(CATEGORIES)), int(rng.integers(8)))
                rows.append((f"u{user:03d}", look, "view", moment - 60.0))
            moment += rng.exponential(1.0 / rate) * DAY
    frame = pd.DataFrame(rows, columns=["user_id", "item_id", "event_type", "timestamp"])
    frame["event_id"] = [f"e{n}" for n in range(len(frame))]
    frame["value"] = 1.0
    return frame.sort_values("timestamp", kind="stable").reset_index(drop=True)


def buyers_between(events: pd.DataFrame, items: set[str], start: float, stop: float) -> set[str]:
    """Who bought one of ``items`` in ``[start, stop)``."""
    rows = events.loc[
        (events["event_type"] == "purchase")
        & events["item_id"].isin(items)
        & (events["timestamp"] >= start)
        & (events["timestamp"] < stop)
    ]
    return set(rows["user_id"])
