"""Incremental refresh of customer features from the event stream.

Moving the features from the previous moment ``since`` (by default the oldest ``as_of`` in
``customer_features``) to a later ``as_of`` changes a customer's row only if

- an event of theirs arrived in ``[since, as_of)`` (it enters every window and the totals), or
- an event of theirs leaves a window: it lies in ``[since - N days, as_of - N days)`` for a
  window of N = 7, 30 or 90 days, or
- they have no row yet (a new users row, or one not a customer before);

those customers are recomputed from their events exactly as a full build would. Every other
row only moves to the new ``as_of``: its ``tenure_days`` and ``recency_days`` are recounted
from the stored moments and ``consent_email`` is read again from ``users``, in one SQL
``UPDATE``. Rows of users that no longer exist are deleted. The result equals a full build at
``as_of`` (tests check it), with two limits: events written late with timestamps before
``since`` (a backfill import) and changed ``users.timezone`` values are seen only by a full
build (``recmind customers build --full``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import Connection, and_, delete, exists, func, or_, select, update

from recmind.customers.build import (
    BATCH_USERS,
    FeatureBuild,
    Progress,
    build_features,
    compute_and_write,
    count_rows,
    people_rows,
)
from recmind.customers.sql import DAY, WINDOWS
from recmind.data.schema import customer_features, events, users
from recmind.data.store import Store
from recmind.data.write_lock import write_lock


def previous_as_of(store: Store) -> float | None:
    """The oldest ``as_of`` among the stored features (None when there are none)."""
    with store.engine.connect() as connection:
        found = connection.execute(select(func.min(customer_features.c.as_of))).scalar()
    return None if found is None else float(found)


def changed_users(connection: Connection, since: float, as_of: float) -> list[str]:
    """Users whose features may differ between ``since`` and ``as_of`` (see the module)."""
    ts = events.c.timestamp
    ranges = [and_(ts >= since, ts < as_of)]
    ranges += [and_(ts >= since - n * DAY, ts < as_of - n * DAY) for n in WINDOWS]
    touched = select(events.c.user_id).where(or_(*ranges))
    missing = select(users.c.user_id).where(
        ~exists().where(customer_features.c.user_id == users.c.user_id)
    )
    query = touched.union(missing)
    return sorted(str(user) for user in connection.execute(query).scalars())


def shift_rows(store: Store, as_of: float, computed_at: float) -> tuple[int, int]:
    """Move every row not computed at ``as_of`` to it (recency, tenure, consent), and delete
    the rows of users that no longer exist; returns (shifted, removed)."""
    consent = (
        select(users.c.consent_email)
        .where(users.c.user_id == customer_features.c.user_id)
        .scalar_subquery()
    )
    with write_lock(store), store.engine.begin() as connection:
        removed = connection.execute(
            delete(customer_features).where(
                ~exists().where(users.c.user_id == customer_features.c.user_id)
            )
        )
        shifted = connection.execute(
            update(customer_features)
            .where(customer_features.c.as_of != as_of)
            .values(
                as_of=as_of,
                computed_at=computed_at,
                tenure_days=(as_of - customer_features.c.first_event_at) / DAY,
                recency_days=(as_of - customer_features.c.last_purchase_at) / DAY,
                consent_email=consent,
            )
        )
    return int(shifted.rowcount), int(removed.rowcount)


def _batches(people: list[dict[str, object]], size: int) -> list[Sequence[dict[str, object]]]:
    return [people[start : start + size] for start in range(0, len(people), size)]


def refresh_features(
    store: Store,
    *,
    since: float | None = None,
    as_of: float | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_USERS,
    workers: int = 1,
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
        people = people_rows(connection, changed_users(connection, since, as_of))
    computed = compute_and_write(
        store,
        _batches(people, batch_size),
        as_of=as_of,
        computed_at=computed_at,
        progress=progress or (lambda label, done, total: None),
        total=len(people),
        workers=workers,
    )
    shifted, removed = shift_rows(store, as_of, computed_at)
    return FeatureBuild(
        mode="incremental",
        as_of=as_of,
        computed_at=computed_at,
        computed=computed,
        shifted=shifted,
        removed=removed,
        customers=count_rows(store),
        seconds=time.perf_counter() - started,
    )
