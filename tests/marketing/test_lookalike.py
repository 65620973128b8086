"""Look-alikes: planted twins of the seeds come first, seeds are never returned, and only
events before ``as_of`` count."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.marketing.shop_log import DAY, START, item_id, shop_events

from recmind.marketing.audiences import EventLog, LookalikeConfig, SeedError, lookalikes

AS_OF = START + 120 * DAY
SEEDS = [f"seed{k}" for k in range(4)]
TWINS = [f"twin{k}" for k in range(4)]


def planted(events: pd.DataFrame) -> pd.DataFrame:
    """Four seeds with unusual baskets (a few items from every category, none from their
    own) and for each a twin who bought the same items a day later."""
    rng = np.random.default_rng(11)
    rows = []
    for k, (seed, twin) in enumerate(zip(SEEDS, TWINS, strict=True)):
        picks = {item_id(int(c), int(i)) for c, i in rng.integers(0, 6, (14, 2))}
        for n, item in enumerate(sorted(picks)):
            moment = START + (30 + 3 * n + k) * DAY
            rows.append((seed, item, "purchase", moment))
            rows.append((twin, item, "purchase", moment + DAY))
    extra = pd.DataFrame(rows, columns=["user_id", "item_id", "event_type", "timestamp"])
    extra["event_id"] = [f"p{n}" for n in range(len(extra))]
    return pd.concat([events, extra], ignore_index=True)


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return planted(shop_events())


def test_lookalikes_find_the_planted_twins(events: pd.DataFrame) -> None:
    found = lookalikes(EventLog.from_frame(events), SEEDS, AS_OF, LookalikeConfig(top=10))
    assert set(found.user_ids[:4]) == set(TWINS)
    assert not set(found.user_ids) & set(SEEDS)
    assert found.scores == sorted(found.scores, reverse=True)
    assert found.details["seeds_with_history"] == 4


def test_one_seed_finds_its_twin_first(events: pd.DataFrame) -> None:
    found = lookalikes(EventLog.from_frame(events), [SEEDS[2]], AS_OF, LookalikeConfig(top=3))
    assert found.user_ids[0] == TWINS[2]


def test_later_events_do_not_change_lookalikes(events: pd.DataFrame) -> None:
    config = LookalikeConfig(top=15)
    before = lookalikes(EventLog.from_frame(events), SEEDS, AS_OF, config)
    later = pd.DataFrame(
        {
            "user_id": ["copycat"] * 20 + TWINS * 5,
            "item_id": [item_id(k % 6, k % 8) for k in range(40)],
            "event_type": "purchase",
            "timestamp": AS_OF + np.arange(40) * 3600.0,
            "event_id": [f"later{n}" for n in range(40)],
        }
    )
    after = lookalikes(
        EventLog.from_frame(pd.concat([events, later], ignore_index=True)), SEEDS, AS_OF, config
    )
    assert after.user_ids == before.user_ids
    assert after.scores == before.scores


def test_seeds_without_history_are_refused(events: pd.DataFrame) -> None:
    with pytest.raises(SeedError, match="seed: none of the 2 seed users has an event before"):
        lookalikes(EventLog.from_frame(events), ["ghost", "seed0"], START, LookalikeConfig(top=5))
