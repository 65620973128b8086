"""Likely buyers on a small seeded shop: they are the people who go on to buy, the
ranking never reads an event at or after ``as_of``, and bad targets are refused by name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.marketing.shop_log import DAY, START, buyers_between, item_id, shop_events, shop_items

from recmind.marketing.audiences import (
    BuyersConfig,
    EventLog,
    TargetError,
    find_buyers,
)
from recmind.marketing.audiences.buyers import inner_cuts

AS_OF = START + 110 * DAY
WINDOW = 21.0
TARGETS = [item_id(0, i) for i in range(3)]


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return shop_events()


def audience_of(
    events: pd.DataFrame, top: int = 20, **target: object
) -> tuple[list[str], list[float]]:
    config = BuyersConfig(window_days=WINDOW, top=top)
    found = find_buyers(
        EventLog.from_frame(events),
        shop_items(),
        config,
        as_of=AS_OF,
        **target,  # type: ignore[arg-type]
    )
    return found.user_ids, found.scores


def test_the_audience_is_who_goes_on_to_buy(events: pd.DataFrame) -> None:
    users, scores = audience_of(events, item_ids=TARGETS)
    assert len(users) == 20 and len(set(users)) == 20
    assert scores == sorted(scores, reverse=True)
    actual = buyers_between(events, set(TARGETS), AS_OF, AS_OF + WINDOW * DAY)
    active = set(events.loc[events["timestamp"] < AS_OF, "user_id"])
    base_rate = len(actual & active) / len(active)
    precision = len(actual & set(users)) / len(users)
    assert base_rate < 0.4
    assert precision >= 0.75
    # the favourite-category regulars (user % 6 == 0) dominate the audience
    regulars = sum(int(u[1:]) % 6 == 0 for u in users)
    assert regulars >= 15


def test_events_at_or_after_as_of_never_change_the_audience(events: pd.DataFrame) -> None:
    before, scores = audience_of(events, item_ids=TARGETS)
    rng = np.random.default_rng(3)
    n = 400
    future = pd.DataFrame(
        {
            "user_id": [f"u{u:03d}" for u in rng.integers(0, 180, n)] + ["newcomer"] * 5,
            "item_id": [TARGETS[i % 3] for i in range(n)] + ["brand-new-item"] * 5,
            "event_type": ["purchase"] * (n + 5),
            # the first one exactly at as_of: "before" is strict
            "timestamp": np.r_[AS_OF, AS_OF + rng.uniform(0, 40 * DAY, n + 4)],
            "event_id": [f"f{i}" for i in range(n + 5)],
            "value": 1.0,
        }
    )
    after, later_scores = audience_of(
        pd.concat([events, future], ignore_index=True), item_ids=TARGETS
    )
    assert after == before
    assert later_scores == scores


def test_a_category_target_reads_the_hierarchy(events: pd.DataFrame) -> None:
    users, _ = audience_of(events, top=15, category="Food/C2")
    regulars = sum(int(u[1:]) % 6 == 2 for u in users)
    assert regulars >= 12


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ({"item_ids": ["nope-1", "nope-2"]}, "items: none of the 2 item ids is in the catalogue"),
        ({"item_ids": ["  "]}, "items: the list of item ids is empty"),
        ({"category": "drinks"}, "category: no catalogue item is in 'drinks'"),
        ({}, "give exactly one of items or category"),
    ],
)
def test_bad_targets_are_refused_by_name(
    events: pd.DataFrame, target: dict[str, object], message: str
) -> None:
    with pytest.raises(TargetError, match=message):
        audience_of(events, **target)


def test_short_history_learns_nothing_and_uses_the_recency_rule(events: pd.DataFrame) -> None:
    early = START + 20 * DAY
    config = BuyersConfig(window_days=WINDOW, top=5)
    log = EventLog.from_frame(events)
    assert inner_cuts(log.before(early), early, config).cuts == ()
    found = find_buyers(log, shop_items(), config, as_of=early, item_ids=TARGETS)
    assert found.model == "recency rule"
    assert len(found.user_ids) == 5


def test_inner_cuts_leave_room_for_their_labels(events: pd.DataFrame) -> None:
    config = BuyersConfig(window_days=30.0, top=5)
    log = EventLog.from_frame(events).before(AS_OF)
    plan = inner_cuts(log, AS_OF, config)
    assert plan.label_days == 30.0
    assert len(plan.cuts) >= 2
    for cut in plan.cuts:  # every label window ends by as_of, every cut has 28 days before it
        assert cut + plan.label_days * DAY <= AS_OF + 1e-6
        assert cut - log.start >= 28 * DAY - 1e-6


@pytest.mark.parametrize("as_of", [AS_OF, START + 20 * DAY])
def test_progress_runs_to_its_total(events: pd.DataFrame, as_of: float) -> None:
    calls: list[tuple[str, int, int | None]] = []
    find_buyers(
        EventLog.from_frame(events),
        shop_items(),
        BuyersConfig(window_days=WINDOW, top=5),
        as_of=as_of,
        item_ids=TARGETS,
        progress=lambda label, done, total: calls.append((label, done, total)),
    )
    done = [c[1] for c in calls]
    assert done == sorted(done) and len(set(c[2] for c in calls)) == 1
    assert calls[-1][1] == calls[-1][2]
