"""Date trigger: a date in the person's attributes (``birthday``: ``YYYY-MM-DD`` or
``MM-DD``) comes round; fires ``days_before`` it at ``at`` in the person's time zone, once a
year (the year is in the entry key).

The store narrows everyone to the people whose date falls within two days of today (a
filter on the month and day of the attribute); the exact moment, which depends on each
person's time zone, is computed for those few. An occurrence fires when its moment has
passed by less than a day (a worker that was down a while still sends it, a stale one is
not sent months late).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, func, select

from recmind.data.schema import users
from recmind.marketing.journeys.definition import DateTrigger
from recmind.marketing.journeys.localtime import (
    DAY,
    month_days_near,
    parse_month_day,
    yearly_moment,
    zone,
)
from recmind.marketing.journeys.triggers.base import Scan, ScanContext, empty_row
from recmind.marketing.segments.sql_fields import json_value


def scan(ctx: ScanContext) -> Scan:
    trigger: DateTrigger = ctx.trigger
    value = json_value(users.c.attributes, trigger.attribute, "text", ctx.dialect)
    month_day = case((func.length(value) == 10, func.substr(value, 6, 5)), else_=value)
    query = select(
        users.c.user_id,
        *empty_row(entry_key="", occurred_at=ctx.now, item_id=None),
        value.label("date_value"),
        users.c.timezone.label("timezone"),
    ).where(month_day.in_(month_days_near(ctx.now, trigger.days_before)))
    default = ctx.settings.marketing.default_timezone

    def keep(row: dict[str, Any]) -> dict[str, Any] | None:
        month_day = parse_month_day(row.pop("date_value"))
        tz = zone(row.pop("timezone"), default)
        if month_day is None:
            return None
        for year in range(_year(ctx.now) - 1, _year(ctx.now) + 2):
            moment = yearly_moment(
                year, month_day, days_before=trigger.days_before, at=trigger.at, tz=tz
            )
            if ctx.now - DAY < moment <= ctx.now:
                row.update(
                    entry_key=f"{trigger.attribute}:{year}",
                    occurred_at=moment,
                    attribute=trigger.attribute,
                )
                return row
        return None

    return Scan(query, keep)


def _year(now: float) -> int:
    return dt.datetime.fromtimestamp(now, dt.UTC).year
