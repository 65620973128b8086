"""Inactivity (win-back): no event for ``days`` days, or a predicted churn risk above
``churn_risk_above``.

The entry key is the person's last event, so someone enters once per lapse: only after they
come back (a newer event) and lapse again do they enter again. The last event comes from
``customer_features.last_event_at`` checked against newer events (one seek into the
person's events), and for people the features do not know yet from their events since the
features' moment. The churn path reads ``customer_predictions`` (people with an event after
the prediction's moment are no longer at risk).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, select, union_all

from recmind.data.schema import customer_features, customer_predictions, events
from recmind.marketing.journeys.definition import InactivityTrigger
from recmind.marketing.journeys.entry import no_candidates
from recmind.marketing.journeys.triggers.base import DAY, Scan, ScanContext, empty_row


def _newer_event(user_id: Any, after: Any) -> Any:
    return exists().where(events.c.user_id == user_id, events.c.timestamp > after)


def _lapsed(ctx: ScanContext, days: float) -> list[Any]:
    limit = ctx.now - days * DAY
    f = customer_features.c
    known = select(f.user_id, f.last_event_at.label("last_event_at")).where(
        f.last_event_at <= limit, ~_newer_event(f.user_id, f.last_event_at)
    )
    oldest = select(func.min(f.as_of)).scalar_subquery()
    unknown = (
        select(events.c.user_id, func.max(events.c.timestamp).label("last_event_at"))
        .where(
            events.c.timestamp >= func.coalesce(oldest, -1e300),
            ~exists().where(f.user_id == events.c.user_id),
        )
        .group_by(events.c.user_id)
        .having(func.max(events.c.timestamp) <= limit)
    )
    return [known, unknown]


def _at_risk(threshold: float) -> Any:
    p = customer_predictions.c
    last = func.coalesce(customer_features.c.last_event_at, p.as_of)
    return (
        select(p.user_id, last.label("last_event_at"))
        .select_from(customer_predictions)
        .outerjoin(customer_features, customer_features.c.user_id == p.user_id)
        .where(p.churn_risk > threshold, ~_newer_event(p.user_id, p.as_of))
    )


def scan(ctx: ScanContext) -> Scan:
    trigger: InactivityTrigger = ctx.trigger
    parts = []
    if trigger.days is not None:
        parts.extend(_lapsed(ctx, trigger.days))
    if trigger.churn_risk_above is not None:
        parts.append(_at_risk(trigger.churn_risk_above))
    if not parts:
        return Scan(no_candidates())
    found = union_all(*parts).subquery("lapsed")
    query = select(
        found.c.user_id,
        *empty_row(entry_key="", occurred_at=ctx.now, item_id=None),
        found.c.last_event_at,
    )

    def keep(row: dict[str, Any]) -> dict[str, Any]:
        row["entry_key"] = f"lapse:{float(row['last_event_at'])!r}"
        return row

    return Scan(query, keep)
