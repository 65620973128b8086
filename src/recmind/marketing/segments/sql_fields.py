"""SQL expressions for field conditions, the same on SQLite and PostgreSQL.

Every condition built here is two-valued: a person for whom a field is not set fails
``=``, ``!=``, ``<``, ``in``, ``not in`` ... alike (``!=`` means "set and different"), so
``{"not": ...}`` is exactly the complement and no SQL NULL leaks through a negation.
JSON values (``attributes.KEY``, ``category_shares.CATEGORY``) are read by type: a
numeric comparison sees only JSON numbers, a text one only JSON strings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Double,
    case,
    cast,
    false,
    func,
    literal,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB

from recmind.marketing.segments.catalogue import FieldType
from recmind.marketing.segments.validate import time_value

DAY = 86_400.0
HOUR = 3_600.0


def json_value(document: Any, key: str, kind: FieldType, dialect: str) -> ColumnElement[Any]:
    """The value under ``key`` of a JSON-object text column, when it has the JSON type
    ``kind`` asks for (NULL otherwise, and when the key is absent)."""
    if dialect == "postgresql":
        doc = cast(document, JSONB)
        jtype = func.jsonb_typeof(func.jsonb_extract_path(doc, key))
        text = func.jsonb_extract_path_text(doc, key)
        if kind in ("number", "integer", "time"):
            return case((jtype == "number", cast(text, Double)), else_=None)
        if kind == "boolean":
            return case((jtype == "boolean", text == "true"), else_=None)
        return case((jtype == "string", text), else_=None)
    path = '$."' + key + '"'
    jtype = func.json_type(document, path)
    extracted = func.json_extract(document, path)
    if kind in ("number", "integer", "time"):
        return case((jtype.in_(("integer", "real")), extracted), else_=None)
    if kind == "boolean":
        return case((jtype == "true", literal(1)), (jtype == "false", literal(0)), else_=None)
    return case((jtype == "text", extracted), else_=None)


def json_present(document: Any, key: str, dialect: str) -> ColumnElement[bool]:
    """Whether the JSON object holds ``key`` with a non-null value."""
    if dialect == "postgresql":
        return func.jsonb_extract_path_text(cast(document, JSONB), key).is_not(None)
    return func.json_extract(document, '$."' + key + '"').is_not(None)


def text_contains(haystack: Any, needle: str, dialect: str) -> ColumnElement[bool]:
    """Case-sensitive substring test (``instr`` / ``strpos``: no LIKE wildcards to escape)."""
    found = func.strpos if dialect == "postgresql" else func.instr
    return found(haystack, literal(needle)) > 0


def _scalar(value: Any, kind: FieldType) -> Any:
    if kind == "time":
        return time_value(value)
    if kind in ("number", "integer") and not isinstance(value, bool):
        return float(value)
    return value


def apply_op(expr: Any, op: str, value: Any, kind: FieldType, dialect: str) -> ColumnElement[bool]:
    """``expr OP value`` as a two-valued condition (false where ``expr`` is NULL)."""
    if op == "is set":
        return expr.is_not(None)  # type: ignore[no-any-return]
    if op == "is not set":
        return expr.is_(None)  # type: ignore[no-any-return]
    if kind == "boolean":
        wanted = bool(value) if op == "=" else not bool(value)
        return expr.is_(true() if wanted else false())  # type: ignore[no-any-return]
    if op == "between":
        low, high = (_scalar(v, kind) for v in value)
        return _two_valued(expr.between(low, high))
    if op in ("in", "not in"):
        values = [_scalar(v, kind) for v in value]
        return _two_valued(expr.in_(values) if op == "in" else expr.not_in(values))
    if op == "contains":
        return _two_valued(text_contains(expr, str(value), dialect))
    operand = _scalar(value, kind)
    tests = {
        "=": lambda: expr == operand,
        "!=": lambda: expr != operand,
        "<": lambda: expr < operand,
        "<=": lambda: expr <= operand,
        ">": lambda: expr > operand,
        ">=": lambda: expr >= operand,
    }
    return _two_valued(tests[op]())


def _two_valued(test: ColumnElement[bool]) -> ColumnElement[bool]:
    """NULL (a field not set) as false, so that a negation is the exact complement."""
    return func.coalesce(test, false())
