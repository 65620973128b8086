"""Quiet hours in the person's own time zone: no message between ``quiet_start_hour`` and
``quiet_end_hour`` local time; a message due inside them waits for their end, it is never
dropped.

The window may cross midnight (21 to 8: quiet from 21:00 to 07:59) or not (0 to 6); equal
hours mean no quiet hours. The person's zone is ``users.timezone`` (an IANA name); a missing
or unknown one falls back to ``default_timezone``. Local times come from :mod:`zoneinfo`, so
the end of quiet hours is right across daylight-saving changes: on a spring-forward night
whose end hour does not exist (02:00 in New York) the message goes at the first moment after
the gap, and on a fall-back night at the first time the end hour is reached.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def resolve_zone(name: str | None, default: str) -> ZoneInfo:
    """The zone named ``name``, else ``default`` (an unknown name is logged once)."""
    if name:
        zone = _zone(name.strip())
        if zone is not None:
            return zone
        logger.debug("unknown time zone %r: using %s", name, default)
    fallback = _zone(default)
    if fallback is None:
        raise ValueError(f"unknown default time zone {default!r}")
    return fallback


def is_quiet_hour(hour: int, start_hour: int, end_hour: int) -> bool:
    """Whether the local ``hour`` lies inside the quiet window."""
    if start_hour == end_hour:
        return False
    if start_hour < end_hour:
        return start_hour <= hour < end_hour
    return hour >= start_hour or hour < end_hour


def _at_hour(day: date, hour: int, zone: ZoneInfo) -> float:
    """The moment of ``day`` at ``hour``:00 local time. A wall time that does not exist (a
    spring-forward gap) is read with the offset before the change, which lands just after
    the gap; an ambiguous one (fall back) is its first occurrence."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone).timestamp()


def next_allowed(now: float, zone: ZoneInfo, start_hour: int, end_hour: int) -> float | None:
    """None when a message may go at ``now``; otherwise the moment quiet hours end."""
    local = datetime.fromtimestamp(now, UTC).astimezone(zone)
    if not is_quiet_hour(local.hour, start_hour, end_hour):
        return None
    day = local.date()
    for _ in range(3):
        moment = _at_hour(day, end_hour, zone)
        if moment > now:
            return moment
        day += timedelta(days=1)
    raise AssertionError("quiet hours never end")  # pragma: no cover: 3 days always reach it
