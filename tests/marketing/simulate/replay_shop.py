"""The shop the replay tests run on: the audience tests' seeded grocery-like shop
(:mod:`tests.marketing.shop_log`) as a bundle, with campaign moments inside it."""

from __future__ import annotations

import pandas as pd
from tests.marketing.shop_log import DAY, START, shop_events, shop_items

from recmind.data.bundle import DataBundle
from recmind.marketing.simulate import ReplayConfig

FIRST = START + 100 * DAY
"""Where the held-out period starts: campaigns go out from the next midnight (UTC)."""
DAYS = 130


def shop_bundle(events: pd.DataFrame | None = None) -> DataBundle:
    """The shop's catalogue and ``events`` (default: 150 people over 130 days)."""
    frame = shop_events(n_users=150, days=DAYS) if events is None else events
    return DataBundle(name="shop", items=shop_items(), events=frame)


def config(**changes: object) -> ReplayConfig:
    """Weekly campaigns of 3 items from :data:`FIRST`, item-kNN as the personal model
    (the hybrid is too slow for a unit test; the CLI and the benchmark use it)."""
    base: dict[str, object] = {
        "k": 3,
        "start": FIRST,
        "max_moments": 2,
        "audience_share": 0.3,
        "model": "itemknn",
        "seed": 5,
    }
    return ReplayConfig(**{**base, **changes})  # type: ignore[arg-type]
