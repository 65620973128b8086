"""Reading what an audience needs from the store: item events strictly before ``as_of``
(only the four columns used, filtered in SQL) and the catalogue's categories."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from recmind.data import schema
from recmind.data.store import Store


def events_before(store: Store, as_of: float) -> pd.DataFrame:
    """``user_id``, ``item_id``, ``event_type``, ``timestamp`` of every event on an item
    with ``timestamp < as_of``, oldest first."""
    table = schema.events.c
    query = (
        select(table.user_id, table.item_id, table.event_type, table.timestamp)
        .where(table.timestamp < float(as_of), table.item_id.is_not(None))
        .order_by(table.timestamp, table.event_id)
    )
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    frame = pd.DataFrame.from_records(
        rows, columns=["user_id", "item_id", "event_type", "timestamp"]
    )
    frame["timestamp"] = pd.to_numeric(frame["timestamp"]).astype("float64")
    return frame


def item_categories(store: Store) -> pd.DataFrame:
    """``item_id`` and ``category`` of every catalogue item."""
    table = schema.items.c
    with store.engine.connect() as connection:
        rows = connection.execute(select(table.item_id, table.category)).all()
    return pd.DataFrame.from_records(rows, columns=["item_id", "category"])
