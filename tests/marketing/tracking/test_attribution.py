"""Last-touch attribution with revenue, and the holdout comparison's interval checked
against Newcombe's published example."""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from tests.marketing.policy.people import add_purchase, message_row, write_messages

from recmind.data.schema import items
from recmind.data.store import Store
from recmind.marketing.tracking.attribution import attributed, compare_rates, holdout_comparison

DAY = 86400.0


def test_newcombe_hybrid_score_interval() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873-890, table II, example (a): 56/70 vs
    # 48/80, method 10: 0.0524 to 0.3339.
    result = compare_rates((56, 70), (48, 80))
    assert result.difference == pytest.approx(56 / 70 - 48 / 80)
    assert result.ci_low == pytest.approx(0.0524, abs=5e-5)
    assert result.ci_high == pytest.approx(0.3339, abs=5e-5)
    assert result.p_value is not None and 0.005 < result.p_value < 0.02
    # example (f): 0/10 vs 0/20 -> -0.1611 to 0.2775
    empty = compare_rates((0, 10), (0, 20))
    assert empty.ci_low == pytest.approx(-0.1611, abs=5e-5)
    assert empty.ci_high == pytest.approx(0.2775, abs=5e-5)
    assert compare_rates((3, 10), (0, 0)).difference is None


def test_last_touch_within_the_window(store: Store) -> None:
    with store.engine.begin() as connection:
        connection.execute(insert(items).values(item_id="item-1", title="Kettle", price=30.0))
    write_messages(
        store,
        message_row("a", source_kind="journey", source_id="cart", status="sent", sent_at=DAY),
        message_row("a", source_id="spring", status="sent", sent_at=2 * DAY),
        message_row("b", source_kind="journey", source_id="cart", status="sent", sent_at=DAY),
        message_row("c", source_id="spring", status="skipped", created_at=DAY),
        message_row("d", source_id="spring", status="sent", sent_at=DAY, source_kind="test"),
    )
    add_purchase(store, "a", 2.5 * DAY, 100.0)  # last touch: the campaign
    add_purchase(store, "a", 0.5 * DAY, 100.0)  # before any message
    add_purchase(store, "b", 1.5 * DAY, None)  # the journey, at the item's price
    add_purchase(store, "b", 1.6 * DAY, 5.0)
    add_purchase(store, "b", 9 * DAY, 100.0)  # outside the 5-day window
    add_purchase(store, "c", 1.5 * DAY, 100.0)  # skipped: never touched
    add_purchase(store, "d", 1.5 * DAY, 100.0)  # test sends are not touches
    with store.engine.connect() as connection:
        found = attributed(connection, attribution_days=5.0, since=0.0, until=100 * DAY)
        only = attributed(
            connection,
            attribution_days=5.0,
            since=0.0,
            until=100 * DAY,
            kind="journey",
            source="cart",
        )
    assert set(found) == {("campaign", "spring"), ("journey", "cart")}
    spring, cart = found[("campaign", "spring")], found[("journey", "cart")]
    assert (spring.purchases, spring.people, spring.revenue) == (1, 1, 100.0)
    assert (cart.purchases, cart.people, cart.revenue) == (2, 1, 35.0)
    assert only == {("journey", "cart"): cart}


def test_holdout_groups_are_the_eligible_people(store: Store) -> None:
    rows = []
    for n in range(10):  # treated: sent; 4 buy within the window
        rows.append(message_row(f"t{n}", status="sent", created_at=DAY, sent_at=DAY))
    rows.append(message_row("capped", status="skipped", created_at=DAY))
    rows[-1]["skip_reason"] = "cap:email:2/1d"
    for n in range(5):  # held out; 1 buys
        rows.append(message_row(f"h{n}", status="skipped", created_at=DAY))
        rows[-1]["skip_reason"] = "holdout"
    for reason in ("no_consent", "suppressed:unsubscribed", "erased"):
        rows.append(message_row(f"x-{reason}", status="skipped", created_at=DAY))
        rows[-1]["skip_reason"] = reason
    write_messages(store, *rows)
    for n in range(4):
        add_purchase(store, f"t{n}", 2 * DAY)
    add_purchase(store, "t9", 20 * DAY)  # too late
    add_purchase(store, "h0", 3 * DAY)
    add_purchase(store, "x-no_consent", 2 * DAY)
    with store.engine.connect() as connection:
        result = holdout_comparison(
            connection, "campaign", "spring", attribution_days=5.0, since=0.0, until=100 * DAY
        )
    assert (result.treated_people, result.treated_converted) == (11, 4)
    assert (result.holdout_people, result.holdout_converted) == (5, 1)
    assert result.difference == pytest.approx(4 / 11 - 1 / 5)
    assert result.ci_low is not None and result.ci_low < result.difference < (result.ci_high or 0)
