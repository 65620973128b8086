"""Connections for evaluating segment queries.

PostgreSQL compiles a query to machine code (JIT) when its estimated cost is high, which
a segment count over a large event table always is; the compilation alone takes a few
hundred milliseconds and buys nothing for a query that runs in well under a second, so
segment evaluation turns it off for its own transaction (``SET LOCAL``: nothing else is
affected). SQLite needs nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

from recmind.data.store import Store


def tune(connection: Connection) -> None:
    """Settings for segment queries on this connection's current transaction."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL jit = off"))


@contextmanager
def reading(store: Store) -> Iterator[Connection]:
    """A connection in a read transaction tuned for segment queries (rolled back)."""
    with store.engine.connect() as connection:
        tune(connection)
        yield connection
