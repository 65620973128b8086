"""Moments in a person's own time zone: the next local time of day, a yearly date."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY = 86_400.0


def zone(name: str | None, default: str) -> ZoneInfo:
    """The time zone ``name`` (a person's ``users.timezone``), or ``default`` when it is
    empty or unknown."""
    for candidate in (name, default, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def _hhmm(text: str) -> tuple[int, int]:
    hour, minute = text.split(":")
    return int(hour), int(minute)


def next_local_time(after: float, at: str, tz: ZoneInfo) -> float:
    """The first moment strictly after ``after`` when the clock in ``tz`` reads ``at``
    (``HH:MM``); a time skipped by a daylight-saving jump is taken an hour later."""
    hour, minute = _hhmm(at)
    local = dt.datetime.fromtimestamp(after, tz)
    for days in range(3):
        day = local.date() + dt.timedelta(days=days)
        candidate = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
        moment = candidate.timestamp()
        if moment > after:
            return moment
    raise AssertionError("a local time of day comes round within three days")


def parse_month_day(value: object) -> tuple[int, int] | None:
    """(month, day) of ``YYYY-MM-DD`` or ``MM-DD`` text (None if it is neither)."""
    if not isinstance(value, str):
        return None
    text = value.strip()[:10]
    part = text[5:] if len(text) == 10 else text
    try:
        month, day = (int(p) for p in part.split("-"))
        dt.date(2000, month, day)  # 2000 is a leap year: 02-29 is a valid date
    except ValueError:
        return None
    return month, day


def yearly_date(year: int, month: int, day: int) -> dt.date:
    """The date in ``year`` (the 29th of February is kept on the 28th in other years)."""
    if (month, day) == (2, 29):
        try:
            return dt.date(year, 2, 29)
        except ValueError:
            return dt.date(year, 2, 28)
    return dt.date(year, month, day)


def yearly_moment(
    year: int, month_day: tuple[int, int], *, days_before: int, at: str, tz: ZoneInfo
) -> float:
    """When the occurrence in ``year`` fires: ``days_before`` it, at ``at`` local time."""
    hour, minute = _hhmm(at)
    day = yearly_date(year, *month_day) - dt.timedelta(days=days_before)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).timestamp()


def month_days_near(now: float, days_before: int) -> list[str]:
    """``MM-DD`` texts of the dates whose occurrence can fire within a day of ``now`` in
    any time zone (the store's first filter; the exact moment is decided per person)."""
    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    out = []
    for shift in range(-2, 3):
        date = today + dt.timedelta(days=shift + days_before)
        out.append(f"{date.month:02d}-{date.day:02d}")
        if (date.month, date.day) == (2, 28):
            out.append("02-29")
    return out
