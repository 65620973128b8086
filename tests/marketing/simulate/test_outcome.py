"""Conversion counting on a hand-made case, every number worked out by hand."""

from __future__ import annotations

import pandas as pd

from recmind.marketing.simulate.outcome import conversions


def test_conversions_and_revenue_are_counted_exactly() -> None:
    lists = {
        "ann": ["a", "b", "c"],  # buys b twice and d: converts, 1 item bought, 2 + 3 earned
        "bob": ["a"],  # buys only e: no conversion
        "cat": [],  # nothing promoted: cannot convert
        "dan": ["d", "e"],  # buys d and e: converts, 2 items, 4 + 1
        "eve": ["z"],  # buys nothing in the window
    }
    window = pd.DataFrame(
        [
            ("ann", "b", 2.0),
            ("ann", "b", 3.0),
            ("ann", "d", 7.0),
            ("bob", "e", 9.0),
            ("cat", "a", 1.0),
            ("dan", "d", 4.0),
            ("dan", "e", 1.0),
            ("zed", "z", 6.0),
        ],
        columns=["user_id", "item_id", "value"],
    )
    result = conversions(lists, window)
    assert result.index.tolist() == ["ann", "bob", "cat", "dan", "eve"]
    assert result["promoted"].tolist() == [3, 1, 0, 2, 1]
    assert result["converted"].tolist() == [True, False, False, True, False]
    assert result["bought"].tolist() == [1, 0, 0, 2, 0]
    assert result["revenue"].tolist() == [5.0, 0.0, 0.0, 5.0, 0.0]


def test_an_empty_window_converts_nobody() -> None:
    window = pd.DataFrame(columns=["user_id", "item_id", "value"])
    result = conversions({"ann": ["a"], "bob": []}, window)
    assert not result["converted"].any()
    assert result["revenue"].tolist() == [0.0, 0.0]
