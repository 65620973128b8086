"""The bulk write fast path counts inserted and changed rows honestly on both backends."""

from __future__ import annotations

import pytest

from recmind.data.bulk import BulkWriter
from recmind.data.store import Store


def test_insert_ignore_counts_only_new_rows(store: Store) -> None:
    columns = ("user_id", "created_at")
    with store.raw_connection() as connection:
        bulk = BulkWriter(connection, store.dialect)
        assert bulk.insert_ignore("users", columns, [("a", 1.0), ("b", None)]) == 2
        assert bulk.insert_ignore("users", columns, [("a", 5.0), ("c", 2.0)]) == 1
        assert bulk.insert_ignore("users", columns, []) == 0
    users = store.load_users().set_index("user_id")
    assert users.loc["a", "created_at"] == 1.0  # insert-if-absent keeps the first value


def test_upsert_counts_inserted_and_changed_rows(store: Store) -> None:
    columns = ("item_id", "title", "price")
    with store.raw_connection() as connection:
        bulk = BulkWriter(connection, store.dialect)
        assert bulk.upsert("items", "item_id", columns, [("a", "A", 1.0), ("b", "B", None)]) == 2
        same = [("a", "A", 1.0), ("b", "B", None)]
        assert bulk.upsert("items", "item_id", columns, same) == 0
        changed = [("a", "A", 1.5), ("b", "B", 2.0), ("c", "C", None)]
        assert bulk.upsert("items", "item_id", columns, changed) == 3
    assert store.load_items()["price"].tolist()[:2] == [1.5, 2.0]


def test_rolls_back_on_error(store: Store) -> None:
    with pytest.raises(RuntimeError), store.raw_connection() as connection:
        BulkWriter(connection, store.dialect).insert_ignore("users", ("user_id",), [("a",)])
        raise RuntimeError("crash before commit")
    assert store.counts()["users"] == 0


def test_other_dialects_are_refused() -> None:
    with pytest.raises(ValueError, match="mysql"):
        BulkWriter(object(), "mysql")
