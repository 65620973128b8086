"""Every item write records its catalogue changes (created, price, stock, deleted) in the
same transaction, online and in bulk, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select

from recmind.config import Settings
from recmind.data.bundle import DataBundle
from recmind.data.catalog_changes import MISSING, diff_items
from recmind.data.importer import import_bundle
from recmind.data.record_writes import delete_item, patch_record, put_record
from recmind.data.schema import catalog_changes
from recmind.data.store import Store


def _changes(store: Store) -> list[tuple[Any, ...]]:
    query = select(
        catalog_changes.c.item_id,
        catalog_changes.c.kind,
        catalog_changes.c.old_value,
        catalog_changes.c.new_value,
    ).order_by(catalog_changes.c.changed_at, catalog_changes.c.item_id, catalog_changes.c.kind)
    with store.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def _import(store: Store, tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    bundle = DataBundle(name="shop", items=pd.DataFrame(rows))
    import_bundle(store, bundle, quarantine_dir=tmp_path / "q")


def test_diff_items_compares_only_written_columns() -> None:
    before = {"a": (10.0, 0), "b": (5.0, 3)}
    after = [("a", 8.0, MISSING), ("b", 5.0, 3), ("c", 1.0, 1), ("a", MISSING, 2)]
    kinds = [(c[1], c[2], c[3], c[4]) for c in diff_items(before, after, now=1.0)]
    assert kinds == [
        ("a", "price", 10.0, 8.0),
        ("c", "created", None, None),
        ("a", "stock", 0.0, 2.0),
    ]


def test_online_writes_record_changes(store: Store, settings: Settings) -> None:
    put_record(store, "items", "i1", {"title": "Shirt", "price": 20, "stock": 0}, settings)
    time.sleep(0.01)
    patch_record(store, "items", "i1", {"stock": 5}, settings)
    time.sleep(0.01)
    patch_record(store, "items", "i1", {"price": 15, "title": "Shirt 2"}, settings)
    time.sleep(0.01)
    patch_record(store, "items", "i1", {"title": "Shirt 3"}, settings)  # no change recorded
    time.sleep(0.01)
    assert delete_item(store, "i1")
    assert _changes(store) == [
        ("i1", "created", None, None),
        ("i1", "stock", 0.0, 5.0),
        ("i1", "price", 20.0, 15.0),
        ("i1", "deleted", 5.0, None),
    ]


def test_import_records_changes_in_bulk(store: Store, tmp_path: Path) -> None:
    _import(
        store,
        tmp_path,
        [
            {"item_id": "a", "title": "A", "price": 10.0, "stock": 0},
            {"item_id": "b", "title": "B", "price": 5.0, "stock": 3},
        ],
    )
    assert sorted(_changes(store)) == [("a", "created", None, None), ("b", "created", None, None)]
    time.sleep(0.01)
    _import(
        store,
        tmp_path,
        [
            {"item_id": "a", "title": "A", "price": 8.0, "stock": 4},
            {"item_id": "b", "title": "B", "price": 5.0, "stock": 3},
            {"item_id": "c", "title": "C", "price": 1.0, "stock": 1},
        ],
    )
    later = sorted(_changes(store)[2:])
    assert later == [
        ("a", "price", 10.0, 8.0),
        ("a", "stock", 0.0, 4.0),
        ("c", "created", None, None),
    ]
    # The same file again changes nothing and records nothing.
    _import(store, tmp_path, [{"item_id": "a", "title": "A", "price": 8.0, "stock": 4}])
    assert len(_changes(store)) == 5


def test_import_without_a_column_leaves_it_alone(store: Store, tmp_path: Path) -> None:
    _import(store, tmp_path, [{"item_id": "a", "title": "A", "price": 10.0, "stock": 0}])
    _import(store, tmp_path, [{"item_id": "a", "title": "A", "stock": 2}])
    assert _changes(store)[1:] == [("a", "stock", 0.0, 2.0)]


@pytest.mark.slow
def test_bulk_import_of_many_items_stays_fast(sqlite_store: Store, tmp_path: Path) -> None:
    """100,000 items imported, then all repriced: recording the changes costs little."""
    n = 100_000
    rows = pd.DataFrame(
        {
            "item_id": [f"i{k}" for k in range(n)],
            "title": [f"Item {k}" for k in range(n)],
            "price": [10.0] * n,
            "stock": [k % 3 for k in range(n)],
        }
    )
    bundle = DataBundle(name="shop", items=rows)
    import_bundle(sqlite_store, bundle, quarantine_dir=tmp_path / "q")
    rows["price"] = 9.0
    started = time.perf_counter()
    import_bundle(sqlite_store, DataBundle(name="shop", items=rows), quarantine_dir=tmp_path / "q")
    elapsed = time.perf_counter() - started
    with sqlite_store.engine.connect() as connection:
        count = len(connection.execute(select(catalog_changes.c.change_id)).all())
    assert count == 2 * n
    assert elapsed < 60
