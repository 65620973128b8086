"""Counting what a campaign earned: a person *converts* when they buy one of the items
promoted to them within the window after the moment; the revenue is what those buys of
promoted items came to. Buys of other items earn the campaign nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd


def promotions(lists: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """``user_id``, ``item_id``: one row per promoted (person, item) pair."""
    users = [str(u) for u, items in lists.items() for _ in items]
    items = [str(i) for seq in lists.values() for i in seq]
    return pd.DataFrame({"user_id": users, "item_id": items}).drop_duplicates()


def conversions(lists: Mapping[str, Sequence[str]], window: pd.DataFrame) -> pd.DataFrame:
    """Per person of ``lists`` (the index, in the order given): ``promoted`` (items),
    ``converted`` (bought one of them in ``window``), ``bought`` (how many of them) and
    ``revenue`` (the ``value`` of those buys, repeat buys of one item each counted).

    ``window`` holds the window's buys (``user_id``, ``item_id``, ``value``)."""
    people = pd.Index([str(u) for u in lists], name="user_id")
    shown = promotions(lists)
    if len(window):
        paid = window.groupby(["user_id", "item_id"], sort=False)["value"].sum()
        hits = shown.merge(paid.rename("revenue").reset_index(), on=["user_id", "item_id"])
    else:
        hits = shown.iloc[:0].assign(revenue=np.zeros(0))
    per = hits.groupby("user_id")["revenue"].agg(["size", "sum"])
    counts = np.asarray([len(lists[u]) for u in lists], dtype=np.int64)
    bought = per["size"].reindex(people).fillna(0).astype(np.int64)
    return pd.DataFrame(
        {
            "promoted": counts,
            "converted": bought.to_numpy() > 0,
            "bought": bought.to_numpy(),
            "revenue": per["sum"].reindex(people).fillna(0.0).to_numpy(dtype=np.float64),
        },
        index=people,
    )
