"""The replay end to end on a small seeded shop: audiences are the same size for every
policy, no policy reads an event at or after its moment (events planted there change no
choice), conversions match the raw events, and ``new_only`` holds for every policy."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from tests.marketing.shop_log import DAY, item_id
from tests.marketing.simulate.replay_shop import DAYS, FIRST, config, shop_bundle

from recmind.marketing.simulate import POLICIES, LeakError, Replay, ReplayLog, replay
from recmind.marketing.simulate.audiences import audience_size
from recmind.marketing.simulate.replay import ReplayCache

CHOICE = ["moment", "audience", "policy", "user_id", "items"]


def run(events: pd.DataFrame | None = None, **changes: object) -> Replay:
    return replay(ReplayLog.from_bundle(shop_bundle(events)), config(**changes))


@pytest.fixture(scope="module")
def base() -> Replay:
    return run()


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return shop_bundle().events


def planted(events: pd.DataFrame, start: float, stop: float, seed: int) -> pd.DataFrame:
    """Purchases between ``start`` and ``stop`` by known people and newcomers, of known
    items and a brand-new one, the first exactly at ``start``."""
    rng = np.random.default_rng(seed)
    n = 300
    users = [f"u{u:03d}" for u in rng.integers(0, 150, n)] + ["newcomer"] * 10
    items = [item_id(int(rng.integers(6)), int(rng.integers(8))) for _ in range(n)]
    future = pd.DataFrame(
        {
            "user_id": users,
            "item_id": items + ["brand-new"] * 10,
            "event_type": "purchase",
            "timestamp": np.r_[start, rng.uniform(start, stop, n + 9)],
            "event_id": [f"planted{seed}-{i}" for i in range(n + 10)],
            "value": 5.0,
        }
    )
    return pd.concat([events, future], ignore_index=True)


def test_every_policy_reaches_the_same_number_of_people(base: Replay) -> None:
    campaigns = base.campaigns
    assert len(base.moments) == 2
    for record in base.moments:
        assert record.audience == audience_size(record.candidates, 0.3, 1000) > 0
        rows = campaigns.loc[campaigns["moment"] == record.moment]
        sizes = rows.groupby(["audience", "policy"]).size()
        assert len(sizes) == 3 * len(POLICIES)
        assert set(sizes) == {record.audience}
        assert not rows.duplicated(["audience", "policy", "user_id"]).any()


def test_events_at_or_after_the_moment_change_no_choice(base: Replay, events: pd.DataFrame) -> None:
    first = base.moments[0].moment
    alone = run(max_moments=1)
    future = run(planted(events, first, first + 40 * DAY, seed=1), max_moments=1)
    assert future.moments[0].moment == first
    pd.testing.assert_frame_equal(future.campaigns[CHOICE], alone.campaigns[CHOICE])
    # the planted buys inside the window do count as conversions
    assert future.campaigns["converted"].sum() > alone.campaigns["converted"].sum()


def test_events_after_the_last_window_change_nothing(base: Replay, events: pd.DataFrame) -> None:
    last = base.moments[-1].moment + 7 * DAY
    later = run(planted(events, last, FIRST - 100 * DAY + (DAYS + 20) * DAY, seed=2))
    pd.testing.assert_frame_equal(later.campaigns, base.campaigns)
    assert [m.window_buyers for m in later.moments] == [m.window_buyers for m in base.moments]


def test_conversions_match_the_raw_events(base: Replay, events: pd.DataFrame) -> None:
    bought = events.loc[events["event_type"] == "purchase"]
    times = bought["timestamp"].to_numpy()
    checked = 0
    for row in base.campaigns.itertuples():
        inside = bought.loc[
            (bought["user_id"].to_numpy() == row.user_id)
            & (times >= row.moment)
            & (times < row.moment + 7 * DAY)
            & bought["item_id"].isin(row.items).to_numpy()
        ]
        assert row.converted == (len(inside) > 0)
        assert row.bought == inside["item_id"].nunique()
        assert row.revenue == pytest.approx(float(inside["value"].sum()))
        checked += row.converted
    assert checked > 0  # the shop's people do buy promoted items


def test_new_only_never_promotes_what_the_person_bought(base: Replay, events: pd.DataFrame) -> None:
    bought = events.loc[events["event_type"] == "purchase"]
    for row in base.campaigns.loc[base.campaigns["policy"] != "last"].itertuples():
        mine = bought["user_id"] == row.user_id
        earlier = bought.loc[mine & (bought["timestamp"] < row.moment)]
        assert not set(row.items) & set(earlier["item_id"])
        assert len(row.items) <= 3
    assert (base.campaigns["promoted"] > 0).any()
    # views are the only items a person touched without buying: last items are those
    last = base.campaigns.loc[base.campaigns["policy"] == "last"]
    viewed = events.loc[events["event_type"] == "view"]
    for row in last.itertuples():
        assert set(row.items) <= set(viewed.loc[viewed["user_id"] == row.user_id, "item_id"])


def test_with_repeats_the_last_items_are_the_latest_bought(events: pd.DataFrame) -> None:
    result = run(new_only=False, max_moments=1, policies=("last", "bestsellers"))
    rows = result.campaigns.loc[result.campaigns["policy"] == "last"]
    moment = result.moments[0].moment
    for row in rows.head(20).itertuples():
        mine = events.loc[(events["user_id"] == row.user_id) & (events["timestamp"] < moment)]
        latest = mine.sort_values("timestamp").iloc[::-1]["item_id"].drop_duplicates()
        assert list(row.items) == latest.head(3).tolist()
    assert rows["converted"].any()


def test_a_shared_cache_changes_no_figure(base: Replay) -> None:
    cache = ReplayCache()
    log = ReplayLog.from_bundle(shop_bundle())
    repeats = replay(log, config(new_only=False), cache=cache)
    again = replay(log, config(), cache=cache)
    pd.testing.assert_frame_equal(again.campaigns, base.campaigns)
    assert len(cache.models) == 1 and len(again.fits) == 1
    people = ["moment", "audience", "user_id"]
    shared = repeats.campaigns.loc[repeats.campaigns["policy"] == "random", people]
    assert shared.reset_index(drop=True).equals(
        base.campaigns.loc[base.campaigns["policy"] == "random", people].reset_index(drop=True)
    )


def test_a_shared_cache_serves_each_moment_the_fit_made_for_it() -> None:
    """With weekly refits, the second setting's first moment must get the first fit, not
    the latest one (which read events after that moment)."""
    cache = ReplayCache()
    log = ReplayLog.from_bundle(shop_bundle())
    weekly = config(refit_days=7.0, policies=("recmind",), audiences=("recmind",))
    first = replay(log, weekly, cache=cache)
    second = replay(log, replace(weekly, new_only=False), cache=cache)
    alone = replay(log, replace(weekly, new_only=False))
    assert len(first.fits) == 2  # one per moment, kept for the second setting
    pd.testing.assert_frame_equal(second.campaigns, alone.campaigns)
    with pytest.raises(LeakError, match="tuned at"):  # a moment before the tuning
        replay(log, replace(weekly, start=weekly.start - 14 * DAY), cache=cache)
