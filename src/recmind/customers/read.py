"""Read one customer's materialised features and predictions back from the store."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Table, select

from recmind.data.schema import customer_features, customer_predictions
from recmind.data.store import Store


def _row(store: Store, table: Table, user_id: str) -> dict[str, Any] | None:
    with store.engine.connect() as connection:
        found = connection.execute(select(table).where(table.c.user_id == user_id)).mappings()
        row = found.first()
    return None if row is None else dict(row)


def features_of(store: Store, user_id: str) -> dict[str, Any] | None:
    """The user's ``customer_features`` row (``category_shares`` parsed into a dict,
    ``consent_email`` a bool or None), or None."""
    row = _row(store, customer_features, user_id)
    if row is None:
        return None
    shares = row["category_shares"]
    row["category_shares"] = orjson.loads(shares) if shares else {}
    consent = row["consent_email"]
    row["consent_email"] = None if consent is None else bool(consent)
    return row


def predictions_of(store: Store, user_id: str) -> dict[str, Any] | None:
    """The user's ``customer_predictions`` row, or None."""
    return _row(store, customer_predictions, user_id)
