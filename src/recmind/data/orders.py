"""Orders one at a time: read one, a person's orders, create or replace, change some fields.

Every write is checked by the importer's validation (:func:`recmind.data.validate.validate`
on a one-row frame, lines against the catalogue), so an order ``recmind import`` would
quarantine is refused here with the same reason (:class:`InvalidRecordError`).
:func:`orders_for_user` is the read the assistant's ``order_status`` tool is to use: it
only ever returns the orders of the one person it is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from recmind.config import Settings
from recmind.data.bundle import ORDER_COLUMNS
from recmind.data.online_checks import UNKNOWN_FIELD, field_problem
from recmind.data.record_writes import InvalidRecordError
from recmind.data.schema import items, orders, users
from recmind.data.store import Store
from recmind.data.validate import ValidationContext, validate
from recmind.data.validate_lines import order_lines
from recmind.data.write_lock import write_lock

__all__ = [
    "InvalidRecordError",
    "check_order",
    "get_order",
    "orders_for_user",
    "patch_order",
    "put_order",
]

MAX_PAGE = 1000


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def order_out(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored order as the API shows it (lines as a list, typed numbers)."""
    out = {name: row.get(name) for name in ORDER_COLUMNS}
    lines = orjson.loads(out["lines"]) if isinstance(out["lines"], str | bytes) else []
    out["lines"] = lines if isinstance(lines, list) else []
    for name in ("created_at", "total", "expected_delivery"):
        out[name] = _float(out[name])
    return out


def get_order(store: Store, order_id: str) -> dict[str, Any] | None:
    """The stored order, or None."""
    with store.engine.connect() as connection:
        row = connection.execute(select(orders).where(orders.c.order_id == order_id)).first()
    return None if row is None else order_out(dict(row._mapping))


def orders_for_user(
    store: Store, user_id: str, *, limit: int = MAX_PAGE, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """A page of ``user_id``'s orders, newest first (ties by order id), and how many they
    have. Never anyone else's: the one filter is the person's id."""
    mine = orders.c.user_id == user_id
    with store.engine.connect() as connection:
        total = int(
            connection.execute(select(func.count()).select_from(orders).where(mine)).scalar_one()
        )
        rows = connection.execute(
            select(orders)
            .where(mine)
            .order_by(orders.c.created_at.desc(), orders.c.order_id)
            .limit(limit)
            .offset(offset)
        ).all()
    return [order_out(dict(row._mapping)) for row in rows], total


def _none(value: Any) -> Any:
    if isinstance(value, list):
        return value
    try:
        return None if value is None or pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def _precheck(record: Mapping[str, Any]) -> None:
    """Fields an order does not have, and values the store cannot hold (before any query)."""
    for name, value in record.items():
        if name not in ORDER_COLUMNS:
            raise InvalidRecordError(name, value, UNKNOWN_FIELD)
        problem = field_problem(name, value)
        if problem is not None:
            raise InvalidRecordError(name, value, problem)


def _catalogue(connection: Any, record: Mapping[str, Any]) -> pd.Index:
    """The catalogue items among those the record's lines name (the rest are unknown)."""
    named = sorted(order_lines(pd.Series([record.get("lines")], dtype=object)).item_ids()[0])
    if not named:
        return pd.Index([])
    found = connection.execute(select(items.c.item_id).where(items.c.item_id.in_(named))).all()
    return pd.Index([str(row[0]) for row in found], dtype=object)


def check_order(
    record: Mapping[str, Any], settings: Settings, known_items: pd.Index | None
) -> dict[str, Any]:
    """The stored form of ``record`` (every order column); else :class:`InvalidRecordError`.
    ``known_items``: the catalogue (None skips the check of the lines' items)."""
    _precheck(record)
    frame = pd.DataFrame({k: pd.Series([v], dtype=object) for k, v in record.items()})
    context = ValidationContext.from_settings(settings, known_items=known_items)
    result = validate("orders", frame, context)
    if not result.rejected.empty:
        name = str(result.rejected["field"].iat[0])
        raise InvalidRecordError(name, record.get(name), str(result.rejected["reason"].iat[0]))
    clean = {str(k): _none(v) for k, v in result.clean.iloc[0].to_dict().items()}
    clean["lines"] = orjson.dumps(clean["lines"], option=orjson.OPT_SORT_KEYS).decode()
    return clean


def _write(store: Store, record: dict[str, Any], settings: Settings) -> None:
    """Validate and upsert in one transaction (the person is created if new)."""
    insert = sqlite_insert if store.dialect == "sqlite" else pg_insert
    _precheck(record)
    with write_lock(store), store.engine.begin() as connection:
        row = check_order(record, settings, _catalogue(connection, record))
        statement = insert(orders).values(**row)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=[orders.c.order_id],
                set_={c: statement.excluded[c] for c in row if c != "order_id"},
            )
        )
        person = insert(users).values(user_id=row["user_id"], created_at=row["created_at"])
        connection.execute(person.on_conflict_do_nothing(index_elements=[users.c.user_id]))


def put_order(
    store: Store, order_id: str, fields: Mapping[str, Any], settings: Settings
) -> tuple[dict[str, Any], bool]:
    """Create or replace an order (fields not given are cleared); ``(stored, created)``."""
    existing = get_order(store, order_id)
    record: dict[str, Any] = dict.fromkeys(ORDER_COLUMNS)
    record.update(fields)
    record["order_id"] = order_id
    _write(store, record, settings)
    stored = get_order(store, order_id)
    assert stored is not None
    return stored, existing is None


def patch_order(
    store: Store, order_id: str, fields: Mapping[str, Any], settings: Settings
) -> dict[str, Any] | None:
    """Change some fields of a stored order (None if it does not exist): a status update,
    a tracking number. The whole result is validated."""
    existing = get_order(store, order_id)
    if existing is None:
        return None
    _write(store, {**existing, **fields, "order_id": order_id}, settings)
    return get_order(store, order_id)
