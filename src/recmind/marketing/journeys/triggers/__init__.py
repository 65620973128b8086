"""Journey triggers: find who enters each active journey now, and enrol them.

One small module per kind of trigger (:mod:`.event`, :mod:`.segment`,
:mod:`.date_attribute`, :mod:`.catalog` for back in stock and price drops,
:mod:`.new_arrivals`, :mod:`.inactivity`); :func:`scan_triggers` runs each active journey's
scanner in its own transaction holding the journey's cursor, so the enrolments and the
cursor's move commit together, and two workers never scan the same journey at once
(PostgreSQL: the cursor row is locked ``SKIP LOCKED``; SQLite: one writer).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from recmind.config import Settings
from recmind.data.store import Store
from recmind.data.tombstones import Erasures, load_erasures
from recmind.marketing.journeys.entry import enrol
from recmind.marketing.journeys.repository import Journey, active_journeys
from recmind.marketing.journeys.scheduler import write_transaction
from recmind.marketing.journeys.triggers import (
    catalog,
    date_attribute,
    event,
    inactivity,
    new_arrivals,
    segment,
)
from recmind.marketing.journeys.triggers.base import Scan, ScanContext, lock_cursor, move_cursor

__all__ = ["SCANNERS", "scan_journey", "scan_triggers"]

logger = logging.getLogger(__name__)

SCANNERS: dict[str, Callable[[ScanContext], Scan]] = {
    "event": event.scan,
    "segment_entered": segment.scan,
    "segment_exited": segment.scan,
    "date_attribute": date_attribute.scan,
    "back_in_stock": catalog.scan,
    "price_drop": catalog.scan,
    "new_arrivals": new_arrivals.scan,
    "inactivity": inactivity.scan,
}
PERIODIC = frozenset({"date_attribute", "inactivity"})
"""Triggers that look at everyone: run once per ``trigger_scan_seconds``, not every round."""


def scan_journey(
    store: Store, settings: Settings, journey: Journey, *, now: float, erasures: Erasures
) -> int:
    """Enrol whom ``journey``'s trigger finds now; the number of new enrolments."""
    kind = journey.definition.trigger.type
    name = f"journey:{journey.journey_id}:{kind}"
    marketing = settings.marketing
    with write_transaction(store) as connection:
        cursor = lock_cursor(connection, name, start=journey.created_at)
        if cursor is None:
            return 0  # another worker is scanning this journey
        position, new = cursor
        if kind in PERIODIC:
            if not new and now - position < marketing.trigger_scan_seconds:
                return 0
            since = position
        else:
            # late arrivals are re-read, but nothing from before the journey existed
            since = max(position - marketing.trigger_overlap_seconds, journey.created_at)
        context = ScanContext(
            connection=connection,
            dialect=store.dialect,
            journey_id=journey.journey_id,
            definition=journey.definition,
            settings=settings,
            now=now,
            since=since,
        )
        scan = SCANNERS[kind](context)
        entered = enrol(
            connection,
            journey.journey_id,
            journey.version,
            journey.definition,
            scan.query,
            now=now,
            erasures=erasures,
            keep=scan.keep,
        )
        move_cursor(connection, name, max(position, now), now=now)
    if entered:
        logger.info("journey %s: %d entered", journey.journey_id, entered)
    return entered


def scan_triggers(store: Store, settings: Settings, *, now: float) -> int:
    """Scan every active journey's trigger; the number of enrolments created. A journey
    whose scan fails is logged and left for the next round (the others go on)."""
    erasures = load_erasures(store, settings.api.secret)
    total = 0
    for journey in active_journeys(store):
        try:
            total += scan_journey(store, settings, journey, now=now, erasures=erasures)
        except Exception:
            logger.exception("journey %s: trigger scan failed", journey.journey_id)
    return total
