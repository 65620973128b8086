"""Incremental refresh of customer features from the event stream.

Moving the features from the previous moment ``since`` (by default the oldest ``as_of`` in
``customer_features``) to a later ``as_of``:

- customers with an event in ``[since, as_of)`` (it enters the totals, the windows, the
  category shares and the activity hours; events stamped up to 15 minutes before ``since``
  count too, for events stored a little after their moment), customers without a row (new
  users rows, or not customers before) and rows stored at another moment than ``since``
  (an interrupted run) are recomputed from their events exactly as a full build would;
- every other row is moved in one transaction: its window counts lose the events leaving
  each window (those in ``[since - N days, as_of - N days)`` for N = 7, 30, 90, counted in
  SQL), ``tenure_days`` and ``recency_days`` are recounted from the stored moments,
  ``consent_email`` is read again from ``users``; nothing else of theirs can have changed.

Rows of users that no longer exist are deleted. The time ranges are written so that an index
on ``events (event_type, timestamp, ...)`` serves them (the one the segment counts propose
for migration 0005): with it a refresh after a few new events reads a few index pages plus
those customers' histories; without it, each range query reads the events table once.

The result equals a full build at ``as_of`` (tests check it), with two limits: events stored
more than 15 minutes after their timestamp when a refresh ran in between (a backfill
import), and changed ``users.timezone`` values, are seen only by a full build
(``recmind customers build --full``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, exists, func, or_, select, update

from recmind.customers.build import (
    BATCH_USERS,
    FeatureBuild,
    Progress,
    build_features,
    compute_and_write,
    count_rows,
    people_rows,
)
from recmind.customers.sql import CART, DAY, PURCHASE, VIEW, WINDOWS, between, count_if, of_type
from recmind.data.schema import customer_features, events, users
from recmind.data.store import Store
from recmind.data.write_lock import write_lock

_KINDS = {"views": VIEW, "carts": CART, "purchases": PURCHASE}
WINDOW_COLUMNS = tuple(f"{name}_{n}d" for n in WINDOWS for name in (*_KINDS, "events"))
LATE_SECONDS = 15 * 60.0
"""Customers with events stamped up to this long before ``since`` are recomputed too: an
event stamped just before the previous refresh but stored just after it is not missed."""


def previous_as_of(store: Store) -> float | None:
    """The oldest ``as_of`` among the stored features (None when there are none)."""
    with store.engine.connect() as connection:
        found = connection.execute(select(func.min(customer_features.c.as_of))).scalar()
    return None if found is None else float(found)


def users_to_recompute(connection: Connection, since: float, as_of: float) -> list[str]:
    """Users with events in ``[since - LATE_SECONDS, as_of)``, users without a row, and rows
    stored at another moment than ``since``."""
    entering = select(events.c.user_id).where(between(since - LATE_SECONDS, as_of))
    missing = select(users.c.user_id).where(
        ~exists().where(customer_features.c.user_id == users.c.user_id)
    )
    elsewhen = select(customer_features.c.user_id).where(customer_features.c.as_of != since)
    query = entering.union(missing, elsewhen)
    return sorted(str(user) for user in connection.execute(query).scalars())


def leaving_counts(connection: Connection, since: float, as_of: float) -> dict[str, dict[str, int]]:
    """Per user, the events that leave each window between ``since`` and ``as_of``, by
    window column (``views_7d``...)."""
    ranges = {n: between(since - n * DAY, as_of - n * DAY) for n in WINDOWS}
    columns = []
    for n in WINDOWS:
        for name, kind in _KINDS.items():
            columns.append(count_if(ranges[n] & of_type(kind)).label(f"{name}_{n}d"))
        columns.append(count_if(ranges[n]).label(f"events_{n}d"))
    query = (
        select(events.c.user_id, *columns).where(or_(*ranges.values())).group_by(events.c.user_id)
    )
    found = {}
    for row in connection.execute(query).mappings():
        counts = {name: int(row[name]) for name in WINDOW_COLUMNS}
        if any(counts.values()):
            found[str(row["user_id"])] = counts
    return found


def move_rows(
    store: Store,
    *,
    since: float,
    as_of: float,
    computed_at: float,
    leaving: dict[str, dict[str, int]],
) -> tuple[int, int]:
    """In one transaction: delete the rows of users that no longer exist, take the leaving
    events off the windows of rows still at ``since``, and move those rows to ``as_of``
    (recency, tenure, consent). Returns (moved, removed)."""
    consent = (
        select(users.c.consent_email)
        .where(users.c.user_id == customer_features.c.user_id)
        .scalar_subquery()
    )
    at_since = customer_features.c.as_of == since
    with write_lock(store), store.engine.begin() as connection:
        removed = connection.execute(
            delete(customer_features).where(
                ~exists().where(users.c.user_id == customer_features.c.user_id)
            )
        )
        if leaving:
            decrement = (
                update(customer_features)
                .where(customer_features.c.user_id == bindparam("who"), at_since)
                .values({c: customer_features.c[c] - bindparam(f"d_{c}") for c in WINDOW_COLUMNS})
            )
            rows: list[dict[str, Any]] = [
                {"who": user, **{f"d_{c}": n for c, n in counts.items()}}
                for user, counts in leaving.items()
            ]
            connection.execute(decrement, rows)
        moved = connection.execute(
            update(customer_features)
            .where(at_since)
            .values(
                as_of=as_of,
                computed_at=computed_at,
                tenure_days=(as_of - customer_features.c.first_event_at) / DAY,
                recency_days=(as_of - customer_features.c.last_purchase_at) / DAY,
                consent_email=consent,
            )
        )
    return int(moved.rowcount), int(removed.rowcount)


def _batches(people: list[dict[str, object]], size: int) -> list[Sequence[dict[str, object]]]:
    return [people[start : start + size] for start in range(0, len(people), size)]


def refresh_features(
    store: Store,
    *,
    since: float | None = None,
    as_of: float | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_USERS,
    workers: int | None = None,
) -> FeatureBuild:
    """Bring ``customer_features`` from ``since`` (default: the stored ``as_of``) to
    ``as_of`` (default: now), recomputing only the customers whose rows can differ. With
    no stored features this is a full build. Raises ``ValueError`` when ``as_of`` is before
    ``since`` (moving back in time needs a full build)."""
    started = time.perf_counter()
    computed_at = time.time()
    as_of = computed_at if as_of is None else float(as_of)
    since = previous_as_of(store) if since is None else float(since)
    if since is None:
        return build_features(
            store, as_of, progress=progress, batch_size=batch_size, workers=workers
        )
    if as_of < since:
        raise ValueError(
            f"as_of {as_of} is before the stored features' as_of {since}: "
            "run a full build to go back in time"
        )
    with store.engine.connect() as connection:
        recompute = users_to_recompute(connection, since, as_of)
        people = people_rows(connection, recompute)
        skip = set(recompute)
        leaving = {
            user: counts
            for user, counts in leaving_counts(connection, since, as_of).items()
            if user not in skip
        }
    computed = compute_and_write(
        store,
        _batches(people, batch_size),
        as_of=as_of,
        computed_at=computed_at,
        progress=progress or (lambda label, done, total: None),
        total=len(people),
        workers=workers,
    )
    moved, removed = move_rows(
        store, since=since, as_of=as_of, computed_at=computed_at, leaving=leaving
    )
    return FeatureBuild(
        mode="incremental",
        as_of=as_of,
        computed_at=computed_at,
        computed=computed,
        shifted=moved,
        removed=removed,
        customers=count_rows(store),
        seconds=time.perf_counter() - started,
    )
