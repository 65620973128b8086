"""Rows the policy and tracking tests write straight into the store: profiles, outbox
messages (as the outbox would hold them) and purchases."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert

from recmind.config import Settings
from recmind.data.schema import events, outbox, users
from recmind.data.store import Store
from recmind.marketing.messages import message_id_for

SECRET = "a-policy-test-secret"


def policy_settings(**marketing: Any) -> Settings:
    """Settings with no quiet hours, no caps and no holdout unless given."""
    options: dict[str, Any] = {
        "quiet_start_hour": 0,
        "quiet_end_hour": 0,
        "caps": [],
        "holdout_percent": 0.0,
    }
    options.update(marketing)
    return Settings(api={"secret": SECRET}, marketing=options)


def add_users(
    store: Store,
    *user_ids: str,
    consent_email: bool | None = True,
    timezone: str | None = None,
    email: bool = True,
) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            insert(users),
            [
                {
                    "user_id": u,
                    "created_at": 0.0,
                    "email": f"{u}@example.com" if email else None,
                    "consent_email": consent_email,
                    "timezone": timezone,
                    "attributes": "{}",
                }
                for u in user_ids
            ],
        )


def message_row(
    user_id: str,
    *,
    channel: str = "email",
    source_kind: str = "campaign",
    source_id: str = "spring",
    status: str = "pending",
    created_at: float = 1_000.0,
    sent_at: float | None = None,
    key: str | None = None,
) -> dict[str, Any]:
    """An outbox row (every column the table needs)."""
    key = key or f"{source_kind}:{source_id}:{user_id}:{uuid.uuid4().hex[:8]}"
    return {
        "message_id": message_id_for(key),
        "idempotency_key": key,
        "user_id": user_id,
        "channel": channel,
        "source_kind": source_kind,
        "source_id": source_id,
        "enrolment_id": None,
        "step_id": None,
        "recipient": f"{user_id}@example.com",
        "subject": "Hello",
        "body_text": "Hello",
        "body_html": "<p>Hello</p>",
        "payload": "{}",
        "items": "[]",
        "status": status,
        "skip_reason": None,
        "attempts": 0,
        "next_attempt_at": created_at,
        "last_error": None,
        "created_at": created_at,
        "sent_at": sent_at,
        "read_at": None,
        "claimed_by": None,
        "claimed_until": None,
    }


def write_messages(store: Store, *rows: dict[str, Any]) -> None:
    with store.engine.begin() as connection:
        connection.execute(insert(outbox), list(rows))


def add_purchase(store: Store, user_id: str, at: float, value: float | None = 10.0) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            insert(events).values(
                event_id=uuid.uuid4().hex,
                user_id=user_id,
                item_id="item-1",
                event_type="purchase",
                timestamp=at,
                value=value,
            )
        )
