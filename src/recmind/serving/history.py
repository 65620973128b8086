"""A user's latest events, read at request time with one indexed query.

The events table's unique index leads with ``(user_id, timestamp)``, so "the latest N
events of one user" is an index range scan read backwards, whatever the table's size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import text

from recmind.data.store import Store

_LATEST = (
    'SELECT item_id, event_type, "timestamp", value FROM events '
    "WHERE user_id = {p} AND item_id IS NOT NULL "
    'ORDER BY "timestamp" DESC, item_id DESC, event_type DESC LIMIT {p}'
)
_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s", "numeric": ":1"}


def _latest_sql(store: Store) -> str:
    """The query in the driver's own parameter style (SQLite ``?``, psycopg ``%s``)."""
    style = store.engine.dialect.paramstyle
    if style == "numeric":
        return _LATEST.replace("{p}", ":1", 1).replace("{p}", ":2", 1)
    return _LATEST.replace("{p}", _PLACEHOLDER.get(style, "?"))


@dataclass(frozen=True)
class LiveEvents:
    """A user's latest item events, oldest first (aligned arrays)."""

    item_ids: tuple[str, ...]
    event_types: tuple[str, ...]
    timestamps: np.ndarray
    values: np.ndarray

    @classmethod
    def empty(cls) -> LiveEvents:
        return cls((), (), np.zeros(0, dtype=np.float64), np.zeros(0, dtype=np.float64))

    def __len__(self) -> int:
        return len(self.item_ids)


def latest_events(store: Store, user_id: str, limit: int) -> LiveEvents:
    """The ``limit`` latest events with an item of ``user_id``, oldest first.

    Runs on a pooled DB-API connection directly: this is the one query of every request,
    and the ORM's result machinery would cost more than the query itself."""
    sql = _latest_sql(store)
    connection = store.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(sql, (str(user_id), int(limit)))
        rows = list(cursor.fetchall())
        cursor.close()
        connection.rollback()
    finally:
        connection.close()
    if not rows:
        return LiveEvents.empty()
    rows.reverse()
    return LiveEvents(
        item_ids=tuple(str(r[0]) for r in rows),
        event_types=tuple(str(r[1]) for r in rows),
        timestamps=np.asarray([float(r[2]) for r in rows], dtype=np.float64),
        values=np.asarray([np.nan if r[3] is None else float(r[3]) for r in rows]),
    )


@dataclass(frozen=True)
class UserHistory:
    """What the served model is told about one person at request time.

    ``items`` are dense model indices, oldest first, each once (at its latest time), the
    training pairs merged with the live events; ``fresh`` are items of the live events the
    model has never seen (created after it was trained), oldest first.
    """

    items: np.ndarray
    fresh: tuple[str, ...]
    events: LiveEvents

    @property
    def key(self) -> bytes:
        """Everything the model's scores depend on: equal keys give equal scores."""
        return np.ascontiguousarray(self.items, dtype=np.int64).tobytes()

    def __len__(self) -> int:
        return len(self.items) + len(self.fresh)


def merge_history(
    train_items: np.ndarray,
    train_times: np.ndarray,
    live: LiveEvents,
    item_index: dict[str, int],
) -> UserHistory:
    """The training pairs plus the live events, deduplicated to each item's latest time
    and sorted by time (stable: training order first on equal times), as the training
    data itself is built (:class:`recmind.rec.interactions.Interactions`)."""
    live_index = np.asarray([item_index.get(i, -1) for i in live.item_ids], dtype=np.int64)
    known = live_index >= 0
    items = np.concatenate([train_items.astype(np.int64), live_index[known]])
    times = np.concatenate([train_times.astype(np.float64), live.timestamps[known]])
    if items.size:
        order = np.argsort(times, kind="stable")
        items, times = items[order], times[order]
        # keep each item's last occurrence
        reversed_items = items[::-1]
        _, first = np.unique(reversed_items, return_index=True)
        keep = np.sort(items.size - 1 - first)
        items = items[keep]
    fresh = tuple(dict.fromkeys(i for i, k in zip(live.item_ids, known, strict=True) if not k))
    if fresh:
        # oldest first by the last time each was touched
        last = {i: t for i, t in zip(live.item_ids, live.timestamps, strict=True)}
        fresh = tuple(sorted(fresh, key=lambda i: last[i]))
    return UserHistory(items=items, fresh=fresh, events=live)


def all_latest_events(store: Store, limit: int, max_users: int) -> dict[str, LiveEvents]:
    """The latest ``limit`` item events of the ``max_users`` most recently active people
    (one scan of the events table), for warming the cache when a version loads."""
    if max_users <= 0:
        return {}
    query = text(
        'SELECT user_id, item_id, event_type, "timestamp", value FROM events '
        "WHERE item_id IS NOT NULL"
    )
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    if not rows:
        return {}
    frame = pd.DataFrame(rows, columns=["user_id", "item_id", "event_type", "timestamp", "value"])
    frame["timestamp"] = pd.to_numeric(frame["timestamp"]).astype("float64")
    frame["value"] = pd.to_numeric(frame["value"]).astype("float64")
    # the same order as the per-request query (time, then item and type on ties), so a
    # warmed cache entry has the key the request will compute
    frame = frame.sort_values(["user_id", "timestamp", "item_id", "event_type"], kind="stable")
    frame = frame.groupby("user_id", sort=False).tail(limit)
    latest = frame.groupby("user_id", sort=False)["timestamp"].max()
    keep = set(latest.sort_values(ascending=False, kind="stable").index[:max_users])
    out: dict[str, LiveEvents] = {}
    for user_id, group in frame.groupby("user_id", sort=False):
        if user_id not in keep:
            continue
        out[str(user_id)] = LiveEvents(
            item_ids=tuple(str(i) for i in group["item_id"]),
            event_types=tuple(str(t) for t in group["event_type"]),
            timestamps=group["timestamp"].to_numpy(dtype=np.float64),
            values=group["value"].to_numpy(dtype=np.float64),
        )
    return out
