"""Validation of one chunk of items, users, events, reviews or orders (canonical column
names).

A row with several problems is rejected once, for the first problem found in this order:
missing required field, wrong type or malformed JSON, unknown event type or order status,
value out of range (negative price or stock, rating out of range, timestamp in the future
or before 1990), unknown item. Fields are checked in their canonical order within each step.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from recmind.config import Settings
from recmind.data import validate_fields as fields
from recmind.data.bundle import (
    EVENT_COLUMNS,
    EVENT_TYPES,
    ITEM_COLUMNS,
    ORDER_COLUMNS,
    ORDER_STATUSES,
    REVIEW_COLUMNS,
    USER_COLUMNS,
)
from recmind.data.readers import MALFORMED_JSON, MALFORMED_ROW
from recmind.data.validate_lines import MAX_LINES, MAX_QUANTITY, order_lines

MISSING_REQUIRED = "missing_required"
WRONG_TYPE = "wrong_type"
UNKNOWN_EVENT_TYPE = "unknown_event_type"
NEGATIVE_VALUE = "negative_value"
RATING_OUT_OF_RANGE = "rating_out_of_range"
FUTURE_TIMESTAMP = "future_timestamp"
TIMESTAMP_TOO_OLD = "timestamp_too_old"
UNKNOWN_ITEM = "unknown_item"
UNKNOWN_ORDER_STATUS = "unknown_order_status"
MALFORMED_LINES = "malformed_lines"
INVALID_CURRENCY = "invalid_currency"
UNKNOWN_LINE_ITEM = "unknown_line_item"

REASONS: dict[str, str] = {
    MALFORMED_ROW: "the row does not have as many fields as the header",
    MALFORMED_JSON: "{field} is not a JSON object",
    MISSING_REQUIRED: "{field} is required",
    WRONG_TYPE: "{field} has the wrong type",
    UNKNOWN_EVENT_TYPE: "event_type must be one of " + ", ".join(EVENT_TYPES),
    NEGATIVE_VALUE: "{field} must not be negative",
    RATING_OUT_OF_RANGE: "{field} is outside the allowed rating range",
    FUTURE_TIMESTAMP: "{field} lies in the future",
    TIMESTAMP_TOO_OLD: "{field} is before 1990-01-01",
    UNKNOWN_ITEM: "{field} is not in the catalogue",
    UNKNOWN_ORDER_STATUS: "status must be one of " + ", ".join(ORDER_STATUSES),
    MALFORMED_LINES: (
        "{field} must be a list of 1 to "
        f"{MAX_LINES:,} objects with exactly item_id, quantity (a whole number from 1 to "
        f"{MAX_QUANTITY:,}) and unit_price (a number, not negative)"
    ),
    INVALID_CURRENCY: "{field} must be a three-letter ISO 4217 code such as EUR",
    UNKNOWN_LINE_ITEM: "{field} name an item that is not in the catalogue",
}
"""Every rejection reason and a human sentence for it."""

EARLIEST_TIMESTAMP = 631152000.0
"""1990-01-01T00:00:00Z: anything earlier is a broken clock or a unit mistake."""

ENTITY_FIELDS: dict[str, tuple[str, ...]] = {
    "items": ITEM_COLUMNS,
    "users": USER_COLUMNS,
    "events": (*EVENT_COLUMNS, "query"),
    "reviews": REVIEW_COLUMNS,
    "orders": ORDER_COLUMNS,
}
CANONICAL_FIELDS = frozenset(f for names in ENTITY_FIELDS.values() for f in names)


@dataclass(frozen=True)
class ValidationContext:
    """What a row is checked against."""

    rating_min: float
    rating_max: float
    latest: float
    """Newest acceptable timestamp (now plus the clock-skew tolerance)."""
    known_items: pd.Index | None = None
    """The catalogue; ``None`` skips the unknown-item check."""
    earliest: float = EARLIEST_TIMESTAMP

    @classmethod
    def from_settings(
        cls, settings: Settings, known_items: pd.Index | None = None, now: float | None = None
    ) -> ValidationContext:
        now = time.time() if now is None else now
        return cls(
            rating_min=settings.rating_min,
            rating_max=settings.rating_max,
            latest=now + settings.future_tolerance_seconds,
            known_items=known_items,
        )


@dataclass(frozen=True)
class Validated:
    """The accepted rows (canonical columns, fresh index) and the rejected positions."""

    clean: pd.DataFrame
    rejected: pd.DataFrame
    """Columns ``position`` (into the input chunk), ``field``, ``reason``."""
    present: tuple[str, ...]
    """Canonical columns the source provided (only these are updated on upsert)."""


class _Flags:
    """The first problem of each row."""

    def __init__(self, length: int) -> None:
        self.reason = np.full(length, None, dtype=object)
        self.field = np.full(length, None, dtype=object)

    def flag(self, mask: np.ndarray | pd.Series, field: str, reason: str) -> None:
        hit = np.asarray(mask, dtype=bool) & (self.reason == None)  # noqa: E711 - elementwise
        self.reason[hit] = reason
        self.field[hit] = field

    def result(self, clean: dict[str, Any], present: tuple[str, ...]) -> Validated:
        ok = self.reason == None  # noqa: E711 - elementwise
        frame = pd.DataFrame(clean).loc[ok].reset_index(drop=True)
        positions = np.flatnonzero(~ok)
        rejected = pd.DataFrame(
            {"position": positions, "field": self.field[~ok], "reason": self.reason[~ok]}
        )
        return Validated(frame, rejected, present)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame.columns else fields.absent(len(frame))


def _present(frame: pd.DataFrame, entity: str) -> tuple[str, ...]:
    return tuple(name for name in ENTITY_FIELDS[entity] if name in frame.columns)


def _with_attributes(
    frame: pd.DataFrame, entity: str, flags: _Flags
) -> tuple[list[dict[str, Any] | None], bool]:
    """The ``attributes`` object merged with the columns that map to no canonical field."""
    parsed = fields.json_object(_column(frame, "attributes"))
    flags.flag(parsed.invalid, "attributes", MALFORMED_JSON)
    extras = [c for c in frame.columns if c not in ENTITY_FIELDS[entity]]
    merged: list[dict[str, Any] | None] = list(parsed.values)
    for name in extras:
        series = frame[name]
        native = is_numeric_dtype(series) or is_bool_dtype(series)
        values = series.tolist() if native else fields.text(series).values.tolist()
        for position, value in enumerate(values):
            if value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            merged[position] = {name: value, **(merged[position] or {})}
    return merged, bool(extras) or "attributes" in frame.columns


def _check_timestamp(
    flags: _Flags, parsed: fields.Parsed, name: str, ctx: ValidationContext
) -> None:
    values = parsed.values.to_numpy()
    with np.errstate(invalid="ignore"):
        flags.flag(values > ctx.latest, name, FUTURE_TIMESTAMP)
        flags.flag(values < ctx.earliest, name, TIMESTAMP_TOO_OLD)


def _check_rating(
    flags: _Flags, values: pd.Series, mask: np.ndarray, name: str, ctx: ValidationContext
) -> None:
    array = values.to_numpy()
    with np.errstate(invalid="ignore"):
        outside = (array < ctx.rating_min) | (array > ctx.rating_max)
    flags.flag(mask & outside, name, RATING_OUT_OF_RANGE)


def _check_item(flags: _Flags, item_id: fields.Parsed, ctx: ValidationContext) -> None:
    if ctx.known_items is None:
        return
    known = ctx.known_items.get_indexer(pd.Index(item_id.values.fillna(""))) >= 0
    flags.flag(~item_id.missing & ~known, "item_id", UNKNOWN_ITEM)


def validate_items(frame: pd.DataFrame, ctx: ValidationContext) -> Validated:
    """Items: ``item_id`` and ``title`` required; price and stock non-negative; stock whole."""
    flags = _Flags(len(frame))
    item_id, title = fields.text(_column(frame, "item_id")), fields.text(_column(frame, "title"))
    flags.flag(item_id.missing, "item_id", MISSING_REQUIRED)
    flags.flag(title.missing, "title", MISSING_REQUIRED)
    price, stock = fields.number(_column(frame, "price")), fields.integer(_column(frame, "stock"))
    flags.flag(price.invalid, "price", WRONG_TYPE)
    flags.flag(stock.invalid, "stock", WRONG_TYPE)
    attributes, has_attributes = _with_attributes(frame, "items", flags)
    flags.flag(price.values.to_numpy() < 0, "price", NEGATIVE_VALUE)
    flags.flag(stock.values.to_numpy() < 0, "stock", NEGATIVE_VALUE)
    clean = {
        "item_id": item_id.values,
        "title": title.values,
        "description": fields.text(_column(frame, "description")).values,
        "category": fields.text(_column(frame, "category")).values,
        "price": price.values,
        "stock": stock.values,
        "language": fields.text(_column(frame, "language")).values,
        "attributes": pd.Series(attributes, dtype=object),
    }
    present = _present(frame, "items") + (("attributes",) if has_attributes else ())
    return flags.result(clean, tuple(dict.fromkeys(present)))


def validate_users(frame: pd.DataFrame, ctx: ValidationContext) -> Validated:
    """Users: ``user_id`` required; unmapped columns go into ``attributes``."""
    flags = _Flags(len(frame))
    user_id = fields.text(_column(frame, "user_id"))
    flags.flag(user_id.missing, "user_id", MISSING_REQUIRED)
    created_at = fields.timestamp(_column(frame, "created_at"))
    consent = fields.boolean(_column(frame, "consent_email"))
    flags.flag(created_at.invalid, "created_at", WRONG_TYPE)
    flags.flag(consent.invalid, "consent_email", WRONG_TYPE)
    attributes, has_attributes = _with_attributes(frame, "users", flags)
    _check_timestamp(flags, created_at, "created_at", ctx)
    clean = {
        "user_id": user_id.values,
        "created_at": created_at.values,
        "email": fields.text(_column(frame, "email")).values,
        "consent_email": consent.values,
        "timezone": fields.text(_column(frame, "timezone")).values,
        "attributes": pd.Series(attributes, dtype=object),
    }
    present = _present(frame, "users") + (("attributes",) if has_attributes else ())
    return flags.result(clean, tuple(dict.fromkeys(present)))


def validate_events(frame: pd.DataFrame, ctx: ValidationContext) -> Validated:
    """Events: user, type and timestamp required; item required except for searches;
    a ``rating`` event's ``value`` is the rating."""
    flags = _Flags(len(frame))
    user_id, item_id = (
        fields.text(_column(frame, "user_id")),
        fields.text(_column(frame, "item_id")),
    )
    event_type = fields.text(_column(frame, "event_type"))
    kind = event_type.values.str.lower()
    stamp, value = (
        fields.timestamp(_column(frame, "timestamp")),
        fields.number(_column(frame, "value")),
    )
    is_search = (kind == "search").to_numpy(dtype=bool)
    is_rating = (kind == "rating").to_numpy(dtype=bool)
    flags.flag(user_id.missing, "user_id", MISSING_REQUIRED)
    flags.flag(item_id.missing & ~is_search, "item_id", MISSING_REQUIRED)
    flags.flag(event_type.missing, "event_type", MISSING_REQUIRED)
    flags.flag(stamp.missing, "timestamp", MISSING_REQUIRED)
    flags.flag(value.missing & is_rating, "value", MISSING_REQUIRED)
    flags.flag(stamp.invalid, "timestamp", WRONG_TYPE)
    flags.flag(value.invalid, "value", WRONG_TYPE)
    flags.flag(
        ~event_type.missing & ~kind.isin(EVENT_TYPES).to_numpy(), "event_type", UNKNOWN_EVENT_TYPE
    )
    _check_rating(flags, value.values, is_rating, "value", ctx)
    _check_timestamp(flags, stamp, "timestamp", ctx)
    _check_item(flags, item_id, ctx)
    clean = {
        "event_id": fields.text(_column(frame, "event_id")).values,
        "user_id": user_id.values,
        "item_id": item_id.values,
        "event_type": kind,
        "timestamp": stamp.values,
        "value": value.values,
        "query": fields.text(_column(frame, "query")).values,
    }
    return flags.result(clean, _present(frame, "events"))


def validate_reviews(frame: pd.DataFrame, ctx: ValidationContext) -> Validated:
    """Reviews: user and item required; rating (if given) within the rating range."""
    flags = _Flags(len(frame))
    user_id, item_id = (
        fields.text(_column(frame, "user_id")),
        fields.text(_column(frame, "item_id")),
    )
    rating, stamp = (
        fields.number(_column(frame, "rating")),
        fields.timestamp(_column(frame, "timestamp")),
    )
    flags.flag(user_id.missing, "user_id", MISSING_REQUIRED)
    flags.flag(item_id.missing, "item_id", MISSING_REQUIRED)
    flags.flag(rating.invalid, "rating", WRONG_TYPE)
    flags.flag(stamp.invalid, "timestamp", WRONG_TYPE)
    _check_rating(flags, rating.values, rating.present, "rating", ctx)
    _check_timestamp(flags, stamp, "timestamp", ctx)
    _check_item(flags, item_id, ctx)
    clean = {
        "review_id": fields.text(_column(frame, "review_id")).values,
        "user_id": user_id.values,
        "item_id": item_id.values,
        "rating": rating.values,
        "text": fields.text(_column(frame, "text")).values,
        "timestamp": stamp.values,
    }
    return flags.result(clean, _present(frame, "reviews"))


def _currency(flags: _Flags, frame: pd.DataFrame) -> pd.Series:
    currency = fields.text(_column(frame, "currency"))
    codes = currency.values.str.upper()
    well_formed = codes.str.fullmatch(r"[A-Z]{3}").fillna(False).to_numpy(dtype=bool)
    flags.flag(~currency.missing & ~well_formed, "currency", INVALID_CURRENCY)
    return codes


def validate_orders(frame: pd.DataFrame, ctx: ValidationContext) -> Validated:
    """Orders: id, user, ``created_at``, status and lines required; status one of
    :data:`ORDER_STATUSES` (any case); total not negative; currency an ISO code (upper
    case); ``created_at`` neither in the future nor before 1990; ``expected_delivery``
    (may lie ahead) not before 1990; every line's item in the catalogue."""
    flags = _Flags(len(frame))
    order_id, user_id = (
        fields.text(_column(frame, "order_id")),
        fields.text(_column(frame, "user_id")),
    )
    created, expected = (
        fields.timestamp(_column(frame, "created_at")),
        fields.timestamp(_column(frame, "expected_delivery")),
    )
    status = fields.text(_column(frame, "status"))
    kind = status.values.str.lower()
    lines, total = order_lines(_column(frame, "lines")), fields.number(_column(frame, "total"))
    for name, parsed in (
        ("order_id", order_id),
        ("user_id", user_id),
        ("created_at", created),
        ("status", status),
    ):
        flags.flag(parsed.missing, name, MISSING_REQUIRED)
    flags.flag(lines.missing, "lines", MISSING_REQUIRED)
    flags.flag(created.invalid, "created_at", WRONG_TYPE)
    flags.flag(lines.invalid, "lines", MALFORMED_LINES)
    flags.flag(total.invalid, "total", WRONG_TYPE)
    flags.flag(expected.invalid, "expected_delivery", WRONG_TYPE)
    flags.flag(
        ~status.missing & ~kind.isin(ORDER_STATUSES).to_numpy(), "status", UNKNOWN_ORDER_STATUS
    )
    currency = _currency(flags, frame)
    flags.flag(total.values.to_numpy() < 0, "total", NEGATIVE_VALUE)
    _check_timestamp(flags, created, "created_at", ctx)
    with np.errstate(invalid="ignore"):
        flags.flag(
            expected.values.to_numpy() < ctx.earliest, "expected_delivery", TIMESTAMP_TOO_OLD
        )
    if ctx.known_items is not None:
        known = set(ctx.known_items)
        unknown = np.array([not ids <= known for ids in lines.item_ids()], dtype=bool)
        flags.flag(unknown, "lines", UNKNOWN_LINE_ITEM)
    clean = {
        "order_id": order_id.values,
        "user_id": user_id.values,
        "created_at": created.values,
        "status": kind,
        "lines": pd.Series(lines.values, dtype=object),
        "total": total.values,
        "currency": currency,
        "carrier": fields.text(_column(frame, "carrier")).values,
        "tracking_number": fields.text(_column(frame, "tracking_number")).values,
        "expected_delivery": expected.values,
    }
    return flags.result(clean, _present(frame, "orders"))


def validate(entity: str, frame: pd.DataFrame, ctx: ValidationContext) -> Validated:
    """Validate one chunk of rows of ``entity`` (items, users, events, reviews, orders)."""
    return VALIDATORS[entity](frame.reset_index(drop=True), ctx)


VALIDATORS: dict[str, Callable[[pd.DataFrame, ValidationContext], Validated]] = {
    "items": validate_items,
    "users": validate_users,
    "events": validate_events,
    "reviews": validate_reviews,
    "orders": validate_orders,
}
"""The validator of each entity, in import order."""
