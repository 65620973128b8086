"""A user's latest events, read at request time with one indexed query.

The events table's unique index leads with ``(user_id, timestamp)``, so "the latest N
events of one user" is an index range scan read backwards, whatever the table's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

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
    """The ``limit`` latest events with an item of ``user_id``, oldest first (ties in time
    ordered by item id then type, in Python, so every backend's collation agrees).

    Runs on a pooled DB-API connection directly: this is the one query of every request,
    and the ORM's result machinery would cost more than the query itself."""
    sql = _latest_sql(store)
    connection = store.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(sql, (str(user_id), int(limit)))
        rows = [(float(t), str(i), str(k), v) for i, k, t, v in cursor.fetchall()]
        cursor.close()
        connection.rollback()
    finally:
        connection.close()
    if not rows:
        return LiveEvents.empty()
    rows.sort()  # (time, item, type) is unique per person: the value never decides
    times, items, kinds, values = zip(*rows, strict=True)
    return LiveEvents(
        item_ids=items,
        event_types=kinds,
        timestamps=np.asarray(times, dtype=np.float64),
        values=np.asarray([np.nan if v is None else float(v) for v in values]),
    )


class UserHistory:
    """What the served model is told about one person at request time.

    ``items`` are dense model indices, oldest first, each once (at its latest time): the
    training pairs merged with the live events; ``fresh`` are items of the live events the
    model has never seen (created after it was trained), oldest first. The merge runs only
    when asked: a cached list needs just the :attr:`key`.
    """

    def __init__(
        self,
        events: LiveEvents,
        *,
        items: np.ndarray | None = None,
        fresh: tuple[str, ...] = (),
        merge: tuple[np.ndarray, np.ndarray, dict[str, int], int] | None = None,
    ) -> None:
        self.events = events
        self._items = items
        self._fresh = fresh
        self._merge = merge
        self._live_user = merge[3] if merge is not None else None
        """The person's model index when this history merges live events (keyed by them)."""
        train_times = merge[1] if merge is not None else np.zeros(0)
        self._train_last = float(np.max(train_times)) if len(train_times) else None
        """Their latest training event's time (kept: the merge drops the training arrays)."""

    @classmethod
    def of_items(cls, items: np.ndarray, fresh: tuple[str, ...] = ()) -> UserHistory:
        """A history given directly as model indices (a session, one item)."""
        return cls(LiveEvents.empty(), items=np.asarray(items, dtype=np.int64), fresh=fresh)

    def _merged(self) -> None:
        assert self._merge is not None
        train_items, train_times, item_index, _ = self._merge
        self._items, self._fresh = merge_arrays(train_items, train_times, self.events, item_index)
        self._merge = None

    @property
    def items(self) -> np.ndarray:
        if self._items is None:
            self._merged()
        assert self._items is not None
        return self._items

    @property
    def fresh(self) -> tuple[str, ...]:
        if self._items is None:
            self._merged()
        return self._fresh

    @cached_property
    def key(self) -> bytes:
        """Everything the model's scores depend on: equal keys give equal scores. For a
        merged history: the person's index in the model (their training pairs) and the live
        events' items and times, so a cache hit needs no merge."""
        if self._live_user is not None:
            user = self._live_user
            events = self.events
            return (
                b"L"
                + user.to_bytes(8, "little", signed=True)
                + "\x1f".join(events.item_ids).encode()
                + b"\x00"
                + events.timestamps.tobytes()
            )
        return b"I" + np.ascontiguousarray(self._items, dtype=np.int64).tobytes()

    @property
    def last_seen(self) -> float | None:
        """When the person was last active (their latest training or live event), or
        ``None`` for a history given as items (a session: active now)."""
        if self._live_user is None:
            return None
        times = [t for t in (self._train_last,) if t is not None]
        if len(self.events):
            times.append(float(self.events.timestamps.max()))
        return max(times) if times else None

    @property
    def empty(self) -> bool:
        """Nothing is known about the person (cheap: no merge)."""
        if self._merge is not None:
            return len(self._merge[0]) == 0 and len(self.events) == 0
        return len(self.items) == 0 and len(self.fresh) == 0

    def __len__(self) -> int:
        return len(self.items) + len(self.fresh)


def merge_history(
    train_items: np.ndarray,
    train_times: np.ndarray,
    live: LiveEvents,
    item_index: dict[str, int],
    user_index: int = -1,
) -> UserHistory:
    """A person's history: their training pairs (``user_index`` names them in the model,
    -1 for none) with their live events, merged when first needed."""
    return UserHistory(live, merge=(train_items, train_times, item_index, user_index))


def merge_arrays(
    train_items: np.ndarray,
    train_times: np.ndarray,
    live: LiveEvents,
    item_index: dict[str, int],
) -> tuple[np.ndarray, tuple[str, ...]]:
    """The training pairs plus the live events, deduplicated to each item's latest time
    and sorted by time (stable: training order first on equal times), as the training
    data itself is built (:class:`recmind.rec.interactions.Interactions`); and the live
    items outside the model's index, oldest first.

    A live event no later than its item's training pair is that pair (the store still holds
    the events the model was trained on) and is dropped: the pair keeps its place in the
    training order, so ties in time stay in the model's seeded order, the order the
    evaluation harness gives the same history in, not the store's order by item id."""
    live_index = np.asarray([item_index.get(i, -1) for i in live.item_ids], dtype=np.int64)
    known = live_index >= 0
    live_items, live_times = live_index[known], live.timestamps[known]
    newer = live_times > _trained_at(train_items, train_times, live_items)
    items = np.concatenate([train_items.astype(np.int64), live_items[newer]])
    times = np.concatenate([train_times.astype(np.float64), live_times[newer]])
    if items.size:
        order = np.argsort(times, kind="stable")
        items = items[order]
        # keep each item's last occurrence
        _, first = np.unique(items[::-1], return_index=True)
        items = items[np.sort(items.size - 1 - first)]
    fresh = tuple(dict.fromkeys(i for i, k in zip(live.item_ids, known, strict=True) if not k))
    if fresh:
        # oldest first by the last time each was touched
        last = dict(zip(live.item_ids, live.timestamps, strict=True))
        fresh = tuple(sorted(fresh, key=lambda i: last[i]))
    return items, fresh


def _trained_at(train_items: np.ndarray, train_times: np.ndarray, items: np.ndarray) -> np.ndarray:
    """Per item of ``items``, the time of its training pair (``-inf``: none)."""
    out = np.full(len(items), -np.inf)
    if not len(train_items) or not len(items):
        return out
    order = np.argsort(train_items, kind="stable")
    ordered = np.asarray(train_items, dtype=np.int64)[order]
    at = np.minimum(np.searchsorted(ordered, items), len(ordered) - 1)
    found = ordered[at] == items
    out[found] = np.asarray(train_times, dtype=np.float64)[order][at[found]]
    return out


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
