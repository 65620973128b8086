"""Write one validated chunk to the store: deduplicate, derive ids, bulk insert, count.

Items, users and orders are upserted (the last row of a key wins; a row identical to the
stored one counts as a duplicate, not an import: an order's later status replaces its
earlier one). Events and reviews are inserted if absent. Users that events, reviews or
orders name and the store does not know are created, with the first time they were seen as
``created_at``. Each chunk is one transaction.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import pandas as pd

from recmind.data.bulk import BulkWriter
from recmind.data.catalog_changes import (
    MISSING,
    begin_bulk,
    bulk_record,
    bulk_stored_values,
    diff_items,
)
from recmind.data.store import Store
from recmind.data.validate import Validated

EVENT_KEY = ("user_id", "item_id", "event_type", "timestamp")
"""Two events with the same key are the same event (for events that name an item)."""
EVENT_STORE_COLUMNS = (
    "event_id",
    "user_id",
    "item_id",
    "event_type",
    "timestamp",
    "value",
    "query",
)
REVIEW_STORE_COLUMNS = ("review_id", "user_id", "item_id", "rating", "text", "timestamp")


@dataclass(frozen=True)
class WriteOutcome:
    """What happened to the valid rows of one chunk."""

    imported: int
    duplicates: int
    users_created: int = 0


def _objects(series: pd.Series) -> list[Any]:
    """Python values with None for every kind of missing value (DB-API friendly)."""
    if series.dtype.kind == "f":
        array = series.to_numpy(dtype="float64")
        values = array.astype(object)
        values[np.isnan(array)] = None
        return list(values)
    cells = series.to_numpy(dtype=object, copy=True)
    cells[pd.isna(cells)] = None
    return list(cells.tolist())


def _whole(series: pd.Series) -> list[int | None]:
    return [None if v is None else int(v) for v in _objects(series)]


def _json(series: pd.Series) -> list[str | None]:
    option = orjson.OPT_SORT_KEYS | orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
    return [
        None if v is None else orjson.dumps(v, option=option, default=str).decode()
        for v in series.tolist()
    ]


_CONVERTERS: dict[str, Callable[[pd.Series], list[Any]]] = {
    "stock": _whole,
    "attributes": _json,
    "lines": _json,
}


def _rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    arrays = [_CONVERTERS.get(c, _objects)(frame[c]) for c in columns]
    return list(zip(*arrays, strict=True))


def derive_ids(frame: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """Deterministic 128-bit ids from ``columns`` (stable across runs and versions)."""
    parts = []
    for name in columns:
        values = _objects(frame[name])
        if frame[name].dtype.kind == "f":
            parts.append(["" if v is None else repr(float(v)) for v in values])
        else:
            parts.append(["" if v is None else str(v) for v in values])
    return [
        hashlib.blake2b("\x1f".join(key).encode(), digest_size=16).hexdigest()
        for key in zip(*parts, strict=True)
    ]


def _with_ids(frame: pd.DataFrame, id_column: str, key: Sequence[str]) -> pd.DataFrame:
    missing = frame[id_column].isna().to_numpy()
    if not missing.any():
        return frame
    frame = frame.copy()
    frame[id_column] = frame[id_column].astype(object)
    frame.loc[missing, id_column] = derive_ids(frame.loc[missing], key)
    return frame


def _first_seen(frame: pd.DataFrame, column: str = "timestamp") -> list[tuple[Any, ...]]:
    first = frame.groupby("user_id", sort=False)[column].min()
    return list(zip(first.index.tolist(), _objects(first), strict=True))


def _upsert(store: Store, table: str, key: str, validated: Validated) -> WriteOutcome:
    clean = validated.clean
    unique = clean.drop_duplicates(key, keep="last")
    columns = [key, *(c for c in validated.present if c != key)]
    with store.raw_connection() as connection:
        changed = BulkWriter(connection, store.dialect).upsert(
            table, key, columns, _rows(unique, columns)
        )
    return WriteOutcome(imported=changed, duplicates=len(clean) - changed)


def write_items(store: Store, validated: Validated) -> WriteOutcome:
    """Upsert items and record their catalogue changes in the same transaction (the
    values before are read for the whole chunk at once: :mod:`.catalog_changes`)."""
    clean = validated.clean
    unique = clean.drop_duplicates("item_id", keep="last")
    columns = ["item_id", *(c for c in validated.present if c != "item_id")]
    rows = _rows(unique, columns)
    now = time.time()
    with store.raw_connection() as connection:
        begin_bulk(connection, store.dialect)
        ids = [row[0] for row in rows]
        before = bulk_stored_values(connection, store.dialect, ids)
        bulk = BulkWriter(connection, store.dialect)
        changed = bulk.upsert("items", "item_id", columns, rows)
        where = {name: columns.index(name) for name in ("price", "stock") if name in columns}
        after = [
            (
                row[0],
                row[where["price"]] if "price" in where else MISSING,
                row[where["stock"]] if "stock" in where else MISSING,
            )
            for row in rows
        ]
        bulk_record(connection, store.dialect, diff_items(before, after, now=now))
    return WriteOutcome(imported=changed, duplicates=len(clean) - changed)


def write_users(store: Store, validated: Validated) -> WriteOutcome:
    return _upsert(store, "users", "user_id", validated)


def _insert_with_users(
    store: Store, table: str, frame: pd.DataFrame, columns: Sequence[str], received: int
) -> WriteOutcome:
    with store.raw_connection() as connection:
        bulk = BulkWriter(connection, store.dialect)
        created = bulk.insert_ignore("users", ("user_id", "created_at"), _first_seen(frame))
        inserted = bulk.insert_ignore(table, columns, _rows(frame, columns))
    return WriteOutcome(imported=inserted, duplicates=received - inserted, users_created=created)


def write_events(store: Store, validated: Validated) -> WriteOutcome:
    clean = _with_ids(validated.clean, "event_id", (*EVENT_KEY, "query"))
    unique = clean.drop_duplicates("event_id")
    same_key = unique.duplicated(list(EVENT_KEY)) & unique["item_id"].notna()
    # In (user, time) order the rows land on neighbouring pages of the unique index.
    unique = unique.loc[~same_key].sort_values(["user_id", "timestamp"], kind="stable")
    return _insert_with_users(store, "events", unique, EVENT_STORE_COLUMNS, len(clean))


def write_reviews(store: Store, validated: Validated) -> WriteOutcome:
    clean = _with_ids(validated.clean, "review_id", ("user_id", "item_id", "timestamp"))
    unique = clean.drop_duplicates("review_id")
    return _insert_with_users(store, "reviews", unique, REVIEW_STORE_COLUMNS, len(clean))


def write_orders(store: Store, validated: Validated) -> WriteOutcome:
    """Upsert orders (the last row of an order id wins) and create the users they name."""
    clean = validated.clean
    unique = clean.drop_duplicates("order_id", keep="last")
    columns = ["order_id", *(c for c in validated.present if c != "order_id")]
    with store.raw_connection() as connection:
        bulk = BulkWriter(connection, store.dialect)
        first_seen = _first_seen(unique, "created_at")
        created = bulk.insert_ignore("users", ("user_id", "created_at"), first_seen)
        changed = bulk.upsert("orders", "order_id", columns, _rows(unique, columns))
    return WriteOutcome(imported=changed, duplicates=len(clean) - changed, users_created=created)


WRITERS: dict[str, Callable[[Store, Validated], WriteOutcome]] = {
    "items": write_items,
    "users": write_users,
    "events": write_events,
    "reviews": write_reviews,
    "orders": write_orders,
}
