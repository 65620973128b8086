"""Checks an online write needs beyond the importer's validation: values the store cannot
hold (NUL characters, broken unicode, ids longer than their column, integers past 64 bits)
and fields a record must not have.

The importer never meets these (its readers decode files, its columns come from a mapping),
but a JSON body can carry anything; without these checks PostgreSQL would refuse the write
with an error instead of the client getting a clear rejection.
"""

from __future__ import annotations

from typing import Any

NOT_AN_OBJECT = "not_an_object"
UNKNOWN_FIELD = "unknown_field"
TOO_LONG = "too_long"
INVALID_TEXT = "invalid_text"
TOO_LARGE = "too_large"

ONLINE_REASONS: dict[str, str] = {
    NOT_AN_OBJECT: "the row is not a JSON object",
    UNKNOWN_FIELD: "{field} is not a field of this entity",
    TOO_LONG: "{field} is longer than {limit} characters",
    INVALID_TEXT: "{field} contains a NUL character or invalid unicode",
    TOO_LARGE: "{field} is larger than the store can hold",
}
"""Rejection reasons of the online API, on top of :data:`recmind.data.validate.REASONS`."""

MAX_LENGTH: dict[str, int] = {
    "event_id": 255,
    "user_id": 255,
    "item_id": 255,
    "review_id": 255,
    "order_id": 255,
    "event_type": 32,
    "language": 32,
    "timezone": 64,
}
"""Column widths of the schema (PostgreSQL enforces them)."""
MAX_BIGINT = 2**63 - 1


def message(reason: str, field: str | None) -> str:
    """The human sentence of a rejection reason."""
    # Imported here: the API's schemas (and so the typed client) import this module, and
    # the importer's validation brings pandas, which a client-only install does not have.
    from recmind.data.validate import REASONS

    template = ONLINE_REASONS.get(reason) or REASONS.get(reason, reason)
    return template.format(field=field or "the row", limit=MAX_LENGTH.get(field or "", 0))


def _bad_text(value: str) -> bool:
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def text_problem(value: Any, depth: int = 0) -> bool:
    """True when ``value`` (or anything nested in it) holds text the store cannot take."""
    if isinstance(value, str):
        return _bad_text(value)
    if depth > 64:
        return True
    if isinstance(value, dict):
        return any(
            text_problem(k, depth + 1) or text_problem(v, depth + 1) for k, v in value.items()
        )
    if isinstance(value, list):
        return any(text_problem(v, depth + 1) for v in value)
    return False


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def field_problem(name: str, value: Any) -> str | None:
    """The reason ``value`` cannot be stored in field ``name``, else None."""
    if value is None:
        return None
    if text_problem(value):
        return INVALID_TEXT
    limit = MAX_LENGTH.get(name)
    if limit is not None and not isinstance(value, dict | list) and len(_as_text(value)) > limit:
        return TOO_LONG
    if name == "stock" and isinstance(value, int | float) and abs(value) > MAX_BIGINT:
        return TOO_LARGE
    return None
