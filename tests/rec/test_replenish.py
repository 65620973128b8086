"""The replenishment rule shared by the served message source and the campaign replay."""

from __future__ import annotations

from recmind.rec.replenish import DAY, due_items, orders

NOW = 1_700_000_000.0


def test_purchases_within_a_day_are_one_order() -> None:
    assert orders([NOW, NOW + 3600, NOW + 2 * DAY, NOW + DAY]) == [NOW, NOW + DAY, NOW + 2 * DAY]


def test_due_between_one_and_three_typical_intervals_closest_first() -> None:
    purchases = [
        ("a", "milk", NOW - 14 * DAY),
        ("a", "milk", NOW - 7 * DAY - 3600),  # gap about 7 days, 1.0x overdue
        ("a", "rice", NOW - 40 * DAY),
        ("a", "rice", NOW - 30 * DAY),  # gap 10 days, 3.0x overdue: still due
        ("a", "soap", NOW - 80 * DAY),
        ("a", "soap", NOW - 70 * DAY),  # 7x overdue: a habit that ended
        ("b", "milk", NOW - 2 * DAY),  # one order only
    ]
    assert due_items(purchases, NOW) == {"a": ["milk", "rice"]}
    assert due_items([], NOW) == {}
