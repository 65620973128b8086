"""The baseline item policies on hand-made pasts: best-sellers by buyers or by buys over a
window, tuned at inner moments before the campaign; random items from what sold lately;
the person's last items; and nobody is promoted what they bought with ``new_only``."""

from __future__ import annotations

import pandas as pd

from recmind.marketing.simulate import Past
from recmind.marketing.simulate.items import (
    BestSellerChoice,
    best_seller_ranking,
    best_sellers,
    last_items,
    random_items,
    replenish_items,
    tune_best_sellers,
)
from recmind.marketing.simulate.log import DAY

T = 1_600_041_600.0  # a midnight


def past(rows: list[tuple[str, str, float]], kind: str = "purchase") -> Past:
    frame = pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])
    frame["event_type"] = kind
    frame["value"] = 1.0
    frame["buy"] = frame["event_type"] == "purchase"
    return Past(T, frame.sort_values("timestamp", kind="stable"), pd.DataFrame())


def test_best_sellers_rank_by_buyers_or_by_buys_inside_the_window() -> None:
    rows = [(f"u{i}", "wide", T - 1 * DAY) for i in range(3)]  # 3 buyers, 3 buys
    rows += [("u9", "deep", T - 2 * DAY + i) for i in range(5)]  # 1 buyer, 5 buys
    rows += [(f"v{i}", "old", T - 40 * DAY) for i in range(9)]  # outside a 28-day window
    history = past(rows)
    assert best_seller_ranking(history, 28, "buyers") == ["wide", "deep"]
    assert best_seller_ranking(history, 28, "buys") == ["deep", "wide"]
    assert best_seller_ranking(history, 60, "buyers")[0] == "old"


def test_new_only_skips_what_the_person_bought() -> None:
    rows = [(f"u{i}", "a", T - DAY) for i in range(4)]
    rows += [(f"u{i}", "b", T - DAY) for i in range(3)]
    rows += [(f"u{i}", "c", T - DAY) for i in range(2)]
    history = past(rows)
    choice = BestSellerChoice(window_days=7, rank_by="buyers")
    lists = best_sellers(history, ["u0", "u3", "new"], 2, choice, new_only=True)
    assert lists == {"u0": [], "u3": ["b", "c"], "new": ["a", "b"]}
    again = best_sellers(history, ["u0"], 2, choice, new_only=False)
    assert again == {"u0": ["a", "b"]}


def test_tuning_finds_the_window_that_converted_before_the_moment() -> None:
    """Each week a new item is the craze: the last week's best-seller is what people buy
    next; the all-time best-seller ("staple", bought by everyone long ago) is not. Repeat
    buys allowed, so the staple stays on top of the long windows."""
    rows = [(f"p{i}", "staple", T - 200 * DAY) for i in range(30)]
    for week in range(8, 0, -1):
        start = T - week * 7 * DAY
        rows += [(f"p{i}", f"craze{week}", start + 3600 * i) for i in range(10)]
        rows += [(f"p{i}", f"craze{week - 1}", start + 4 * DAY + 3600 * i) for i in range(10, 25)]
    choice = tune_best_sellers(past(rows), k=1, window_days=7, new_only=False)
    assert choice.window_days == 7
    assert choice.trials["7d buyers"] > 0.2
    assert choice.trials["365d buyers"] == 0.0


def test_random_items_come_from_what_sold_lately_and_do_not_depend_on_the_others() -> None:
    rows = [(f"u{i}", f"item{i}", T - 5 * DAY) for i in range(20)]
    rows += [("u0", "gone", T - 60 * DAY)]  # not sold in the last 28 days
    history = past(rows)
    everyone = random_items(history, [f"u{i}" for i in range(20)], 3, seed=1, new_only=True)
    alone = random_items(history, ["u7"], 3, seed=1, new_only=True)
    assert alone["u7"] == everyone["u7"]
    for person, items in everyone.items():
        assert len(items) == len(set(items)) == 3
        assert "gone" not in items
        assert f"item{person[1:]}" not in items  # their own buy
    assert random_items(history, ["u7"], 3, seed=2, new_only=True) != alone


def test_last_items_are_the_latest_distinct_ones() -> None:
    rows = [("u", "a", T - 9.0), ("u", "b", T - 8.0), ("u", "a", T - 7.0), ("u", "c", T - 1.0)]
    history = past(rows)
    assert last_items(history, ["u", "nobody"], 2, new_only=False) == {
        "u": ["c", "a"],
        "nobody": [],
    }
    assert last_items(history, ["u"], 2, new_only=True) == {"u": []}  # all bought
    views = past([("u", "a", T - 9.0), ("u", "b", T - 8.0)], kind="view")
    assert last_items(views, ["u"], 5, new_only=True) == {"u": ["b", "a"]}


def test_replenish_promotes_what_is_due_by_the_served_rule() -> None:
    rows = [
        # flour every 10 days, last 12 days ago: due (1.2 intervals)
        ("u", "flour", T - 32 * DAY),
        ("u", "flour", T - 22 * DAY),
        ("u", "flour", T - 12 * DAY),
        # tea every 20 days, last 5 days ago: not yet
        ("u", "tea", T - 25 * DAY),
        ("u", "tea", T - 5 * DAY),
        # salt twice in one order: no interval
        ("u", "salt", T - 3 * DAY),
        ("u", "salt", T - 3 * DAY + 60.0),
        # jam every 2 days, last 30 days ago: a habit that ended
        ("u", "jam", T - 34 * DAY),
        ("u", "jam", T - 32 * DAY),
        ("u", "jam", T - 30 * DAY),
        # eggs every 7 days, last 7.5 days ago: due, closer to one interval than flour
        ("v", "eggs", T - 21.5 * DAY),
        ("v", "eggs", T - 14.5 * DAY),
        ("v", "eggs", T - 7.5 * DAY),
    ]
    history = past(rows)
    assert replenish_items(history, ["u", "v", "w"], 5, new_only=False) == {
        "u": ["flour"],
        "v": ["eggs"],
        "w": [],
    }
    assert replenish_items(history, ["u"], 5, new_only=True) == {"u": []}
