"""Column parsers: the same answer for strings (CSV) and native values (JSON, Parquet)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from recmind.data import validate_fields as fields


def _s(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype=object)


def test_text_strips_and_treats_blank_as_missing() -> None:
    parsed = fields.text(_s(" a ", "", None, "  ", 7, 7.0, 2.5, True))
    assert parsed.values.tolist() == ["a", None, None, None, "7", "7", "2.5", "true"]
    assert parsed.missing.tolist() == [False, True, True, True, False, False, False, False]


def test_text_of_numeric_columns() -> None:
    assert fields.text(pd.Series([1, 2])).values.tolist() == ["1", "2"]
    assert fields.text(pd.Series([1.0, np.nan])).values.tolist() == ["1", None]


def test_number() -> None:
    parsed = fields.number(_s("1.5", " 2 ", "abc", "", "inf", 3, True, "nan"))
    assert parsed.values.tolist()[:2] == [1.5, 2.0]
    assert parsed.invalid.tolist() == [False, False, True, False, True, False, True, True]
    assert parsed.missing.tolist() == [False, False, False, True, False, False, False, False]


def test_integer_rejects_fractions() -> None:
    parsed = fields.integer(_s("3", "3.0", "2.5", 4, "", "x"))
    assert parsed.invalid.tolist() == [False, False, True, False, False, True]
    assert parsed.values.tolist()[:2] == [3.0, 3.0]


def test_boolean_words() -> None:
    parsed = fields.boolean(_s("true", "FALSE", "1", "0", "yes", "No", True, 0, "", "maybe"))
    assert parsed.values.tolist() == [
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        False,
        None,
        None,
    ]
    assert parsed.invalid.tolist() == [False] * 9 + [True]


def test_timestamps_from_text_epoch_and_datetimes() -> None:
    parsed = fields.timestamp(
        _s("2024-01-01T00:00:00Z", "2024-01-01T02:00:00+02:00", "2024-01-01", "1704067200",
           1704067200, "yesterday", "", "2024-13-45")
    )  # fmt: skip
    assert parsed.values.tolist()[:5] == [1704067200.0] * 5
    assert parsed.invalid.tolist() == [False] * 5 + [True, False, True]
    assert parsed.missing.tolist() == [False] * 6 + [True, False]
    native = pd.Series(pd.to_datetime(["2024-01-01", None]))
    assert fields.timestamp(native).values.tolist()[0] == 1704067200.0
    assert fields.timestamp(native).missing.tolist() == [False, True]
    assert fields.timestamp(pd.Series([1.5, np.nan])).values.tolist()[0] == 1.5


def test_far_future_dates_parse_so_they_can_be_rejected_as_future() -> None:
    parsed = fields.timestamp(_s("2999-01-01T00:00:00Z"))
    assert not parsed.invalid[0]
    assert parsed.values[0] > 3e10


@given(st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2200, 1, 1)))
def test_iso_and_epoch_agree(moment: dt.datetime) -> None:
    moment = moment.replace(tzinfo=dt.UTC)
    epoch = moment.timestamp()
    parsed = fields.timestamp(_s(moment.isoformat(), moment.isoformat().replace("+00:00", "Z")))
    assert parsed.values.tolist() == [epoch, epoch]


def test_json_object() -> None:
    parsed = fields.json_object(_s({"a": 1}, '{"b": 2}', "[1]", "{bad", "", None, 5, np.nan))
    assert parsed.values.tolist()[:2] == [{"a": 1}, {"b": 2}]
    assert parsed.invalid.tolist() == [False, False, True, True, False, False, True, False]
    assert parsed.missing.tolist() == [False] * 4 + [True, True, False, True]
