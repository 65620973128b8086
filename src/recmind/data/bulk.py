"""Bulk writes on a raw DB-API connection: the import's fast path.

SQLite: ``executemany`` of ``INSERT ... ON CONFLICT``. PostgreSQL: ``COPY`` into a temporary
table, then one ``INSERT ... SELECT ... ON CONFLICT``. Both return how many rows were
inserted (or, for upserts, inserted or actually changed), so duplicates are counted honestly.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

_temp_names = itertools.count()
SQLITE_CACHE_KIB = 256 * 1024
"""Page cache of a connection that bulk-writes to SQLite (256 MB, allocated as used)."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class BulkWriter:
    """Writes rows of one table inside the caller's transaction."""

    def __init__(self, connection: Any, dialect: str) -> None:
        if dialect not in ("sqlite", "postgresql"):
            raise ValueError(f"bulk writes support sqlite and postgresql, not {dialect}")
        self.connection = connection
        self.dialect = dialect
        if dialect == "sqlite":
            # Inserting into the events indexes touches pages all over the B-trees; with
            # SQLite's default 2 MB page cache a million-row import thrashes the disk.
            connection.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")

    def insert_ignore(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> int:
        """Insert the rows that violate no unique constraint; returns how many were inserted."""
        if not rows:
            return 0
        return self._write(table, columns, rows, "ON CONFLICT DO NOTHING")

    def upsert(
        self,
        table: str,
        key: str,
        columns: Sequence[str],
        rows: Sequence[tuple[Any, ...]],
    ) -> int:
        """Insert new keys and update existing rows whose values differ.

        Only ``columns`` are written; others keep their stored values. Returns the number of
        rows inserted or changed (rows identical to the store are not counted). ``rows`` must
        not repeat a key.
        """
        if not rows:
            return 0
        updated = [c for c in columns if c != key]
        if not updated:
            return self._write(table, columns, rows, f"ON CONFLICT ({_quote(key)}) DO NOTHING")
        target = _quote(table)
        distinct = "IS NOT" if self.dialect == "sqlite" else "IS DISTINCT FROM"
        assignments = ", ".join(f"{_quote(c)} = excluded.{_quote(c)}" for c in updated)
        changed = " OR ".join(
            f"{target}.{_quote(c)} {distinct} excluded.{_quote(c)}" for c in updated
        )
        clause = f"ON CONFLICT ({_quote(key)}) DO UPDATE SET {assignments} WHERE {changed}"
        return self._write(table, columns, rows, clause)

    def _write(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]], clause: str
    ) -> int:
        names = ", ".join(_quote(c) for c in columns)
        cursor = self.connection.cursor()
        try:
            if self.dialect == "sqlite":
                marks = ", ".join("?" for _ in columns)
                sql = f"INSERT INTO {_quote(table)} ({names}) VALUES ({marks}) {clause}"
                cursor.executemany(sql, rows)
                return int(cursor.rowcount)
            temp = _quote(f"_bulk_{table}_{next(_temp_names)}")
            cursor.execute(
                f"CREATE TEMP TABLE {temp} (LIKE {_quote(table)} INCLUDING DEFAULTS) ON COMMIT DROP"
            )
            with cursor.copy(f"COPY {temp} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {_quote(table)} ({names}) SELECT {names} FROM {temp} {clause}"
            )
            inserted = int(cursor.rowcount)
            cursor.execute(f"DROP TABLE {temp}")
            return inserted
        finally:
            cursor.close()
