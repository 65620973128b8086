"""What the journey runtime tests share: a shop written straight into the store, journeys
applied from dicts, and a composer that records what it was asked to send."""

from __future__ import annotations

import threading
from typing import Any

import orjson
from sqlalchemy import insert, select

from recmind.data.schema import enrolments, events, items, segment_members, suppressions, users
from recmind.data.store import Store
from recmind.marketing.journeys.definition import JourneyDefinition
from recmind.marketing.journeys.repository import Journey, apply_journey
from recmind.marketing.messages import MessageRequest

T0 = 1_800_000_000.0
"""2027-01-15 08:00 UTC: the moment journeys are applied in these tests."""
HOUR = 3600.0
DAY = 86_400.0


class RecordingComposer:
    """A named fake of the message composer for unit tests of the engine: it records each
    request and, like the real one (an outbox keyed by the request's idempotency key),
    writes a key once and reports False for a key it already has."""

    def __init__(self, fail: bool = False) -> None:
        self.requests: list[MessageRequest] = []
        self.calls = 0
        self.fail = fail
        self._lock = threading.Lock()

    def __call__(self, request: MessageRequest, *, now: float) -> bool:
        with self._lock:
            self.calls += 1
            if self.fail:
                raise RuntimeError("template exploded")
            if any(r.idempotency_key == request.idempotency_key for r in self.requests):
                return False
            self.requests.append(request)
            return True

    def sent_to(self) -> list[str]:
        return [r.user_id for r in self.requests]


def journey(store: Store, data: dict[str, Any], *, now: float = T0) -> Journey:
    base: dict[str, Any] = {"name": data.get("id", "j")}
    return apply_journey(store, JourneyDefinition.model_validate({**base, **data}), now=now)


def user(
    store: Store,
    user_id: str,
    *,
    timezone: str | None = None,
    attributes: dict[str, Any] | None = None,
    email: str | None = None,
) -> None:
    text = None if attributes is None else orjson.dumps(attributes).decode()
    with store.engine.begin() as connection:
        connection.execute(
            insert(users).values(
                user_id=user_id,
                created_at=T0 - 100 * DAY,
                email=email or f"{user_id}@example.com",
                consent_email=True,
                timezone=timezone,
                attributes=text,
            )
        )


def item(store: Store, item_id: str, *, category: str = "Shoes", price: float = 10.0) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            insert(items).values(
                item_id=item_id, title=item_id.title(), category=category, price=price, stock=3
            )
        )


_events = iter(range(10**9))


def event(
    store: Store, user_id: str, event_type: str, at: float, item_id: str | None = "i1"
) -> str:
    event_id = f"e{next(_events)}"
    with store.engine.begin() as connection:
        connection.execute(
            insert(events).values(
                event_id=event_id,
                user_id=user_id,
                item_id=item_id,
                event_type=event_type,
                timestamp=at,
            )
        )
    return event_id


def suppress(store: Store, user_id: str, channel: str = "*") -> None:
    with store.engine.begin() as connection:
        connection.execute(
            insert(suppressions).values(
                user_id=user_id, channel=channel, reason="unsubscribed", created_at=T0
            )
        )


def member(store: Store, segment_id: str, user_id: str, entered_at: float) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            insert(segment_members).values(
                segment_id=segment_id, user_id=user_id, entered_at=entered_at
            )
        )


def enrolled(store: Store, journey_id: str | None = None) -> list[dict[str, Any]]:
    query = select(enrolments).order_by(enrolments.c.entered_at, enrolments.c.user_id)
    if journey_id is not None:
        query = query.where(enrolments.c.journey_id == journey_id)
    with store.engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(query)]
    for row in rows:
        row["context"] = orjson.loads(row["context"]) if row["context"] else {}
    return rows
