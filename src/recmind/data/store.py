"""The store: catalogue, users, events and reviews in SQLite (embedded) or PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import orjson
import pandas as pd
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from recmind.config import Settings, get_settings
from recmind.data.bundle import (
    EVENT_COLUMNS,
    ITEM_COLUMNS,
    REVIEW_COLUMNS,
    USER_COLUMNS,
    DataBundle,
)
from recmind.data.schema import TABLES

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
EVENT_LOAD_COLUMNS = (*EVENT_COLUMNS, "query")
"""``load_events`` returns the canonical columns plus the ``query`` of search events."""


def _normalise_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs (psycopg2 is not a dependency)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL journal and a full fsync per commit: a committed chunk survives a crash.
    ``secure_delete``: deleted content is overwritten with zeros, not left in free space."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _parse_json_object(value: object) -> dict[str, Any]:
    if not isinstance(value, str | bytes):
        return {}
    parsed = orjson.loads(value)
    return parsed if isinstance(parsed, dict) else {}


class Store:
    """A SQLAlchemy engine over the recmind schema, plus fast bulk reads as DataFrames."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine

    @classmethod
    def from_url(cls, url: str) -> Store:
        """Open ``sqlite:///path`` (parent folder created) or ``postgresql+psycopg://...``."""
        url = _normalise_url(url)
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        return cls(url, engine)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Store:
        """Open the store named by ``settings.resolved_db_url`` (creating ``home``)."""
        settings = settings or get_settings()
        settings.home.mkdir(parents=True, exist_ok=True)
        return cls.from_url(settings.resolved_db_url)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    def migrate(self) -> None:
        """Bring the schema to the newest revision (a no-op when it is already there)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        logger.debug("store %s migrated", self.engine.url.render_as_string(hide_password=True))

    def checkpoint(self) -> bool:
        """SQLite: copy the write-ahead log into the database file and truncate it to zero
        bytes, so pages that held deleted rows do not linger in ``-wal`` (after an
        erasure). False when a reader kept it from completing (it is then retried by the
        next checkpoint); True on PostgreSQL, which has no such file to clear."""
        if self.dialect != "sqlite":
            return True
        with self.raw_connection() as connection:
            cursor = connection.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = cursor.fetchone()[0]
            cursor.close()
        if busy:
            logger.warning("the SQLite write-ahead log could not be truncated: a reader is busy")
        return not busy

    @contextmanager
    def raw_connection(self) -> Iterator[Any]:
        """A DB-API connection from the pool; commits on success, rolls back on error."""
        connection = self.engine.raw_connection()
        try:
            yield connection
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            connection.close()

    def _query(self, sql: str, columns: tuple[str, ...]) -> pd.DataFrame:
        with self.raw_connection() as connection:
            cursor = connection.cursor()
            cursor.execute(sql)
            rows = cursor.fetchall()
            cursor.close()
        frame = pd.DataFrame.from_records(rows, columns=list(columns))
        for name in frame.columns:
            column = frame[name].astype(object)
            frame[name] = column.where(column.notna(), None)
        return frame

    def _select(self, table: str, columns: tuple[str, ...], order: str) -> pd.DataFrame:
        quoted = ", ".join(f'"{c}"' for c in columns)
        return self._query(f"SELECT {quoted} FROM {table} ORDER BY {order}", columns)

    def load_items(self) -> pd.DataFrame:
        """The catalogue: ``ITEM_COLUMNS``; price and stock as floats (NaN when unknown),
        ``attributes`` as dicts."""
        frame = self._select("items", ITEM_COLUMNS, "item_id")
        frame["price"] = pd.to_numeric(frame["price"]).astype("float64")
        frame["stock"] = pd.to_numeric(frame["stock"]).astype("float64")
        frame["attributes"] = pd.Series(
            [_parse_json_object(v) for v in frame["attributes"]], dtype=object
        )
        return frame

    def load_users(self) -> pd.DataFrame:
        """Users: ``USER_COLUMNS``; ``created_at`` float epoch seconds (NaN when unknown),
        ``consent_email`` True/False/None (None: never stated), ``attributes`` as dicts."""
        frame = self._select("users", USER_COLUMNS, "user_id")
        frame["created_at"] = pd.to_numeric(frame["created_at"]).astype("float64")
        frame["consent_email"] = [
            None if v is None else bool(v) for v in frame["consent_email"].tolist()
        ]
        frame["consent_email"] = frame["consent_email"].astype(object)
        frame["attributes"] = pd.Series(
            [_parse_json_object(v) for v in frame["attributes"]], dtype=object
        )
        return frame

    def load_events(self) -> pd.DataFrame:
        """Events: ``EVENT_COLUMNS`` plus ``query``, ordered by time; ``timestamp`` and
        ``value`` float (``value`` NaN when absent); ``item_id`` None for searches."""
        frame = self._select("events", EVENT_LOAD_COLUMNS, '"timestamp", event_id')
        frame["timestamp"] = pd.to_numeric(frame["timestamp"]).astype("float64")
        frame["value"] = pd.to_numeric(frame["value"]).astype("float64")
        return frame

    def load_reviews(self) -> pd.DataFrame:
        """Reviews: ``REVIEW_COLUMNS``; ``rating`` and ``timestamp`` float (NaN when absent)."""
        frame = self._select("reviews", REVIEW_COLUMNS, "review_id")
        frame["rating"] = pd.to_numeric(frame["rating"]).astype("float64")
        frame["timestamp"] = pd.to_numeric(frame["timestamp"]).astype("float64")
        return frame

    def load_bundle(self, name: str = "store") -> DataBundle:
        """Everything in the store as one bundle."""
        return DataBundle(
            name=name,
            items=self.load_items(),
            users=self.load_users(),
            events=self.load_events(),
            reviews=self.load_reviews(),
        )

    def item_ids(self) -> list[str]:
        """Every catalogue item id (the reference set for event validation)."""
        with self.engine.connect() as connection:
            return [row[0] for row in connection.execute(text("SELECT item_id FROM items"))]

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        with self.engine.connect() as connection:
            return {
                name: int(connection.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar_one())
                for name in TABLES
            }

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
