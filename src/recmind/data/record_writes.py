"""Items and users one at a time: read, create or replace, update some fields, delete.

Every write is checked by the importer's validation (:func:`recmind.data.validate.validate`)
on a one-row frame, so a value ``recmind import`` would quarantine is refused here with the
same reason (:class:`InvalidRecordError` names the field and the value).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import orjson
import pandas as pd
from sqlalchemy import Table, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from recmind.config import Settings
from recmind.data.catalog_changes import (
    diff_items,
    record_changes,
    record_delete,
    stored_values,
)
from recmind.data.online_checks import (
    MAX_BIGINT,
    TOO_LARGE,
    UNKNOWN_FIELD,
    field_problem,
    message,
)
from recmind.data.schema import items, users
from recmind.data.store import Store
from recmind.data.validate import ENTITY_FIELDS, ValidationContext, validate
from recmind.data.write_lock import write_lock

TABLE = {"items": items, "users": users}
KEY = {"items": "item_id", "users": "user_id"}


class InvalidRecordError(ValueError):
    """A record the importer's validation rejects: the field, its value and why."""

    def __init__(self, field: str | None, value: Any, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        self.message = message(reason, field)
        super().__init__(f"{field}={value!r}: {self.message}")


def _attributes(value: Any) -> dict[str, Any]:
    if isinstance(value, str | bytes) and value:
        parsed = orjson.loads(value)
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _out(entity: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row as the API shows it (attributes as an object, typed numbers)."""
    out = dict(row)
    out["attributes"] = _attributes(out.get("attributes"))
    if entity == "items":
        out["price"] = None if out["price"] is None else float(out["price"])
        out["stock"] = None if out["stock"] is None else int(out["stock"])
    else:
        out["created_at"] = None if out["created_at"] is None else float(out["created_at"])
        consent = out["consent_email"]
        out["consent_email"] = None if consent is None else bool(consent)
    return out


def get_record(store: Store, entity: str, key: str) -> dict[str, Any] | None:
    """The stored item or user, or None."""
    table = TABLE[entity]
    with store.engine.connect() as connection:
        row = connection.execute(select(table).where(table.c[KEY[entity]] == key)).first()
    return None if row is None else _out(entity, dict(row._mapping))


def list_items(store: Store, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """A page of the catalogue in item-id order, and the catalogue's size."""
    with store.engine.connect() as connection:
        total = int(connection.execute(select(func.count()).select_from(items)).scalar_one())
        rows = connection.execute(
            select(items).order_by(items.c.item_id).limit(limit).offset(offset)
        ).all()
    return [_out("items", dict(row._mapping)) for row in rows], total


def _none(value: Any) -> Any:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def check_record(
    entity: str, record: Mapping[str, Any], settings: Settings, now: float | None = None
) -> dict[str, Any]:
    """The stored form of ``record`` (every column of ``entity``); else
    :class:`InvalidRecordError`."""
    for name, value in record.items():
        if name not in ENTITY_FIELDS[entity]:
            raise InvalidRecordError(name, value, UNKNOWN_FIELD)
        problem = field_problem(name, value)
        if problem is not None:
            raise InvalidRecordError(name, value, problem)
    frame = pd.DataFrame({k: pd.Series([v], dtype=object) for k, v in record.items()})
    result = validate(entity, frame, ValidationContext.from_settings(settings, now=now))
    if not result.rejected.empty:
        name = str(result.rejected["field"].iat[0])
        raise InvalidRecordError(name, record.get(name), str(result.rejected["reason"].iat[0]))
    clean = {str(k): _none(v) for k, v in result.clean.iloc[0].to_dict().items()}
    if entity == "items" and clean["stock"] is not None:
        if abs(clean["stock"]) > MAX_BIGINT:
            raise InvalidRecordError("stock", record.get("stock"), TOO_LARGE)
        clean["stock"] = int(clean["stock"])
    attributes = clean.get("attributes")
    clean["attributes"] = (
        None
        if attributes is None
        else orjson.dumps(attributes, option=orjson.OPT_SORT_KEYS, default=str).decode()
    )
    return clean


def _upsert(store: Store, table: Table, key: str, row: dict[str, Any]) -> None:
    insert = sqlite_insert if store.dialect == "sqlite" else pg_insert
    statement = insert(table).values(**row)
    statement = statement.on_conflict_do_update(
        index_elements=[key], set_={c: statement.excluded[c] for c in row if c != key}
    )
    with write_lock(store), store.engine.begin() as connection:
        if table is items:
            # The catalogue change (created, price, stock) commits with the write.
            before = stored_values(connection, row[key])
            after = [(row[key], row["price"], row["stock"])]
            connection.execute(statement)
            record_changes(connection, diff_items(before, after, now=time.time()))
        else:
            connection.execute(statement)


def put_record(
    store: Store, entity: str, key: str, fields: Mapping[str, Any], settings: Settings
) -> tuple[dict[str, Any], bool]:
    """Create or replace an item or user; ``(stored row, created)``.

    Fields not given are cleared, except a user's ``created_at``, which keeps its stored
    value (or becomes now for a new user).
    """
    existing = get_record(store, entity, key)
    record: dict[str, Any] = dict.fromkeys(ENTITY_FIELDS[entity])
    record.update(fields)
    record[KEY[entity]] = key
    if entity == "users" and record.get("created_at") is None:
        record["created_at"] = existing["created_at"] if existing else time.time()
    row = check_record(entity, record, settings)
    _upsert(store, TABLE[entity], KEY[entity], row)
    stored = get_record(store, entity, row[KEY[entity]])
    assert stored is not None
    return stored, existing is None


def patch_record(
    store: Store, entity: str, key: str, fields: Mapping[str, Any], settings: Settings
) -> dict[str, Any] | None:
    """Change some fields of a stored item or user (None if it does not exist). The whole
    result is validated, so a patch cannot leave an invalid record."""
    existing = get_record(store, entity, key)
    if existing is None:
        return None
    record = {**existing, **fields, KEY[entity]: key}
    row = check_record(entity, record, settings)
    _upsert(store, TABLE[entity], KEY[entity], row)
    return get_record(store, entity, key)


def delete_item(store: Store, item_id: str) -> bool:
    """Remove an item from the catalogue (its past events stay: they are history)."""
    with write_lock(store), store.engine.begin() as connection:
        record_delete(connection, item_id, now=time.time())
        result = connection.execute(delete(items).where(items.c.item_id == item_id))
    return bool(result.rowcount)
