"""The replay's door to the data: a policy's past holds nothing at or after its moment,
the window after it holds the buys, ratings count as buys where nothing is purchased, and
campaign moments fall at midnights with their whole window inside the data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recmind.data.bundle import DataBundle
from recmind.marketing.simulate import LeakError, Past, ReplayLog
from recmind.marketing.simulate.log import DAY, campaign_moments

T = 1_600_000_000.0


def events(rows: list[tuple[str, str, str, float, float | None]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["user_id", "item_id", "event_type", "timestamp", "value"])
    frame["event_id"] = [f"e{i}" for i in range(len(frame))]
    return frame


def log_of(rows: list[tuple[str, str, str, float, float | None]]) -> ReplayLog:
    return ReplayLog.from_bundle(DataBundle(name="t", events=events(rows)))


def test_a_past_refuses_an_event_at_its_moment() -> None:
    frame = pd.DataFrame({"timestamp": [T - 1.0, T], "buy": [True, True]})
    with pytest.raises(LeakError, match="not before"):
        Past(T, frame, pd.DataFrame())


def test_the_past_ends_before_the_moment_and_the_window_starts_at_it() -> None:
    log = log_of(
        [
            ("a", "x", "purchase", T - 1.0, 2.0),
            ("a", "y", "purchase", T, 3.0),  # exactly at the moment: the future
            ("b", "x", "view", T + 10.0, None),  # not a buy
            ("b", "z", "purchase", T + 7 * DAY - 1.0, 4.0),
            ("b", "x", "purchase", T + 7 * DAY, 5.0),  # the window's end is open
        ]
    )
    past = log.past(T)
    assert past.events["timestamp"].max() == T - 1.0
    assert past.buyers().tolist() == ["a"]
    assert past.owned() == {"a": {"x"}}
    window = log.outcome(T, T + 7 * DAY)
    assert window.to_dict("records") == [
        {"user_id": "a", "item_id": "y", "value": 3.0},
        {"user_id": "b", "item_id": "z", "value": 4.0},
    ]
    assert log.revenue and log.buy_type == "purchase"


def test_ratings_are_the_buys_where_nothing_is_purchased() -> None:
    log = log_of([("a", "x", "rating", T - 5.0, 4.0), ("a", "y", "rating", T + 5.0, 2.0)])
    assert log.buy_type == "rating"
    assert not log.revenue  # a rating's value is stars, not money
    assert log.outcome(T, T + DAY).to_dict("records") == [
        {"user_id": "a", "item_id": "y", "value": 0.0}
    ]
    assert log.past(T).buyers().tolist() == ["a"]


def test_campaign_moments_are_midnights_with_their_window_inside_the_data() -> None:
    midnight = np.floor(T / DAY) * DAY
    log = log_of(
        [
            ("a", "x", "purchase", midnight - 30 * DAY, 1.0),
            ("a", "x", "purchase", midnight + 22 * DAY + 5.0, 1.0),
        ]
    )
    moments = campaign_moments(log, midnight - 0.5 * DAY, step_days=7, window_days=7, limit=None)
    assert moments == [midnight, midnight + 7 * DAY, midnight + 14 * DAY]
    assert campaign_moments(log, midnight, step_days=7, window_days=7, limit=2) == moments[:2]
    assert campaign_moments(log, midnight + 20 * DAY, step_days=7, window_days=7, limit=None) == []
