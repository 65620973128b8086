"""What the outbox and channel tests share: people who may be mailed, messages for them,
and settings whose rules let every message through (no quiet hours, caps or holdout)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from recmind.config import Settings
from recmind.data.schema import users
from recmind.data.store import Store
from recmind.marketing.messages import Channel, OutboxMessage, RenderedMessage, campaign_key

NOW = 1_750_000_000.0


def open_settings(home: Path, **marketing: Any) -> Settings:
    """Settings whose send-time rules say yes to anyone with consent: quiet hours off
    (start == end), no caps, no holdout; ``marketing`` overrides any of it."""
    options: dict[str, Any] = {
        "quiet_start_hour": 0,
        "quiet_end_hour": 0,
        "caps": [],
        "holdout_percent": 0.0,
        "retry_base_seconds": 10.0,
        "claim_seconds": 60.0,
        "public_url": "https://shop.example",
        **marketing,
    }
    return Settings(home=home, api={"secret": "a-test-secret-for-the-outbox"}, marketing=options)


def add_people(store: Store, user_ids: Sequence[str], *, consent: bool = True) -> None:
    """Profiles that consent to email (or not)."""
    rows = [
        {
            "user_id": u,
            "created_at": NOW - 86_400,
            "email": f"{u}@example.org",
            "consent_email": consent,
            "timezone": "UTC",
        }
        for u in user_ids
    ]
    with store.engine.begin() as connection:
        connection.execute(insert(users), rows)


def message(
    user_id: str,
    *,
    campaign: str = "c1",
    channel: Channel = "email",
    recipient: str | None = None,
    not_before: float | None = None,
    subject: str = "Your picks",
) -> OutboxMessage:
    """A rendered campaign message for ``user_id``."""
    rendered = RenderedMessage(
        subject=subject,
        body_text=f"Hello {user_id},\n\nA blue teapot for $12.50.\n.\n.A line after a dot.\n",
        body_html=f"<html><body><p>Hello {user_id}</p><p>A blue teapot: $12.50</p></body></html>",
        payload={"title": subject, "items": [{"item_id": "i1", "title": "Blue teapot"}]},
        items=["i1"],
    )
    return OutboxMessage(
        idempotency_key=campaign_key(campaign, user_id),
        user_id=user_id,
        channel=channel,
        source_kind="campaign",
        source_id=campaign,
        recipient=recipient if recipient is not None else f"{user_id}@example.org",
        rendered=rendered,
        not_before=not_before,
    )


def statuses(store: Store) -> dict[str, str]:
    """message_id -> status of every outbox row."""
    with store.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT message_id, status FROM outbox").all()
    return {str(r[0]): str(r[1]) for r in rows}


def row(store: Store, message_id: str) -> dict[str, Any]:
    with store.engine.connect() as connection:
        found = connection.exec_driver_sql(
            "SELECT * FROM outbox WHERE message_id = '" + message_id + "'"
        ).one()
    return dict(found._mapping)
