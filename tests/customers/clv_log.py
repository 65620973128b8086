"""A seeded synthetic shop whose customers buy and lapse as the buy-till-you-die models
assume: each arrives in the first weeks, buys at their own Poisson rate (gamma across
customers) and, after each purchase, lapses for good with their own probability."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from recmind.data.bundle import DataBundle
from recmind.data.importer import import_bundle
from recmind.data.store import Store

DAY = 86_400.0
START = pd.Timestamp("2024-01-01", tz="UTC").timestamp()


def synthetic_events(customers: int = 300, days: int = 400, seed: int = 7) -> pd.DataFrame:
    """Purchase events (one item, values in dollars) from day 0 to ``days``."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, float, float]] = []
    for number in range(customers):
        user = f"c{number:04d}"
        rate = rng.gamma(0.8, 1 / 25)  # purchases a day
        lapse = rng.beta(1.0, 4.0)
        spend = rng.gamma(4.0, 10.0)
        moment = rng.uniform(0, 60)
        while moment < days:
            rows.append((user, START + moment * DAY, round(float(rng.gamma(6.0, spend / 6)), 2)))
            if rng.uniform() < lapse:
                break
            moment += rng.exponential(1 / rate) + 1.0
    frame = pd.DataFrame(rows, columns=["user_id", "timestamp", "value"])
    frame["item_id"] = "item"
    frame["event_type"] = "purchase"
    frame["event_id"] = [f"e{n}" for n in range(len(frame))]
    return frame


ITEMS = pd.DataFrame({"item_id": ["item"], "title": ["An item"], "price": [25.0]})


def load_events(store: Store, events: pd.DataFrame, tmp_path: Path) -> None:
    """Import through the real import path."""
    bundle = DataBundle(name="synthetic", items=ITEMS, events=events)
    import_bundle(store, bundle, quarantine_dir=tmp_path / "quarantine")
