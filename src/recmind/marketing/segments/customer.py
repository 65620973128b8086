"""Everything the marketing layer knows of one customer: profile, features, predictions
and current segment memberships."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from recmind.data.record_writes import get_record
from recmind.data.schema import customer_features, customer_predictions, events
from recmind.data.store import Store
from recmind.marketing.segments.membership import memberships


def _row(store: Store, table: Any, user_id: str) -> dict[str, Any] | None:
    with store.engine.connect() as connection:
        found = connection.execute(select(table).where(table.c.user_id == user_id)).first()
    return None if found is None else dict(found._mapping)


def customer_record(store: Store, user_id: str) -> dict[str, Any] | None:
    """``{"user_id", "profile", "features", "predictions", "segments"}``, or None when the
    store holds nothing about the person (no row, events, features or predictions)."""
    profile = get_record(store, "users", user_id)
    features = _row(store, customer_features, user_id)
    predictions = _row(store, customer_predictions, user_id)
    with store.engine.connect() as connection:
        has_events = (
            connection.execute(
                select(events.c.event_id).where(events.c.user_id == user_id).limit(1)
            ).first()
            is not None
        )
    if profile is None and features is None and predictions is None and not has_events:
        return None
    return {
        "user_id": user_id,
        "profile": profile,
        "features": features,
        "predictions": predictions,
        "segments": memberships(store, user_id),
    }
