"""New arrivals: items created in categories that hold at least ``min_share`` of the
person's activity over ``interest_days``; at most one enrolment per ``every_days``.

The new items are the ``created`` catalogue changes in the window (still in the
catalogue). Shares come from ``customer_features.category_shares`` (each customer's top
categories, kept by ``recmind customers build``); a shop that has not built features yet
gets them from the events of the last ``interest_days`` (an aggregate per person in the
store). The trigger item is the newest new item in one of the person's categories.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import (
    Double,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)

from recmind.data.schema import catalog_changes, customer_features, enrolments, events, items
from recmind.marketing.journeys.definition import NewArrivalsTrigger
from recmind.marketing.journeys.entry import no_candidates
from recmind.marketing.journeys.triggers.base import (
    DAY,
    Scan,
    ScanContext,
    empty_row,
    in_category,
    members,
    unique,
)
from recmind.marketing.segments.sql_fields import json_value


def _new_items(ctx: ScanContext) -> list[tuple[str, str, float]]:
    """(item, category member, created at) of the items created in the window, newest
    first."""
    rows = ctx.connection.execute(
        select(items.c.item_id, items.c.category, catalog_changes.c.changed_at)
        .join(catalog_changes, catalog_changes.c.item_id == items.c.item_id)
        .where(
            catalog_changes.c.kind == "created",
            catalog_changes.c.changed_at > ctx.since,
            catalog_changes.c.changed_at <= ctx.now,
        )
        .order_by(catalog_changes.c.changed_at.desc())
    ).all()
    return [(str(r[0]), m, float(r[2])) for r in rows for m in members(r[1])]


def _features_shares(ctx: ScanContext, wanted: list[str], least: float) -> Any:
    shares = customer_features.c.category_shares
    tests = [json_value(shares, m, "number", ctx.dialect) >= least for m in wanted]
    return select(customer_features.c.user_id, shares.label("shares")).where(or_(*tests))


def _event_shares(ctx: ScanContext, wanted: list[str], least: float, days: float) -> Any:
    """Per person and wanted category, the share of their item events about it."""
    parts = []
    for member in wanted:
        about = func.sum(case((in_category(items.c.category, member), 1), else_=0))
        share = cast(about, Double) / func.count()
        parts.append(
            select(events.c.user_id, literal(member).label("member"), share.label("share"))
            .join(items, items.c.item_id == events.c.item_id)
            .where(events.c.timestamp > ctx.now - days * DAY, events.c.timestamp <= ctx.now)
            .group_by(events.c.user_id)
            .having(share >= least)
        )
    found = union_all(*parts).subquery("shares")
    return select(found.c.user_id, found.c.member, found.c.share)


def scan(ctx: ScanContext) -> Scan:
    trigger: NewArrivalsTrigger = ctx.trigger
    new = _new_items(ctx)
    if not new:
        return Scan(no_candidates())
    wanted = unique([member for _, member, _ in new])
    has_features = ctx.connection.execute(select(customer_features.c.user_id).limit(1)).first()
    if has_features is not None:
        found = _features_shares(ctx, wanted, trigger.min_share).subquery("found")
        extra = [found.c.shares.label("shares")]
    else:
        days = trigger.interest_days
        found = _event_shares(ctx, wanted, trigger.min_share, days).subquery("found")
        extra = [found.c.member.label("member")]
    recent = ~exists().where(
        and_(
            enrolments.c.journey_id == ctx.journey_id,
            enrolments.c.user_id == found.c.user_id,
            enrolments.c.entered_at > ctx.now - trigger.every_days * DAY,
        )
    )
    query = select(
        found.c.user_id,
        *empty_row(entry_key=f"new:{ctx.now!r}", occurred_at=ctx.now, item_id=None),
        *extra,
    ).where(recent)

    def keep(row: dict[str, Any]) -> dict[str, Any] | None:
        if "shares" in row:
            text = row.pop("shares")
            shares = orjson.loads(text) if text else {}
            liked = {m for m, s in shares.items() if float(s) >= trigger.min_share}
        else:
            liked = {row.pop("member")}
        for item_id, member, _ in new:
            if member in liked:
                row.update(item_id=item_id, category=member)
                return row
        return None

    return Scan(query, keep)
