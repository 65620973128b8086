"""Small SQL helpers the policy and tracking modules share (both dialects)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

T = TypeVar("T")

IN_CHUNK = 900
"""Ids per ``IN (...)`` list: well under SQLite's bound-parameter limit."""


def chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def dialect_insert(connection: Connection, table: Table) -> Any:
    """``INSERT`` of the connection's dialect (for ``on_conflict_do_nothing/update``)."""
    module = postgresql if connection.dialect.name == "postgresql" else sqlite
    return module.insert(table)
