"""Vectorised parsers for one column: text, ids, numbers, booleans, timestamps, JSON objects.

Each parser takes whatever a reader produced (strings from CSV, native values from JSON
Lines or Parquet) and returns the canonical values with two masks: ``missing`` (absent or
blank) and ``invalid`` (present but not of the expected type).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import pandas as pd
from pandas.api.types import (
    infer_dtype,
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_float_dtype,
    is_integer_dtype,
    is_numeric_dtype,
)

EPOCH = pd.Timestamp(0, tz="UTC").as_unit("s")
TRUE_WORDS = frozenset({"true", "1", "yes", "1.0"})
FALSE_WORDS = frozenset({"false", "0", "no", "0.0"})


@dataclass(frozen=True)
class Parsed:
    """Canonical values of one column (missing and invalid cells hold None/NaN)."""

    values: pd.Series
    missing: np.ndarray
    invalid: np.ndarray

    @property
    def present(self) -> np.ndarray:
        present: np.ndarray = ~self.missing & ~self.invalid
        return present


def absent(length: int) -> pd.Series:
    """The column a source does not have: every cell missing."""
    return pd.Series([None] * length, dtype=object)


def _cell_text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.isoformat()
    return str(value).strip()


def _text_values(series: pd.Series) -> pd.Series:
    """Stripped strings (NaN where the cell is null)."""
    if isinstance(series.dtype, pd.StringDtype):
        return series.str.strip()  # Arrow-backed text from the CSV reader: vectorised
    obj = series.astype(object)
    if infer_dtype(obj, skipna=True) in ("string", "empty"):
        return obj.str.strip()
    return obj.map(_cell_text, na_action="ignore")


def text(series: pd.Series) -> Parsed:
    """Free text or an id: stripped; blank means missing. Numbers become their digits."""
    values = _text_values(series)
    missing = (values.isna() | (values == "")).to_numpy(dtype=bool)
    cells = values.to_numpy(dtype=object, copy=True)
    cells[missing] = None
    return Parsed(
        pd.Series(cells, index=values.index, dtype=object),
        missing,
        np.zeros(len(cells), dtype=bool),
    )


def number(series: pd.Series) -> Parsed:
    """A finite float; ``"abc"``, ``true`` or ``inf`` are invalid."""
    if is_numeric_dtype(series) and not is_bool_dtype(series):
        values = pd.Series(series.to_numpy(dtype="float64", na_value=np.nan))
        missing = values.isna().to_numpy()
    else:
        raw = text(series)
        values = pd.to_numeric(raw.values, errors="coerce").astype("float64")
        missing = raw.missing
    finite = np.isfinite(values.to_numpy())
    invalid = ~missing & ~finite
    return Parsed(values.where(finite), missing, invalid)


def integer(series: pd.Series) -> Parsed:
    """A whole number (``3`` or ``3.0``; ``2.5`` is invalid), as float to allow NaN."""
    parsed = number(series)
    values = parsed.values.to_numpy()
    fractional = np.zeros(len(values), dtype=bool)
    ok = parsed.present
    fractional[ok] = values[ok] != np.floor(values[ok])
    invalid = parsed.invalid | fractional
    return Parsed(parsed.values.where(~invalid), parsed.missing, invalid)


def boolean(series: pd.Series) -> Parsed:
    """true/false, 1/0, yes/no (any case) as Python bools (object Series, None if absent)."""
    raw = text(series)
    words = raw.values.str.lower()
    truth = words.isin(TRUE_WORDS).to_numpy()
    falsity = words.isin(FALSE_WORDS).to_numpy()
    values = pd.Series([None] * len(words), dtype=object)
    values[truth] = True
    values[falsity] = False
    invalid = ~raw.missing & ~truth & ~falsity
    return Parsed(values, raw.missing, invalid)


def timestamp(series: pd.Series) -> Parsed:
    """Float epoch seconds (UTC) from epoch numbers, ISO 8601 text or datetimes.

    ISO text without an offset is taken as UTC.
    """
    if is_datetime64_any_dtype(series):
        stamps = pd.to_datetime(series, utc=True)
        seconds = ((stamps - EPOCH) / pd.Timedelta(seconds=1)).astype("float64")
        missing = seconds.isna().to_numpy()
        return Parsed(seconds, missing, np.zeros(len(series), dtype=bool))
    if is_integer_dtype(series) or is_float_dtype(series):
        return number(series)
    raw = text(series)
    seconds = pd.to_numeric(raw.values, errors="coerce").astype("float64")
    needs_parse = ~raw.missing & seconds.isna().to_numpy()
    if needs_parse.any():
        stamps = pd.to_datetime(
            raw.values[needs_parse], format="ISO8601", utc=True, errors="coerce"
        )
        seconds[needs_parse] = ((stamps - EPOCH) / pd.Timedelta(seconds=1)).to_numpy()
    finite = np.isfinite(seconds.to_numpy())
    invalid = ~raw.missing & ~finite
    return Parsed(seconds.where(finite), raw.missing, invalid)


def _as_object(value: Any) -> tuple[dict[str, Any] | None, bool]:
    """``(object, ok)`` for one cell: a dict, or JSON text of an object."""
    if isinstance(value, dict):
        return value, True
    if isinstance(value, bytes | str):
        try:
            parsed = orjson.loads(value)
        except orjson.JSONDecodeError:
            return None, False
        return (parsed, True) if isinstance(parsed, dict) else (None, False)
    return None, False


def json_object(series: pd.Series) -> Parsed:
    """A JSON object given as a dict or as JSON text; anything else is malformed."""
    values: list[dict[str, Any] | None] = [None] * len(series)
    missing = np.zeros(len(series), dtype=bool)
    invalid = np.zeros(len(series), dtype=bool)
    for position, cell in enumerate(series.tolist()):
        if cell is None or (isinstance(cell, float) and np.isnan(cell)):
            missing[position] = True
            continue
        if isinstance(cell, str) and not cell.strip():
            missing[position] = True
            continue
        parsed, ok = _as_object(cell)
        values[position] = parsed
        invalid[position] = not ok
    return Parsed(pd.Series(values, dtype=object), missing, invalid)
