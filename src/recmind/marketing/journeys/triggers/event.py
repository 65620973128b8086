"""Event trigger: someone had an event of a type (of an item in a category): each event is
one occurrence (its id is the entry key), read from the event stream by timestamp."""

from __future__ import annotations

from sqlalchemy import select

from recmind.data.schema import events, items
from recmind.marketing.journeys.definition import EventTrigger
from recmind.marketing.journeys.triggers.base import Scan, ScanContext, in_category


def scan(ctx: ScanContext) -> Scan:
    trigger: EventTrigger = ctx.trigger
    query = select(
        events.c.user_id,
        events.c.event_id.label("entry_key"),
        events.c.timestamp.label("occurred_at"),
        events.c.item_id,
        events.c.event_id.label("event_id"),
    ).where(
        events.c.event_type == trigger.event,
        events.c.timestamp > ctx.since,
        events.c.timestamp <= ctx.now,
    )
    if trigger.category:
        query = query.join(items, items.c.item_id == events.c.item_id).where(
            in_category(items.c.category, trigger.category)
        )
    return Scan(query)
