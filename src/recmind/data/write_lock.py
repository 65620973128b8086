"""One writer at a time per SQLite database within a process.

SQLite admits one writer; threads that race for it spin in the busy handler, and a
transaction that read first can fail to upgrade. Taking this lock around every online
write transaction makes them queue instead. PostgreSQL needs no such lock.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, nullcontext

from recmind.data.store import Store

_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


def write_lock(store: Store) -> AbstractContextManager[object]:
    """The lock serialising writes to ``store`` (a no-op context for PostgreSQL)."""
    if store.dialect != "sqlite":
        return nullcontext()
    with _guard:
        return _locks.setdefault(store.url, threading.Lock())
