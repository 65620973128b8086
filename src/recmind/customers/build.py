"""Materialise customer features in the store: a full build, and the batch loop that the
incremental refresh (:mod:`recmind.customers.refresh`) shares.

Users are read from the store in batches (a few thousand ids each); each batch's features are
computed with a handful of SQL aggregates over its users' events and written in its own
transaction, under the store's write lock, replacing those users' rows. An interrupted build
leaves every row whole (either the earlier computation or this one); running the build or a
refresh again completes it. A full build finally removes the rows of users who are not
customers at ``as_of`` (or no longer exist). One build at a time per store.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, exists, func, select

from recmind.customers.features import (
    FEATURE_COLUMNS,
    PERSON_COLUMNS,
    compute_features,
    end_session,
    prepare_session,
)
from recmind.data.bulk import BulkWriter
from recmind.data.schema import customer_features, users
from recmind.data.store import Store
from recmind.data.write_lock import write_lock

Progress = Callable[[str, int, int | None], None]
"""``(label, done, total)``: the CLI draws it as a bar (``recmind.cli.progress``)."""
BATCH_USERS = 5_000
LABEL = "customer features"


@dataclass(frozen=True)
class FeatureBuild:
    """What a build or refresh did: ``mode`` ``full`` or ``incremental``; ``computed``:
    customers whose rows were computed from their events; ``shifted``: rows only moved to
    the new ``as_of`` (no event entered or left a window); ``removed``: rows deleted."""

    mode: str
    as_of: float
    computed_at: float
    computed: int
    shifted: int
    removed: int
    customers: int
    seconds: float


def _no_progress(label: str, done: int, total: int | None) -> None:
    return None


def _chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def people_rows(connection: Connection, user_ids: Sequence[str] | None = None) -> list[Any]:
    """Users' ``PERSON_COLUMNS`` (all users, in id order, when ``user_ids`` is None)."""
    query = select(*(users.c[name] for name in PERSON_COLUMNS)).order_by(users.c.user_id)
    if user_ids is None:
        return [dict(row) for row in connection.execute(query).mappings()]
    found: list[Any] = []
    for chunk in _chunks(user_ids, BATCH_USERS):
        rows = connection.execute(query.where(users.c.user_id.in_(chunk))).mappings()
        found.extend(dict(row) for row in rows)
    return found


def write_features(store: Store, rows: Sequence[Mapping[str, Any]], computed_at: float) -> int:
    """Replace the feature rows of ``rows``' users in one transaction, under the write
    lock; a user erased meanwhile keeps no row (PostgreSQL: their users rows are locked
    first, so an erasure waits for this write and then deletes it; SQLite: one writer at a
    time, and rows without a user are deleted before the commit). Returns rows kept."""
    if not rows:
        return 0
    user_ids = [str(row["user_id"]) for row in rows]
    with write_lock(store), store.engine.begin() as connection:
        if store.dialect == "postgresql":
            alive = set(
                connection.execute(
                    select(users.c.user_id)
                    .where(users.c.user_id.in_(user_ids))
                    .with_for_update(read=True)
                ).scalars()
            )
            rows = [row for row in rows if row["user_id"] in alive]
        values = [
            tuple(computed_at if c == "computed_at" else row[c] for c in FEATURE_COLUMNS)
            for row in rows
        ]
        writer = BulkWriter(connection.connection.dbapi_connection, store.dialect)
        writer.upsert(customer_features.name, "user_id", FEATURE_COLUMNS, values)
        orphans = connection.execute(
            delete(customer_features).where(
                customer_features.c.user_id.in_(user_ids),
                ~exists().where(users.c.user_id == customer_features.c.user_id),
            )
        )
    return len(values) - int(orphans.rowcount)


class _Readers:
    """One reading connection per worker thread, each with its own session tables."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.local = threading.local()
        self.opened: list[Connection] = []
        self.guard = threading.Lock()

    def get(self) -> tuple[Connection, list[str]]:
        found: tuple[Connection, list[str]] | None = getattr(self.local, "reader", None)
        if found is None:
            connection = self.store.engine.connect()
            with self.guard:
                self.opened.append(connection)
            names = prepare_session(connection)
            connection.commit()
            found = self.local.reader = (connection, names)
        return found

    def close(self) -> None:
        for connection in self.opened:
            try:
                connection.rollback()
                end_session(connection)
                connection.commit()
            finally:
                connection.close()


def default_workers(store: Store) -> int:
    """Batches computed at a time: 2 on PostgreSQL (the server's processes do the work
    while this one waits), 1 on SQLite (its library in this process serialises
    concurrent queries: two threads measured slower than one after the other)."""
    return 2 if store.dialect == "postgresql" else 1


def compute_and_write(
    store: Store,
    batches: Iterable[Sequence[Mapping[str, Any]]],
    *,
    as_of: float,
    computed_at: float,
    progress: Progress,
    total: int,
    workers: int | None = None,
) -> int:
    """Compute and write the features of each batch of people, ``workers`` batches at a
    time (threads; default :func:`default_workers`; writes take turns under the write
    lock); returns rows written."""
    readers = _Readers(store)

    def work(batch: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
        reader, names = readers.get()
        try:
            rows = compute_features(reader, batch, as_of, names)
        finally:
            reader.commit()  # no read snapshot held while writing
        return write_features(store, rows, computed_at), len(batch)

    written = done = 0
    progress(LABEL, 0, total)
    threads = default_workers(store) if workers is None else max(1, workers)
    pool = ThreadPoolExecutor(threads, thread_name_prefix="customer-features")
    try:
        for kept, size in pool.map(work, batches):
            written, done = written + kept, done + size
            progress(LABEL, done, total)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        readers.close()
    return written


def remove_stale(store: Store, computed_at: float) -> int:
    """Delete rows this build did not write (users who are not customers at its
    ``as_of``, or gone)."""
    with write_lock(store), store.engine.begin() as connection:
        removed = connection.execute(
            delete(customer_features).where(customer_features.c.computed_at != computed_at)
        )
    return int(removed.rowcount)


def count_rows(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).select_from(customer_features)).scalar_one()
        )


def build_features(
    store: Store,
    as_of: float | None = None,
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_USERS,
    workers: int | None = None,
) -> FeatureBuild:
    """Compute every customer's features as of ``as_of`` (default: now) and replace the
    ``customer_features`` table's contents with them (``workers`` batches at a time)."""
    started = time.perf_counter()
    computed_at = time.time()
    as_of = computed_at if as_of is None else float(as_of)
    with store.engine.connect() as connection:
        people = people_rows(connection)
    written = compute_and_write(
        store,
        _chunks(people, batch_size),
        as_of=as_of,
        computed_at=computed_at,
        progress=progress or _no_progress,
        total=len(people),
        workers=workers,
    )
    removed = remove_stale(store, computed_at)
    return FeatureBuild(
        mode="full",
        as_of=as_of,
        computed_at=computed_at,
        computed=written,
        shifted=0,
        removed=removed,
        customers=count_rows(store),
        seconds=time.perf_counter() - started,
    )
