"""Tombstones: the durable record of erased people, without the people.

Erasing a user writes one row, in the same transaction as the deletion: the HMAC-SHA256 of
their id under the server secret (the *subject*) and ``erased_at``. Any component holding
the secret can ask "is this id erased, and since when?" while a search of the database for
the id finds nothing.

What counts as the erased person's history: every row of theirs dated at or before
``erased_at`` (which is the later of the erasure's clock time and their newest erased
row's timestamp, so all they had qualifies). An id that reappears afterwards with newer
events is a new person: those events may be used, the old ones never again (a re-import of
the original file brings them back into the store, but training, serving and every
artefact still leave them out).

Rotating the server secret orphans the tombstones (as it orphans API keys): the ids they
stand for can no longer be recognised.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from recmind.data.bundle import DataBundle
from recmind.data.schema import tombstones
from recmind.data.store import Store


def subject_of(user_id: str, secret: str) -> str:
    """The keyed hash that stands for ``user_id`` (HMAC-SHA256 hex under ``secret``)."""
    return hmac.new(secret.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()


def record_erasure(connection: Connection, subject: str, erased_at: float) -> None:
    """Write (or move forward) the tombstone of ``subject`` inside the caller's
    transaction, so it commits or rolls back with the deletion it records."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(tombstones).values(subject=subject, erased_at=erased_at)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[tombstones.c.subject],
            set_={"erased_at": statement.excluded.erased_at},
        )
    )


def erased_at(store: Store, user_id: str, secret: str) -> float | None:
    """When ``user_id`` was erased (None: never). One primary-key lookup on a pooled DB-API
    connection (the serving engine asks on every request for a person)."""
    mark = "?" if store.engine.dialect.paramstyle == "qmark" else "%s"
    connection = store.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(
            f"SELECT erased_at FROM tombstones WHERE subject = {mark}",
            (subject_of(user_id, secret),),
        )
        found = cursor.fetchone()
        cursor.close()
        connection.rollback()
    finally:
        connection.close()
    return None if found is None else float(found[0])


@dataclass(frozen=True)
class Erasures:
    """Every tombstone, read once: answers "erased, since when?" for many ids at a time."""

    secret: str
    by_subject: dict[str, float]

    def __len__(self) -> int:
        return len(self.by_subject)

    def erased_at(self, user_id: str) -> float | None:
        """When ``user_id`` was erased (None: never)."""
        if not self.by_subject:
            return None
        return self.by_subject.get(subject_of(user_id, self.secret))

    def limits(self, user_ids: Sequence[object] | np.ndarray) -> np.ndarray:
        """Per id, its erasure time (NaN where the id was never erased)."""
        out = np.full(len(user_ids), np.nan)
        if not self.by_subject:
            return out
        for n, user_id in enumerate(user_ids):
            found = self.by_subject.get(subject_of(str(user_id), self.secret))
            if found is not None:
                out[n] = found
        return out

    def held(self, user_ids: Sequence[object] | np.ndarray, timestamps: np.ndarray) -> np.ndarray:
        """Per row (``user_ids[n]`` with ``timestamps[n]``), whether it belongs to an erased
        person's history: their id is tombstoned and the row is dated at or before the
        erasure (or not dated at all). One keyed hash per distinct id."""
        if not self.by_subject or len(user_ids) == 0:
            return np.zeros(len(user_ids), dtype=bool)
        codes, unique = pd.factorize(pd.Series(np.asarray(user_ids, dtype=object)).astype(str))
        return self.held_by_index(self.limits(unique.to_numpy()), codes, timestamps)

    @staticmethod
    def held_by_index(limits: np.ndarray, index: np.ndarray, timestamps: np.ndarray) -> np.ndarray:
        """:meth:`held` for rows given as indices into per-id ``limits`` (from
        :meth:`limits`)."""
        limit = np.asarray(limits, dtype=np.float64)[np.asarray(index)]
        times = np.asarray(timestamps, dtype=np.float64)
        held: np.ndarray = ~np.isnan(limit) & ~(times > limit)
        return held


def load_erasures(store: Store, secret: str) -> Erasures:
    """Every tombstone in ``store``."""
    with store.engine.connect() as connection:
        rows = connection.execute(select(tombstones.c.subject, tombstones.c.erased_at)).all()
    return Erasures(secret, {str(s): float(t) for s, t in rows})


def _keep(frame: pd.DataFrame, time_column: str, erasures: Erasures) -> pd.DataFrame:
    if frame.empty or "user_id" not in frame.columns:
        return frame
    times = pd.to_numeric(frame[time_column], errors="coerce").to_numpy(dtype=np.float64)
    held = erasures.held(frame["user_id"].to_numpy(dtype=object), times)
    return frame.loc[~held].reset_index(drop=True) if held.any() else frame


def without_erased(bundle: DataBundle, erasures: Erasures) -> tuple[DataBundle, int]:
    """``bundle`` without any erased person's history (events, reviews and user rows dated
    at or before their erasure); the number of rows left out."""
    if not len(erasures):
        return bundle, 0
    kept = replace(
        bundle,
        events=_keep(bundle.events, "timestamp", erasures),
        reviews=_keep(bundle.reviews, "timestamp", erasures),
        users=_keep(bundle.users, "created_at", erasures),
    )
    dropped = sum(
        len(before) - len(after)
        for before, after in (
            (bundle.events, kept.events),
            (bundle.reviews, kept.reviews),
            (bundle.users, kept.users),
        )
    )
    return kept, dropped


def subjects(user_ids: Iterable[str], secret: str) -> set[str]:
    """The subjects of several ids."""
    return {subject_of(u, secret) for u in user_ids}
