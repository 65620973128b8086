"""Users' time zones as UTC-offset intervals, so the store can turn event moments into local
time in SQL, daylight saving included.

A zone's offset is constant between transitions; for the years an event log spans, each zone
becomes a short list of ``(start, end, offset_seconds)`` intervals that together cover the
whole time line. A zone name that is missing or unknown to the IANA database (``zoneinfo``)
is UTC.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

DAY = 86_400.0
FOREVER = 1e18
"""Bounds of the first and last interval: every moment falls in one."""
_MIN_YEAR, _MAX_YEAR = 1900, 2200
"""Transitions are looked for in these years only (outside, the nearest offset holds)."""

Interval = tuple[float, float, float]
"""``(start, end, offset_seconds)``: moments in ``[start, end)`` are ``offset`` from UTC."""


@lru_cache(maxsize=4096)
def resolve_zone(name: str | None) -> ZoneInfo | None:
    """The IANA zone named ``name``, or None (UTC) when it is missing or unknown."""
    if name is None or not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return None


def _offset(zone: ZoneInfo, moment: float) -> float:
    stamp = dt.datetime.fromtimestamp(moment, tz=dt.UTC).astimezone(zone)
    offset = stamp.utcoffset()
    return 0.0 if offset is None else offset.total_seconds()


def _year_start(year: int) -> float:
    return dt.datetime(year, 1, 1, tzinfo=dt.UTC).timestamp()


@lru_cache(maxsize=8192)
def _transitions(name: str, year: int) -> tuple[tuple[float, float], ...]:
    """``(moment, offset from then on)`` for each change of offset during ``year`` (UTC):
    found by sampling each day and bisecting to the second."""
    zone = ZoneInfo(name)
    found: list[tuple[float, float]] = []
    start, end = _year_start(year), _year_start(year + 1)
    moment, offset = start, _offset(zone, start)
    while moment < end:
        step = min(moment + DAY, end)
        later = _offset(zone, step)
        if later != offset:
            low, high = moment, step  # offset(low) == offset, offset(high) != offset
            while high - low > 1.0:
                middle = (low + high) // 2
                if _offset(zone, middle) == offset:
                    low = middle
                else:
                    high = middle
            found.append((high, later))
            offset = later
        moment = step
    return tuple(found)


def _year_of(moment: float) -> int:
    clamped = min(max(moment, _year_start(_MIN_YEAR)), _year_start(_MAX_YEAR + 1) - 1)
    return dt.datetime.fromtimestamp(clamped, tz=dt.UTC).year


def offset_intervals(name: str | None, start: float, end: float) -> list[Interval]:
    """Intervals covering the whole time line for the zone named ``name``, with every
    transition between ``start`` and ``end`` resolved (beyond them the offset at the nearer
    end holds). UTC (one interval, offset 0) when the name is missing or unknown."""
    zone = resolve_zone(name)
    if zone is None:
        return [(-FOREVER, FOREVER, 0.0)]
    first, last = _year_of(start), _year_of(max(start, end))
    changes = [c for year in range(first, last + 1) for c in _transitions(zone.key, year)]
    offset = _offset(zone, _year_start(first))
    intervals: list[Interval] = []
    begin = -FOREVER
    for moment, later in changes:
        intervals.append((begin, moment, offset))
        begin, offset = moment, later
    intervals.append((begin, FOREVER, offset))
    return intervals
