"""Online ingestion of behaviour events: a verdict per row, one transaction per batch.

The rows go through the importer's validation (:func:`recmind.data.validate.validate_events`)
and id derivation (:func:`recmind.data.import_write.derive_ids`), so an event posted to the
API and the same event imported from a file are the same event, with the same id. Rows are
inserted with ``ON CONFLICT DO NOTHING RETURNING event_id``: the store itself says which rows
are new and which it already held, so the per-row result is exact even when two clients send
the same event at once. The function returns only after the transaction has committed
(SQLite: WAL with ``synchronous=FULL``; PostgreSQL: a synchronous commit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from recmind.config import Settings
from recmind.data import validate_fields as fields
from recmind.data.import_write import EVENT_KEY, EVENT_STORE_COLUMNS, derive_ids
from recmind.data.online_checks import NOT_AN_OBJECT, UNKNOWN_FIELD, field_problem, message
from recmind.data.store import Store
from recmind.data.validate import ENTITY_FIELDS, WRONG_TYPE, ValidationContext, validate_events
from recmind.data.write_lock import write_lock

EVENT_FIELDS = frozenset(ENTITY_FIELDS["events"])
ROWS_PER_STATEMENT = 500
"""Rows per multi-row INSERT (7 columns: well under SQLite's 32,766 parameters)."""


@dataclass(frozen=True)
class Rejection:
    """One rejected row: 0-based ``index`` in the batch, the field, its value, the reason."""

    index: int
    field: str | None
    value: Any
    reason: str
    message: str
    record: Any


@dataclass
class EventsOutcome:
    """What happened to every row of one batch."""

    received: int
    event_ids: list[str | None]
    accepted: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    users_created: int = 0
    user_ids: list[str] = field(default_factory=list)
    """Users with at least one newly stored event (for the serving engine's hook)."""


def _reject(index: int, name: str | None, value: Any, reason: str, record: Any) -> Rejection:
    return Rejection(index, name, value, reason, message(reason, name), record)


def _precheck(index: int, record: Any) -> Rejection | None:
    """Problems the importer cannot meet: not an object, unknown fields, unstorable text."""
    if not isinstance(record, dict):
        return _reject(index, None, record, NOT_AN_OBJECT, record)
    for name, value in record.items():
        if name not in EVENT_FIELDS:
            return _reject(index, str(name), value, UNKNOWN_FIELD, record)
        if isinstance(value, dict | list):
            return _reject(index, name, value, WRONG_TYPE, record)
        problem = field_problem(name, value)
        if problem is not None:
            return _reject(index, name, value, problem, record)
    return None


def _frame(records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Object columns, so big integer ids keep every digit."""
    names = [n for n in ENTITY_FIELDS["events"] if any(n in r for r in records)]
    return pd.DataFrame(
        {n: pd.Series([r.get(n) for r in records], dtype=object) for n in names},
        index=pd.RangeIndex(len(records)),
    )


def _known_items(store: Store, frame: pd.DataFrame) -> pd.Index:
    """The items of the batch that are in the catalogue (asked of the store, not a cache:
    an item created or deleted by another process a moment ago counts as it is now)."""
    if "item_id" not in frame.columns:
        return pd.Index([], dtype=object)
    wanted = sorted(set(fields.text(frame["item_id"]).values.dropna().tolist()))
    found: list[str] = []
    for start in range(0, len(wanted), ROWS_PER_STATEMENT):
        chunk = wanted[start : start + ROWS_PER_STATEMENT]
        marks = ", ".join(_marks(store, len(chunk)))
        with store.raw_connection() as connection:
            cursor = connection.cursor()
            cursor.execute(f"SELECT item_id FROM items WHERE item_id IN ({marks})", chunk)
            found += [row[0] for row in cursor.fetchall()]
            cursor.close()
    return pd.Index(found, dtype=object)


def _marks(store: Store, n: int) -> list[str]:
    return ["?" if store.dialect == "sqlite" else "%s"] * n


def _python(values: np.ndarray | pd.Series) -> list[Any]:
    cells = np.asarray(values, dtype=object).copy()
    cells[pd.isna(cells)] = None
    return [None if v is None else (float(v) if isinstance(v, np.floating) else v) for v in cells]


def _insert_returning(
    cursor: Any, store: Store, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> list[Any]:
    """Insert rows, skipping conflicts; the first column of every row actually inserted."""
    names = ", ".join(f'"{c}"' for c in columns)
    one = "(" + ", ".join(_marks(store, len(columns))) + ")"
    out: list[Any] = []
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        values = ", ".join([one] * len(chunk))
        sql = (
            f"INSERT INTO {table} ({names}) VALUES {values} "
            f'ON CONFLICT DO NOTHING RETURNING "{columns[0]}"'
        )
        cursor.execute(sql, [cell for row in chunk for cell in row])
        out += [row[0] for row in cursor.fetchall()]
    return out


def ingest_events(
    store: Store, records: Sequence[Any], settings: Settings, *, now: float | None = None
) -> EventsOutcome:
    """Validate and store a batch of event objects; see the module docstring."""
    outcome = EventsOutcome(received=len(records), event_ids=[None] * len(records))
    good: list[int] = []
    for index, record in enumerate(records):
        problem = _precheck(index, record)
        if problem is None:
            good.append(index)
        else:
            outcome.rejected.append(problem)
    if not good:
        return outcome
    frame = _frame([records[i] for i in good])
    ctx = ValidationContext.from_settings(settings, known_items=_known_items(store, frame), now=now)
    validated = validate_events(frame, ctx)
    for position, name, reason in validated.rejected.itertuples(index=False, name=None):
        index = good[int(position)]
        record = records[index]
        outcome.rejected.append(_reject(index, name, record.get(name), reason, record))
    outcome.rejected.sort(key=lambda r: r.index)
    rejected_positions = set(validated.rejected["position"].tolist())
    origin = [good[p] for p in range(len(good)) if p not in rejected_positions]
    clean = validated.clean
    if clean.empty:
        return outcome
    missing = clean["event_id"].isna().to_numpy()
    if missing.any():
        clean = clean.copy()
        clean["event_id"] = clean["event_id"].astype(object)
        clean.loc[missing, "event_id"] = derive_ids(clean.loc[missing], (*EVENT_KEY, "query"))
    ids = [str(v) for v in clean["event_id"]]
    for index, event_id in zip(origin, ids, strict=True):
        outcome.event_ids[index] = event_id
    # Within the batch: the first row of an id wins, and so does the first of two rows that
    # are the same event under different ids (the importer's rule).
    first = ~clean["event_id"].duplicated().to_numpy()
    same_event = clean.duplicated(list(EVENT_KEY)).to_numpy() & clean["item_id"].notna().to_numpy()
    candidate = first & ~same_event
    batch = clean.loc[candidate]
    rows = list(zip(*(_python(batch[c].to_numpy()) for c in EVENT_STORE_COLUMNS), strict=True))
    first_seen = batch.groupby("user_id", sort=False)["timestamp"].min()
    users = list(zip(first_seen.index.tolist(), _python(first_seen.to_numpy()), strict=True))
    with write_lock(store), store.raw_connection() as connection:
        cursor = connection.cursor()
        created = _insert_returning(cursor, store, "users", ("user_id", "created_at"), users)
        inserted = set(_insert_returning(cursor, store, "events", EVENT_STORE_COLUMNS, rows))
        cursor.close()
    outcome.users_created = len(created)
    claimed: set[str] = set()
    stored_users: dict[str, None] = {}
    user_of = clean["user_id"].tolist()
    for index, event_id, user in zip(origin, ids, user_of, strict=True):
        if event_id in inserted and event_id not in claimed:
            claimed.add(event_id)
            outcome.accepted.append(index)
            stored_users[str(user)] = None
        else:
            outcome.duplicates.append(index)
    outcome.user_ids = list(stored_users)
    return outcome
