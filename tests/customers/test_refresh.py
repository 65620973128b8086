"""The incremental refresh gives exactly the rows of a full build, recomputing only the
customers whose events entered or left a window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from tests.customers.log import AS_OF, DAY, EVENTS, ITEMS, USERS, load, utc
from tests.customers.test_features import stored

from recmind.customers.build import build_features
from recmind.customers.refresh import refresh_features
from recmind.data.bundle import DataBundle
from recmind.data.importer import import_bundle
from recmind.data.privacy import erase_rows
from recmind.data.store import Store

HOUR = 3600.0
KINDS = np.array(["view", "click", "add_to_cart", "purchase", "rating", "search"])


def without_stamps(rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        user: {
            k: pytest.approx(v) if isinstance(v, float) else v
            for k, v in row.items()
            if k != "computed_at"
        }
        for user, row in rows.items()
    }


def random_events(seed: int, start: float, end: float, n: int = 600) -> pd.DataFrame:
    """Events of 25 users (the log's six and 19 more) spread over ``[start, end)``."""
    rng = np.random.default_rng(seed)
    people = np.array([*USERS["user_id"], *(f"u{k}" for k in range(19))])
    kinds = rng.choice(KINDS, n, p=[0.5, 0.15, 0.1, 0.15, 0.05, 0.05])
    items = rng.choice(ITEMS["item_id"].to_numpy(), n)
    return pd.DataFrame(
        {
            "user_id": rng.choice(people, n),
            "item_id": np.where(kinds == "search", None, items),
            "event_type": kinds,
            "timestamp": np.round(rng.uniform(start, end, n), 3),
            "value": np.where(kinds == "purchase", np.round(rng.uniform(1, 50, n), 2), np.nan),
            "query": np.where(kinds == "search", "gift", None),
        }
    )


def add(store: Store, tmp_path: Path, events: pd.DataFrame, users: Any = None) -> None:
    bundle = DataBundle(
        name="more",
        items=ITEMS.iloc[:0],
        users=users if users is not None else USERS.iloc[:0],
        events=events,
    )
    import_bundle(store, bundle, quarantine_dir=tmp_path / "quarantine")


def full_at(store: Store, as_of: float) -> dict[str, dict[str, Any]]:
    """What a full build gives at ``as_of`` (the store's table is rebuilt)."""
    build_features(store, as_of)
    return without_stamps(stored(store))


def test_refresh_equals_a_full_build_step_by_step(store: Store, tmp_path: Path) -> None:
    """Moments that let events enter, and leave the 7, 30 and 90-day windows, with new
    events and a new user in between; the refreshed table is the full build's each time."""
    history = random_events(7, AS_OF - 200 * DAY, AS_OF - 20 * DAY)
    load(store, tmp_path, pd.concat([EVENTS, history], ignore_index=True))
    build_features(store, AS_OF - 60 * DAY)
    moments = [AS_OF - 40 * DAY, AS_OF - 39.5 * DAY, AS_OF - 20 * DAY, AS_OF, AS_OF + 45 * DAY]
    for step, moment in enumerate(moments):
        if step == 2:
            add(store, tmp_path, random_events(8, AS_OF - 20 * DAY, AS_OF + 30 * DAY, n=200))
        if step == 3:
            newcomer = pd.DataFrame({"user_id": ["zoe"], "created_at": [AS_OF - DAY]})
            add(store, tmp_path, EVENTS.iloc[:0], users=newcomer)
        report = refresh_features(store, as_of=moment)
        assert report.mode == "incremental"
        refreshed = stored(store)
        assert without_stamps(refreshed) == full_at(store, moment), f"step {step}"
    assert "zoe" in refreshed


def test_a_few_new_events_recompute_only_their_customers(store: Store, tmp_path: Path) -> None:
    """One new event for bob an hour after as_of; two hours later only bob and alice (her
    view exactly at as_of now counts) are recomputed: no event of anyone leaves a window
    in those two hours, so carol, erin and frank only move on."""
    load(store, tmp_path)
    build_features(store, AS_OF)
    new = EVENTS.iloc[:1].assign(user_id="bob", item_id="b1", timestamp=AS_OF + HOUR)
    add(store, tmp_path, new)
    report = refresh_features(store, as_of=AS_OF + 2 * HOUR)
    assert (report.computed, report.shifted, report.removed) == (2, 3, 0)
    rows = stored(store)
    assert rows["bob"]["events_7d"] == 3
    assert rows["bob"]["category_shares"] == {
        "Toys": 0.666667,
        "Books": 0.333333,
        "Gifts": 0.333333,
    }
    assert rows["alice"]["recency_days"] == pytest.approx(3 + 6 / 24)
    assert rows["alice"]["views_7d"] == 1
    assert rows["frank"]["tenure_days"] == pytest.approx(
        (AS_OF + 2 * HOUR - utc("2025-04-01 12:00")) / DAY
    )
    assert {row["as_of"] for row in rows.values()} == {AS_OF + 2 * HOUR}
    assert without_stamps(rows) == full_at(store, AS_OF + 2 * HOUR)


def test_refresh_follows_consent_and_erasure(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    build_features(store, AS_OF)
    add(store, tmp_path, EVENTS.iloc[:0], users=USERS.iloc[:1].assign(consent_email=False))
    erase_rows(store, "erin", secret="a-long-random-test-secret-for-erasure")
    refresh_features(store, as_of=AS_OF + DAY)
    rows = stored(store)
    assert rows["alice"]["consent_email"] is False
    assert "erin" not in rows


def test_refresh_without_features_is_a_full_build_and_refuses_going_back(
    store: Store, tmp_path: Path
) -> None:
    load(store, tmp_path)
    report = refresh_features(store, as_of=AS_OF)
    assert (report.mode, report.customers) == ("full", 5)
    with pytest.raises(ValueError, match="before the stored features' as_of"):
        refresh_features(store, as_of=AS_OF - DAY)


def test_windows_decay_without_new_events(store: Store, tmp_path: Path) -> None:
    """No event after the first build: nobody is recomputed, yet 35 days later every
    window has lost what left it (alice's May and June purchases leave the 7 and 30-day
    windows, frank's early-April views the 90-day one) exactly as a full build says."""
    load(store, tmp_path)
    build_features(store, AS_OF + 5 * DAY)
    before = stored(store)
    report = refresh_features(store, as_of=AS_OF + 40 * DAY)
    assert (report.computed, report.shifted, report.removed) == (0, 6, 0)
    rows = stored(store)
    assert before["alice"]["purchases_7d"] == 1  # her 2 June purchase
    assert (rows["alice"]["purchases_7d"], rows["alice"]["purchases_30d"]) == (0, 0)
    assert rows["alice"]["purchases_90d"] == 3
    assert (before["frank"]["views_90d"], rows["frank"]["views_90d"]) == (7, 0)
    assert without_stamps(rows) == full_at(store, AS_OF + 40 * DAY)
    assert refresh_features(store, as_of=AS_OF + 200 * DAY).computed == 0
    assert stored(store)["alice"]["purchases_90d"] == 0
    assert without_stamps(stored(store)) == full_at(store, AS_OF + 200 * DAY)
