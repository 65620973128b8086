"""Time zones as UTC-offset intervals: daylight saving found to the second, bad names UTC."""

from __future__ import annotations

import pytest
from tests.customers.log import utc

from recmind.customers.zones import FOREVER, offset_intervals, resolve_zone

HOUR = 3600.0


def test_new_york_2025_has_its_two_transitions_to_the_second() -> None:
    intervals = offset_intervals("America/New_York", utc("2025-01-10"), utc("2025-12-20"))
    assert intervals == [
        (-FOREVER, utc("2025-03-09 07:00"), -5 * HOUR),
        (utc("2025-03-09 07:00"), utc("2025-11-02 06:00"), -4 * HOUR),
        (utc("2025-11-02 06:00"), FOREVER, -5 * HOUR),
    ]


def test_a_span_over_years_and_a_zone_without_daylight_saving() -> None:
    paris = offset_intervals("Europe/Paris", utc("2023-06-01"), utc("2025-06-01"))
    assert len(paris) == 7  # six transitions: March and October of 2023, 2024, 2025
    assert [offset for _, _, offset in paris] == [HOUR, 2 * HOUR] * 3 + [HOUR]
    assert offset_intervals("Asia/Kolkata", utc("2020-01-01"), utc("2025-01-01")) == [
        (-FOREVER, FOREVER, 5.5 * HOUR)
    ]


@pytest.mark.parametrize(
    "name", [None, "", "  ", "Not/AZone", "America", "../../etc/passwd", "UTC+5"]
)
def test_missing_or_unknown_zones_are_utc(name: str | None) -> None:
    assert resolve_zone(name) is None
    assert offset_intervals(name, 0.0, utc("2025-01-01")) == [(-FOREVER, FOREVER, 0.0)]
