"""Interactions collapse repeated pairs and keep the id spaces they are given."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recmind.rec.interactions import Interactions, ItemCatalog, parse_categories


def _events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": ["u1", "u1", "u2", "u2", "u3"],
            "item_id": ["a", "a", "b", None, "zzz"],
            "timestamp": [10.0, 30.0, 20.0, 25.0, 5.0],
        }
    )


def test_repeated_pairs_collapse_to_latest_time_and_count() -> None:
    inter = Interactions.from_frame(_events(), item_ids=["a", "b", "c"])
    assert inter.n_items == 3
    assert len(inter) == 2  # search row (no item) and the off-catalogue item are dropped
    row = int(np.flatnonzero(inter.user_ids[inter.user_index] == "u1")[0])
    assert inter.timestamps[row] == 30.0
    assert inter.weights[row] == 2.0
    assert inter.matrix().sum() == 2.0
    assert inter.lookup_users(["u2", "nobody"]).tolist()[1] == -1


def test_catalogue_alignment_categories_and_stock() -> None:
    items = pd.DataFrame(
        {
            "item_id": ["b", "a"],
            "title": ["Bee", None],
            "category": ["Tops/Knits|Sale", "Dresses"],
            "stock": [0, None],
        }
    )
    catalog = ItemCatalog.from_frame(items, np.asarray(["a", "b", "c"], dtype=object))
    assert catalog.titles.tolist() == ["a", "Bee", "c"]
    assert catalog.in_stock.tolist() == [True, False, True]
    assert catalog.category_mask(["tops"]).tolist() == [False, True, False]
    assert catalog.category_mask(["Tops/Knits", "dresses"]).tolist() == [True, True, False]
    assert parse_categories(" A | b |") == frozenset({"a", "b"})
