"""The store on SQLite and PostgreSQL: migrations, schema, round trips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, MetaData, Table, Text, text

from recmind.config import Settings
from recmind.data.bundle import (
    EVENT_COLUMNS,
    ITEM_COLUMNS,
    REVIEW_COLUMNS,
    USER_COLUMNS,
    DataBundle,
)
from recmind.data.importer import import_bundle
from recmind.data.schema import metadata
from recmind.data.store import MIGRATIONS_DIR, Store


def _diff(store: Store, target: MetaData) -> list[object]:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, target))


def test_migrated_schema_matches_the_metadata(store: Store) -> None:
    assert _diff(store, metadata) == []


def test_schema_check_would_notice_a_difference(store: Store) -> None:
    changed = MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    Table("items", changed, Column("colour", Text), extend_existing=True)
    assert any("colour" in str(change) for change in _diff(store, changed))


def test_migrate_is_idempotent(store: Store) -> None:
    store.migrate()
    store.migrate()
    with store.engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert versions == [(head,)] and head is not None
    assert store.counts() == {"items": 0, "users": 0, "events": 0, "reviews": 0, "orders": 0}


def test_empty_store_loads_canonical_columns(store: Store) -> None:
    bundle = store.load_bundle("empty")
    assert bundle.name == "empty"
    assert tuple(bundle.items.columns) == ITEM_COLUMNS
    assert tuple(bundle.users.columns) == USER_COLUMNS
    assert tuple(bundle.events.columns) == (*EVENT_COLUMNS, "query")
    assert tuple(bundle.reviews.columns) == REVIEW_COLUMNS
    assert bundle.events["timestamp"].dtype == np.float64


def _plain(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as dicts with None for every missing value (dtype-agnostic comparison)."""
    return [
        {k: None if not isinstance(v, dict | list) and pd.isna(v) else v for k, v in row.items()}
        for row in frame.astype(object).to_dict("records")
    ]


def test_round_trip(store: Store, tmp_path: Path) -> None:
    items = pd.DataFrame(
        {
            "item_id": ["a", "b"],
            "title": ["Apple", "苹果 (Chinese title)"],
            "description": ["Red", None],
            "category": ["Fruit|Food", "Fruit/Pome"],
            "price": [1.25, np.nan],
            "stock": [3.0, np.nan],
            "language": ["en", "zh"],
            "attributes": [{"colour": "red", "tags": ["x", "y"]}, {}],
        }
    )
    users = pd.DataFrame(
        {
            "user_id": ["u1", "u2"],
            "created_at": [1.6e9, np.nan],
            "email": ["u1@example.com", None],
            "consent_email": [True, None],
            "timezone": ["Asia/Shanghai", None],
            "attributes": [{"age": 31}, None],
        }
    )
    events = pd.DataFrame(
        {
            "event_id": ["e1", "e2", None],
            "user_id": ["u1", "u1", "u2"],
            "item_id": ["a", None, "b"],
            "event_type": ["purchase", "search", "rating"],
            "timestamp": [1.7e9 + 0.25, 1.7e9 + 1, 1.7e9 + 2],
            "value": [1.25, np.nan, 4.5],
            "query": [None, "apples", None],
        }
    )
    reviews = pd.DataFrame(
        {
            "review_id": ["r1"],
            "user_id": ["u2"],
            "item_id": ["b"],
            "rating": [4.5],
            "text": ["Crisp"],
            "timestamp": [1.7e9 + 3],
        }
    )
    bundle = DataBundle("rt", items=items, users=users, events=events, reviews=reviews)
    summary = import_bundle(store, bundle, quarantine_dir=tmp_path / "q")
    assert summary.total_quarantined == 0
    loaded = store.load_bundle()
    assert _plain(loaded.items) == _plain(items)
    assert loaded.users["consent_email"].tolist() == [True, None]
    assert loaded.users["attributes"].tolist() == [{"age": 31}, {}]
    assert np.isnan(loaded.users.loc[1, "created_at"])
    got = loaded.events
    assert got["event_id"].tolist()[:2] == ["e1", "e2"]
    assert got["timestamp"].tolist() == events["timestamp"].tolist()
    assert got["item_id"].tolist() == ["a", None, "b"]
    assert got["query"].tolist() == [None, "apples", None]
    assert got.loc[2, "event_id"]  # derived, deterministic id
    assert _plain(loaded.reviews) == _plain(reviews)


def test_sqlite_is_in_wal_mode(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_from_settings_creates_home(settings: Settings) -> None:
    store = Store.from_settings(settings)
    try:
        assert settings.home.is_dir()
        assert store.url == settings.resolved_db_url
        store.migrate()
        assert (settings.home / "recmind.db").is_file()
    finally:
        store.close()


def test_plain_postgresql_urls_use_psycopg() -> None:
    store = Store.from_url("postgresql://someone@127.0.0.1:1/none")
    assert store.url.startswith("postgresql+psycopg://")
    assert store.dialect == "postgresql"


@pytest.mark.parametrize("url", ["sqlite:///{tmp}/deeper/folder/store.db"])
def test_sqlite_parent_folder_is_created(url: str, tmp_path: Path) -> None:
    with Store.from_url(url.format(tmp=tmp_path)) as store:
        store.migrate()
    assert (tmp_path / "deeper" / "folder" / "store.db").is_file()


def test_sqlite_erases_deleted_content_from_the_files(tmp_path: Path) -> None:
    """secure_delete zeroes deleted content and a checkpoint empties the write-ahead log:
    no byte of a deleted row is left in the database file or in -wal."""
    path = tmp_path / "s.db"
    store = Store.from_url(f"sqlite:///{path}")
    store.migrate()
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA secure_delete")).scalar() == 1
    marker = "marker-e1b5c0d3"
    with store.engine.begin() as connection:
        for n in range(50):
            connection.execute(
                text("INSERT INTO users (user_id, email) VALUES (:u, :e)"),
                {"u": f"{marker}-{n}", "e": f"{marker}@example.com"},
            )
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM users"))
    assert store.checkpoint()
    wal = tmp_path / "s.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    for file in tmp_path.iterdir():
        assert marker.encode() not in file.read_bytes(), file.name
    store.close()
