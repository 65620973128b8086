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
from recmind.data.bulk import SQLITE_CACHE_KIB
from recmind.data.import_write import EVENT_KEY, EVENT_STORE_COLUMNS, derive_ids
from recmind.data.online_checks import (
    MAX_LENGTH,
    NOT_AN_OBJECT,
    UNKNOWN_FIELD,
    field_problem,
    message,
)
from recmind.data.store import Store
from recmind.data.validate import ENTITY_FIELDS, WRONG_TYPE, ValidationContext, validate_events
from recmind.data.write_lock import write_lock

EVENT_FIELDS = frozenset(ENTITY_FIELDS["events"])
NUMERIC_FIELDS = frozenset({"timestamp", "value"})
EXACT_FLOAT_INT = 2**53
_SHORT = min(MAX_LENGTH.values())
"""Text up to this length fits every event column."""
ROWS_PER_STATEMENT = 500
"""Rows per multi-row INSERT on SQLite (7 columns: well under its 32,766 parameters)."""
PG_ARRAY_TYPES = {"timestamp": "float8[]", "value": "float8[]", "created_at": "float8[]"}
"""PostgreSQL array types of the numeric columns written by ``unnest`` (the rest: text[])."""


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
    row_users: list[str | None] = field(default_factory=list)
    """Per row: its user id as stored (None for rejected rows)."""
    created_user_ids: list[str] = field(default_factory=list)
    """Users this batch created."""


def _reject(index: int, name: str | None, value: Any, reason: str, record: Any) -> Rejection:
    return Rejection(index, name, value, reason, message(reason, name), record)


def _precheck(index: int, record: Any) -> Rejection | None:
    """Problems the importer cannot meet: not an object, unknown fields, unstorable text."""
    if not isinstance(record, dict):
        return _reject(index, None, record, NOT_AN_OBJECT, record)
    for name, value in record.items():
        if name not in EVENT_FIELDS:
            return _reject(index, str(name), value, UNKNOWN_FIELD, record)
        if type(value) is str and value.isascii() and "\x00" not in value:
            if len(value) <= _SHORT:  # the usual case, decided without the general check
                continue
        elif type(value) is float or value is None:
            continue
        if isinstance(value, dict | list):
            return _reject(index, name, value, WRONG_TYPE, record)
        problem = field_problem(name, value)
        if problem is not None:
            return _reject(index, name, value, problem, record)
    return None


def _numbers(values: list[Any]) -> pd.Series | None:
    """A float column when every value is a JSON number (exact below 2**53), else None."""
    if all(v is None or (type(v) in (int, float) and abs(v) < EXACT_FLOAT_INT) for v in values):
        return pd.Series([np.nan if v is None else v for v in values], dtype="float64")
    return None


def _frame(records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Object columns, so big integer ids keep every digit; numeric fields whose values are
    all numbers as floats (the validators' fast path, with the same result)."""
    names = [n for n in ENTITY_FIELDS["events"] if any(n in r for r in records)]
    columns: dict[str, pd.Series] = {}
    for name in names:
        values = [r.get(name) for r in records]
        numeric = _numbers(values) if name in NUMERIC_FIELDS else None
        columns[name] = numeric if numeric is not None else pd.Series(values, dtype=object)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(records)))


def _known_items(store: Store, frame: pd.DataFrame) -> pd.Index:
    """The items of the batch that are in the catalogue (asked of the store, not a cache:
    an item created or deleted by another process a moment ago counts as it is now)."""
    if "item_id" not in frame.columns:
        return pd.Index([], dtype=object)
    wanted = sorted(set(fields.text(frame["item_id"]).values.dropna().tolist()))
    found: list[str] = []
    with store.raw_connection() as connection:
        cursor = connection.cursor()
        if store.dialect == "postgresql":  # one array: the same SQL text for every batch
            cursor.execute("SELECT item_id FROM items WHERE item_id = ANY(%s::text[])", [wanted])
            found = [row[0] for row in cursor.fetchall()]
        else:
            for start in range(0, len(wanted), ROWS_PER_STATEMENT):
                chunk = wanted[start : start + ROWS_PER_STATEMENT]
                marks = ", ".join(_marks(store, len(chunk)))
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
    if store.dialect == "postgresql":
        return _insert_returning_arrays(cursor, table, columns, rows)
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


def _insert_returning_arrays(
    cursor: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> list[Any]:
    """PostgreSQL: every column as one array, turned back into rows by ``unnest``.

    The SQL text is the same whatever the number of rows, so the driver parses it once and
    the server prepares it, where a multi-row ``VALUES`` list of a new length (thousands of
    placeholders) was parsed again for every group: most of the server's CPU per batch.
    """
    if not rows:
        return []
    names = ", ".join(f'"{c}"' for c in columns)
    arrays = ", ".join(f"%s::{PG_ARRAY_TYPES.get(c, 'text[]')}" for c in columns)
    sql = (
        f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) "
        f'ON CONFLICT DO NOTHING RETURNING "{columns[0]}"'
    )
    params = []
    for name, values in zip(columns, zip(*rows, strict=True), strict=True):
        if name in PG_ARRAY_TYPES:  # one element type per array: ints become floats
            params.append([None if v is None else float(v) for v in values])
        else:
            params.append(list(values))
    cursor.execute(sql, params)
    return [row[0] for row in cursor.fetchall()]


@dataclass
class PreparedEvents:
    """A validated batch, ready to be written (in a transaction of its own or shared)."""

    outcome: EventsOutcome
    origin: list[int] = field(default_factory=list)
    """Input index of every valid row."""
    ids: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    """The rows to insert (the batch's own repeats removed)."""
    first_seen: dict[str, float] = field(default_factory=dict)
    """Earliest event time of each user of ``rows``."""


def prepare_events(
    store: Store, records: Sequence[Any], settings: Settings, *, now: float | None = None
) -> PreparedEvents:
    """Validate a batch (reads the catalogue, writes nothing): the rejected rows and the
    rows to insert."""
    outcome = EventsOutcome(
        received=len(records), event_ids=[None] * len(records), row_users=[None] * len(records)
    )
    prepared = PreparedEvents(outcome)
    good: list[int] = []
    for index, record in enumerate(records):
        problem = _precheck(index, record)
        if problem is None:
            good.append(index)
        else:
            outcome.rejected.append(problem)
    if not good:
        return prepared
    frame = _frame([records[i] for i in good])
    ctx = ValidationContext.from_settings(settings, known_items=_known_items(store, frame), now=now)
    validated = validate_events(frame, ctx)
    for position, name, reason in validated.rejected.itertuples(index=False, name=None):
        index = good[int(position)]
        record = records[index]
        outcome.rejected.append(_reject(index, name, record.get(name), reason, record))
    outcome.rejected.sort(key=lambda r: r.index)
    rejected_positions = set(validated.rejected["position"].tolist())
    clean = validated.clean
    if clean.empty:
        return prepared
    prepared.origin = [good[p] for p in range(len(good)) if p not in rejected_positions]
    missing = clean["event_id"].isna().to_numpy()
    if missing.any():
        clean = clean.copy()
        clean["event_id"] = clean["event_id"].astype(object)
        clean.loc[missing, "event_id"] = derive_ids(clean.loc[missing], (*EVENT_KEY, "query"))
    prepared.ids = [str(v) for v in clean["event_id"]]
    prepared.users = [str(u) for u in clean["user_id"]]
    for index, event_id, user in zip(prepared.origin, prepared.ids, prepared.users, strict=True):
        outcome.event_ids[index] = event_id
        outcome.row_users[index] = user
    # Within the batch: the first row of an id wins, and so does the first of two rows that
    # are the same event under different ids (the importer's rule).
    first = ~clean["event_id"].duplicated().to_numpy()
    same_event = clean.duplicated(list(EVENT_KEY)).to_numpy() & clean["item_id"].notna().to_numpy()
    batch = clean.loc[first & ~same_event]
    prepared.rows = list(
        zip(*(_python(batch[c].to_numpy()) for c in EVENT_STORE_COLUMNS), strict=True)
    )
    earliest = batch.groupby("user_id", sort=False)["timestamp"].min()
    prepared.first_seen = dict(zip(map(str, earliest.index), map(float, earliest), strict=True))
    return prepared


def write_prepared(store: Store, batches: Sequence[PreparedEvents]) -> None:
    """Insert prepared batches in one transaction, in order, and complete their outcomes:
    a row already stored, or repeating a row of an earlier batch, is a duplicate."""
    rows = [row for batch in batches for row in batch.rows]
    first_seen: dict[str, float] = {}
    for batch in batches:
        for user, when in batch.first_seen.items():
            first_seen[user] = min(when, first_seen.get(user, when))
    if rows:
        with write_lock(store), store.raw_connection() as connection:
            cursor = connection.cursor()
            if store.dialect == "sqlite":
                # Event ids are random: inserts touch index pages all over the B-trees;
                # a big page cache and rarer checkpoints keep them from being re-read and
                # re-copied on every commit.
                cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
                cursor.execute("PRAGMA wal_autocheckpoint=10000")
            users = list(first_seen.items())
            created = set(
                _insert_returning(cursor, store, "users", ("user_id", "created_at"), users)
            )
            inserted = set(_insert_returning(cursor, store, "events", EVENT_STORE_COLUMNS, rows))
            cursor.close()
    else:
        created, inserted = set(), set()
    claimed: set[str] = set()
    for batch in batches:
        outcome = batch.outcome
        outcome.created_user_ids = [u for u in batch.first_seen if u in created]
        created -= set(outcome.created_user_ids)
        outcome.users_created = len(outcome.created_user_ids)
        stored_users: dict[str, None] = {}
        for index, event_id, user in zip(batch.origin, batch.ids, batch.users, strict=True):
            if event_id in inserted and event_id not in claimed:
                claimed.add(event_id)
                outcome.accepted.append(index)
                stored_users[user] = None
            else:
                outcome.duplicates.append(index)
        outcome.user_ids = list(stored_users)


def ingest_events(
    store: Store, records: Sequence[Any], settings: Settings, *, now: float | None = None
) -> EventsOutcome:
    """Validate and store a batch of event objects in one transaction; see the module
    docstring."""
    prepared = prepare_events(store, records, settings, now=now)
    write_prepared(store, [prepared])
    return prepared.outcome
