"""Quiet hours in the person's zone: across midnight, within a day, and across
daylight-saving changes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from recmind.marketing.policy.quiet_hours import is_quiet_hour, next_allowed, resolve_zone

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def at(zone: ZoneInfo, *parts: int) -> float:
    return datetime(*parts, tzinfo=zone).timestamp()  # type: ignore[misc]


def local(moment: float, zone: ZoneInfo) -> tuple[int, int, int, int, int]:
    d = datetime.fromtimestamp(moment, zone)
    return d.year, d.month, d.day, d.hour, d.minute


def test_windows() -> None:
    assert [h for h in range(24) if is_quiet_hour(h, 21, 8)] == [0, 1, 2, 3, 4, 5, 6, 7, 21, 22, 23]
    assert [h for h in range(24) if is_quiet_hour(h, 0, 6)] == [0, 1, 2, 3, 4, 5]
    assert not any(is_quiet_hour(h, 9, 9) for h in range(24))


def test_allowed_hours_pass_and_quiet_ones_wait_for_the_local_end() -> None:
    assert next_allowed(at(BERLIN, 2024, 6, 1, 12), BERLIN, 21, 8) is None
    assert next_allowed(at(BERLIN, 2024, 6, 1, 20, 59), BERLIN, 21, 8) is None
    evening = next_allowed(at(BERLIN, 2024, 6, 1, 21), BERLIN, 21, 8)
    assert evening is not None and local(evening, BERLIN) == (2024, 6, 2, 8, 0)
    early = next_allowed(at(BERLIN, 2024, 6, 2, 7, 59), BERLIN, 21, 8)
    assert early is not None and local(early, BERLIN) == (2024, 6, 2, 8, 0)
    night = next_allowed(at(BERLIN, 2024, 6, 2, 3), BERLIN, 0, 6)
    assert night is not None and local(night, BERLIN) == (2024, 6, 2, 6, 0)


def test_the_same_moment_is_quiet_in_one_zone_and_not_another() -> None:
    moment = at(ZoneInfo("UTC"), 2024, 6, 1, 23)  # 01:00 in Berlin, 19:00 in New York
    assert next_allowed(moment, BERLIN, 21, 8) is not None
    assert next_allowed(moment, NEW_YORK, 21, 8) is None


def test_spring_forward() -> None:
    # New York, 2024-03-10: 02:00 EST jumps to 03:00 EDT; the night is one hour shorter.
    until = next_allowed(at(NEW_YORK, 2024, 3, 9, 22), NEW_YORK, 21, 8)
    assert until is not None and local(until, NEW_YORK) == (2024, 3, 10, 8, 0)
    assert until - at(NEW_YORK, 2024, 3, 9, 22) == 9 * 3600
    # An end hour inside the gap: the first moment after it.
    until = next_allowed(at(NEW_YORK, 2024, 3, 10, 0, 30), NEW_YORK, 21, 2)
    assert until is not None and local(until, NEW_YORK) == (2024, 3, 10, 3, 0)
    assert next_allowed(until, NEW_YORK, 21, 2) is None


def test_fall_back() -> None:
    # Berlin, 2024-10-27: 03:00 CEST falls back to 02:00 CET; the night is one hour longer.
    start = at(BERLIN, 2024, 10, 26, 22)
    until = next_allowed(start, BERLIN, 21, 8)
    assert until is not None and local(until, BERLIN) == (2024, 10, 27, 8, 0)
    assert until - start == 11 * 3600
    # An ambiguous end hour (02:00 happens twice): the first time it is reached.
    until = next_allowed(at(BERLIN, 2024, 10, 27, 1, 30), BERLIN, 21, 2)
    assert until is not None
    assert until - at(BERLIN, 2024, 10, 27, 1, 30) == 1800


def test_unknown_zones_fall_back_to_the_default() -> None:
    assert resolve_zone("Mars/Olympus_Mons", "Europe/Berlin") == BERLIN
    assert resolve_zone(None, "Europe/Berlin") == BERLIN
    assert resolve_zone("America/New_York", "Europe/Berlin") == NEW_YORK
    with pytest.raises(ValueError, match="unknown default time zone"):
        resolve_zone(None, "Nowhere/Else")
