"""Segment triggers: someone entered (or left) a stored segment, as its materialised
membership records it (``segment_members``: a row per stay, ``entered_at`` and
``exited_at`` set by each refresh). Each stay's start (or end) is one occurrence."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from recmind.data.schema import segment_members
from recmind.marketing.journeys.definition import SegmentTrigger
from recmind.marketing.journeys.triggers.base import Scan, ScanContext, empty_row


def scan(ctx: ScanContext) -> Scan:
    trigger: SegmentTrigger = ctx.trigger
    entering = trigger.type == "segment_entered"
    moment = segment_members.c.entered_at if entering else segment_members.c.exited_at
    query = select(
        segment_members.c.user_id,
        *empty_row(entry_key=""),
        moment.label("occurred_at"),
        *empty_row(item_id=None),
    ).where(
        segment_members.c.segment_id == trigger.segment,
        moment > ctx.since,
        moment <= ctx.now,
    )
    word = "entered" if entering else "exited"

    def keep(row: dict[str, Any]) -> dict[str, Any]:
        row["entry_key"] = f"{word}:{trigger.segment}:{float(row['occurred_at'])!r}"
        row["segment"] = trigger.segment
        return row

    return Scan(query, keep)
