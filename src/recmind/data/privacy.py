"""Everything the store and the quarantine hold about one user: export it, or erase it.

Erasure removes the user's row, events, reviews and orders and writes their tombstone (see
:mod:`recmind.data.tombstones`) in one transaction, then checkpoints SQLite's write-ahead
log so the deleted rows do not linger in ``-wal``; it also removes every quarantined input
row that names the user (their quarantine files are rewritten atomically). Caches above
the data layer (portraits, generations, served models) are :mod:`recmind.erasure`'s to
clear; trained model artefacts forget the user at the next training.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, delete, func, select

from recmind.data.handoffs import handoffs_for_user
from recmind.data.orders import order_out
from recmind.data.record_writes import get_record
from recmind.data.schema import PERSONAL_DERIVED, events, handoffs, orders, reviews, users
from recmind.data.store import Store
from recmind.data.tombstones import record_erasure, subject_of
from recmind.data.write_lock import write_lock

_TOKEN = re.compile(r'[,\t;|"\'{}\[\]:\s]+')
quarantine_lock = threading.Lock()
"""Held while this process appends to or rewrites quarantine files."""


@dataclass(frozen=True)
class ErasedRows:
    """What one erasure deleted from the store, and the tombstone's ``erased_at`` (None
    when nothing was stored, so no tombstone was written)."""

    user_row: bool
    events: int
    reviews: int
    erased_at: float | None = None
    orders: int = 0
    handoffs: int = 0

    @property
    def found(self) -> bool:
        return (
            self.user_row
            or bool(self.events)
            or bool(self.reviews)
            or bool(self.orders)
            or bool(self.handoffs)
        )


def _rows(store: Store, table: Any, user_id: str, order: Any) -> list[dict[str, Any]]:
    with store.engine.connect() as connection:
        found = connection.execute(
            select(table).where(table.c.user_id == user_id).order_by(*order)
        ).all()
    return [dict(row._mapping) for row in found]


def user_rows(store: Store, user_id: str) -> dict[str, Any]:
    """``{"user": row or None, "events": [...], "reviews": [...], "orders": [...],
    "handoffs": [...]}`` (events, orders and handoffs oldest first; orders as
    :func:`recmind.data.orders.order_out`)."""
    placed = _rows(store, orders, user_id, (orders.c.created_at, orders.c.order_id))
    return {
        "user": get_record(store, "users", user_id),
        "events": _rows(store, events, user_id, (events.c.timestamp, events.c.event_id)),
        "reviews": _rows(store, reviews, user_id, (reviews.c.timestamp, reviews.c.review_id)),
        "orders": [order_out(row) for row in placed],
        "handoffs": handoffs_for_user(store, user_id),
    }


def _latest_stamp(connection: Connection, user_id: str) -> float | None:
    """The newest timestamp among the user's rows (events, reviews, orders, created_at)."""
    found = [
        connection.execute(select(func.max(column)).where(table.c.user_id == user_id)).scalar()
        for table, column in (
            (events, events.c.timestamp),
            (reviews, reviews.c.timestamp),
            (orders, orders.c.created_at),
            (users, users.c.created_at),
        )
    ]
    stamps = [float(v) for v in found if v is not None]
    return max(stamps) if stamps else None


def erase_rows(store: Store, user_id: str, secret: str) -> ErasedRows:
    """Delete the user's events, reviews, orders and row and write their tombstone (HMAC of
    the id under ``secret``), in one transaction; then clear SQLite's write-ahead log.
    Nothing is written when nothing was stored."""
    with write_lock(store), store.engine.begin() as connection:
        latest = _latest_stamp(connection, user_id)
        n_events = connection.execute(delete(events).where(events.c.user_id == user_id))
        n_reviews = connection.execute(delete(reviews).where(reviews.c.user_id == user_id))
        n_orders = connection.execute(delete(orders).where(orders.c.user_id == user_id))
        n_users = connection.execute(delete(users).where(users.c.user_id == user_id))
        n_handoffs = connection.execute(delete(handoffs).where(handoffs.c.user_id == user_id))
        for derived in PERSONAL_DERIVED:  # features, predictions, segment memberships
            connection.execute(delete(derived).where(derived.c.user_id == user_id))
        rows = ErasedRows(
            bool(n_users.rowcount),
            int(n_events.rowcount),
            int(n_reviews.rowcount),
            orders=int(n_orders.rowcount),
            handoffs=int(n_handoffs.rowcount),
        )
        if rows.found:
            erased_at = max(time.time(), latest if latest is not None else 0.0)
            record_erasure(connection, subject_of(user_id, secret), erased_at)
            rows = replace(rows, erased_at=erased_at)
    if rows.found:
        store.checkpoint()
    return rows


def record_tombstone(store: Store, user_id: str, secret: str) -> float:
    """Write the user's tombstone on its own (an erasure that found them only outside the
    store's tables: quarantine files, cached texts); its ``erased_at``."""
    erased_at = time.time()
    with write_lock(store), store.engine.begin() as connection:
        record_erasure(connection, subject_of(user_id, secret), erased_at)
    return erased_at


def names_user(entry: dict[str, Any], user_id: str) -> bool:
    """Whether a quarantine entry is about ``user_id``: its record's ``user_id`` (or, for a
    line that did not parse, any field of the raw text) is that id."""
    record = entry.get("record")
    if entry.get("field") == "user_id" and str(entry.get("value", "")).strip() == user_id:
        return True
    if isinstance(record, dict):
        value = record.get("user_id")
        if value is None:
            return False
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        return text.strip() == user_id
    if isinstance(record, str):
        return user_id in _TOKEN.split(record)
    return False


def _line_names_user(line: bytes, user_id: str) -> bool:
    try:
        entry = orjson.loads(line)
    except orjson.JSONDecodeError:
        # A damaged line (a crash mid-write): judge its raw text.
        return names_user({"record": line.decode("utf-8", errors="replace")}, user_id)
    return isinstance(entry, dict) and names_user(entry, user_id)


def _files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.jsonl")) if directory.is_dir() else []


def quarantined(directory: Path, user_id: str) -> list[dict[str, Any]]:
    """Every quarantine entry naming the user, with the file it is in."""
    out = []
    for path in _files(directory):
        with path.open("rb") as handle:
            for line in handle:
                if line.strip() and _line_names_user(line, user_id):
                    try:
                        entry = orjson.loads(line)
                    except orjson.JSONDecodeError:
                        entry = {"record": line.decode("utf-8", errors="replace")}
                    out.append({"file": path.name, **entry})
    return out


def _rewrite(path: Path, lines: list[bytes]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.writelines(lines)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def scrub_quarantine(directory: Path, user_id: str) -> int:
    """Remove every quarantine entry naming the user; returns how many were removed."""
    removed = 0
    with quarantine_lock:
        for path in _files(directory):
            with path.open("rb") as handle:
                lines = handle.readlines()
            kept = [
                line for line in lines if not line.strip() or not _line_names_user(line, user_id)
            ]
            if len(kept) == len(lines):
                continue
            removed += len(lines) - len(kept)
            if any(line.strip() for line in kept):
                _rewrite(path, kept)
            else:
                path.unlink()
    return removed
