"""Catalogue triggers: an item the person engaged with came back in stock (stock from 0 or
less to more than 0) or got cheaper by at least ``min_drop_percent``.

Read from ``catalog_changes`` (every item write records its changes there) joined to the
engagement events with the item in the ``engaged_within_days`` before the change; the
change is the occurrence (its id is the entry key) and the item is the trigger item. The
prices (or stocks) before and after go into the enrolment's context.
"""

from __future__ import annotations

from sqlalchemy import and_, select

from recmind.data.schema import catalog_changes, events
from recmind.marketing.journeys.definition import BackInStockTrigger, PriceDropTrigger
from recmind.marketing.journeys.triggers.base import DAY, Scan, ScanContext


def scan(ctx: ScanContext) -> Scan:
    trigger: BackInStockTrigger | PriceDropTrigger = ctx.trigger
    change = catalog_changes.c
    if isinstance(trigger, BackInStockTrigger):
        which = and_(change.kind == "stock", change.old_value <= 0, change.new_value > 0)
        names = ("old_stock", "new_stock")
    else:
        factor = 1.0 - trigger.min_drop_percent / 100.0
        which = and_(
            change.kind == "price",
            change.old_value > 0,
            change.new_value <= change.old_value * factor,
        )
        names = ("old_price", "new_price")
    window = trigger.engaged_within_days * DAY
    query = (
        select(
            events.c.user_id,
            change.change_id.label("entry_key"),
            change.changed_at.label("occurred_at"),
            change.item_id,
            change.old_value.label(names[0]),
            change.new_value.label(names[1]),
        )
        .select_from(catalog_changes)
        .join(
            events,
            and_(
                events.c.item_id == change.item_id,
                events.c.event_type.in_(trigger.engagement),
                events.c.timestamp > change.changed_at - window,
                events.c.timestamp <= change.changed_at,
            ),
        )
        .where(which, change.changed_at > ctx.since, change.changed_at <= ctx.now)
        .distinct()
    )
    return Scan(query)
