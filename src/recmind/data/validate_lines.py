"""Parse an order's ``lines``: a non-empty list of ``{item_id, quantity, unit_price}``.

A cell may be a list (JSON Lines, Parquet, an API body) or the JSON text of one (CSV).
Each line needs an ``item_id`` (text or a number, stored as text), a whole ``quantity`` of
at least 1 and a finite ``unit_price`` that is not negative; other keys are refused, so a
typo (``qty``) is caught rather than silently dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import pandas as pd

from recmind.data.bundle import ORDER_LINE_FIELDS

MAX_LINES = 1000
"""More lines than this in one order is a broken export, not a basket."""
MAX_QUANTITY = 1_000_000
MAX_ID_CHARS = 255


@dataclass(frozen=True)
class ParsedLines:
    """The canonical lines of each cell (None where missing or malformed)."""

    values: list[list[dict[str, Any]] | None]
    missing: np.ndarray
    invalid: np.ndarray

    def item_ids(self) -> list[set[str]]:
        """The item ids of each row's lines (empty for a missing or malformed cell)."""
        return [{line["item_id"] for line in lines} if lines else set() for lines in self.values]


def _native(value: Any) -> Any:
    """A numpy scalar (Parquet) as the Python value it holds."""
    return value.item() if isinstance(value, np.generic) else value


def _item_id(value: Any) -> str | None:
    value = _native(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        value = str(int(value))
    if isinstance(value, str) and value.strip() and len(value.strip()) <= MAX_ID_CHARS:
        return value.strip()
    return None


def _finite(value: Any) -> float | None:
    """A number (or its text) as a finite float; None for anything else, huge ints too."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value) if isinstance(value, int | float | str) else None
    except (ValueError, OverflowError):
        return None
    return number if number is not None and math.isfinite(number) else None


def _quantity(value: Any) -> int | None:
    number = _finite(_native(value))
    if number is None or not number.is_integer():
        return None
    return int(number) if 1 <= number <= MAX_QUANTITY else None


def _price(value: Any) -> float | None:
    number = _finite(_native(value))
    return number if number is not None and number >= 0 else None


def parse_line(line: Any) -> dict[str, Any] | None:
    """One line in canonical form, or None when it is not a valid line."""
    if not isinstance(line, dict) or set(line) - set(ORDER_LINE_FIELDS):
        return None
    item_id = _item_id(line.get("item_id"))
    quantity = _quantity(line.get("quantity"))
    unit_price = _price(line.get("unit_price"))
    if item_id is None or quantity is None or unit_price is None:
        return None
    return {"item_id": item_id, "quantity": quantity, "unit_price": unit_price}


def _cell(value: Any) -> tuple[list[dict[str, Any]] | None, bool]:
    """``(lines, ok)`` for one present cell."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, bytes | str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            return None, False
    if not isinstance(value, list) or not value or len(value) > MAX_LINES:
        return None, False
    lines = [parse_line(line) for line in value]
    if any(line is None for line in lines):
        return None, False
    return [line for line in lines if line is not None], True


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def order_lines(series: pd.Series) -> ParsedLines:
    """Parse a column of order lines."""
    values: list[list[dict[str, Any]] | None] = [None] * len(series)
    missing = np.zeros(len(series), dtype=bool)
    invalid = np.zeros(len(series), dtype=bool)
    for position, cell in enumerate(series.tolist()):
        if _is_missing(cell):
            missing[position] = True
            continue
        lines, ok = _cell(cell)
        values[position] = lines
        invalid[position] = not ok
    return ParsedLines(values, missing, invalid)
