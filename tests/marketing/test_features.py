"""Purchase-propensity features worked by hand on a tiny log: windows count back from the
moment, an event at the moment is not read, and "never" is NaN."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from recmind.marketing.audiences.features import PROPENSITY_FEATURES, bought, propensity_features
from recmind.marketing.audiences.log import EventLog
from recmind.marketing.audiences.targets import resolve_target

DAY = 86_400.0
T0 = 1_600_000_000.0
NOW = T0 + 100 * DAY


def frame(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["user_id", "item_id", "event_type", "timestamp"])


ITEMS = pd.DataFrame(
    {
        "item_id": ["t1", "t2", "r1", "x1"],
        "category": ["food/tea", "food/tea|gifts", "food/tea", "garden"],
    }
)
EVENTS = frame(
    [
        ("a", "t1", "purchase", NOW - 90 * DAY),
        ("a", "t1", "purchase", NOW - 50 * DAY),
        ("a", "t2", "purchase", NOW - 10 * DAY),
        ("a", "t2", "purchase", NOW - 10 * DAY + 60),  # same day: one shopping day
        ("a", "r1", "purchase", NOW - 5 * DAY),
        ("a", "x1", "view", NOW - 2 * DAY),
        ("b", "x1", "purchase", NOW - 20 * DAY),
        ("b", "t1", "view", NOW - 3 * DAY),
        ("b", "t1", "add_to_cart", NOW - 3 * DAY + 10),
        ("b", "t1", "purchase", NOW),  # at the moment: not before it
    ]
)


def features() -> dict[str, dict[str, float]]:
    log = EventLog.from_frame(EVENTS).before(NOW)
    target = resolve_target(log, ITEMS, item_ids=["t1", "t2"])
    values = propensity_features(log, target, NOW)
    return {
        str(user): dict(zip(PROPENSITY_FEATURES, map(float, row), strict=True))
        for user, row in zip(log.user_ids, values, strict=True)
    }


def test_features_by_hand() -> None:
    a, b = features()["a"], features()["b"]
    assert (a["tgt_buys_4w"], a["tgt_buys_8w"], a["tgt_buys_26w"]) == (2.0, 3.0, 4.0)
    assert a["tgt_days_26w"] == 3.0 and a["tgt_items"] == 2.0
    assert a["tgt_days_since"] == 10.0 - 60 / DAY
    ages = (90.0, 50.0, 10.0, 10.0 - 60 / DAY)
    assert math.isclose(a["tgt_buys_decay"], sum(0.5 ** (age / 28) for age in ages))
    assert a["rel_buys_8w"] == 1.0  # r1 shares food/tea with the targets; x1 does not
    assert a["buy_days_26w"] == 4.0 and a["buys_8w"] == 4.0
    assert a["tgt_trip_share_26w"] == 3.0 / 4.0
    assert a["days_since_event"] == 2.0 and a["tenure_days"] == 90.0
    assert (b["tgt_buys_26w"], b["tgt_looks_4w"], b["tgt_carts_4w"]) == (0.0, 1.0, 1.0)
    assert np.isnan(b["tgt_days_since"])
    assert b["days_since_buy"] == 20.0


def test_labels_read_the_window_after_the_moment() -> None:
    log = EventLog.from_frame(EVENTS)
    target = resolve_target(log, ITEMS, item_ids=["t1"])
    labels = dict(zip(log.user_ids, bought(log, target, NOW, NOW + DAY), strict=True))
    assert labels == {"a": False, "b": True}
    earlier = dict(zip(log.user_ids, bought(log, target, NOW - 60 * DAY, NOW), strict=True))
    assert earlier == {"a": True, "b": False}


def test_a_category_target_matches_members_and_children() -> None:
    log = EventLog.from_frame(EVENTS)
    gifts = resolve_target(log, ITEMS, category="GIFTS")
    assert set(log.item_ids[gifts.items]) == {"t2"}
    assert set(log.item_ids[gifts.related]) == {"t1", "r1"}  # share food/tea with t2
    food = resolve_target(log, ITEMS, category="food")
    assert set(log.item_ids[food.items]) == {"t1", "t2", "r1"}
