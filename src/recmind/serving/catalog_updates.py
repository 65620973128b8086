"""Live catalogue updates: an item created, changed or deleted through the API applies to
the served version at once (titles, stock, categories, deletions; new items get a text
vector), and to a version being loaded before it is installed."""

from __future__ import annotations

from collections.abc import Sequence

import orjson
import pandas as pd
from sqlalchemy import bindparam, text

from recmind.data.store import Store
from recmind.serving.catalog import LiveCatalog
from recmind.serving.current import CurrentState
from recmind.serving.state import ServingState, ensure_fresh_vectors

CHUNK = 500
"""Item ids per ``IN`` query."""

_COLUMNS = ["item_id", "title", "description", "category", "price", "stock"]
_COLUMNS += ["language", "attributes"]
_ITEMS_BY_ID = text(f"SELECT {', '.join(_COLUMNS)} FROM items WHERE item_id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)


def read_items(store: Store, item_ids: list[str]) -> pd.DataFrame:
    """The stored rows of ``item_ids`` (deleted ones are absent), attributes parsed."""
    rows: list[tuple[object, ...]] = []
    with store.engine.connect() as connection:
        for start in range(0, len(item_ids), CHUNK):
            chunk = item_ids[start : start + CHUNK]
            rows.extend(tuple(r) for r in connection.execute(_ITEMS_BY_ID, {"ids": chunk}))
    frame = pd.DataFrame(rows, columns=_COLUMNS)
    frame["attributes"] = pd.Series([_json_object(v) for v in frame["attributes"]], dtype=object)
    return frame


def catalog_after(store: Store, state: ServingState, item_ids: list[str]) -> LiveCatalog:
    """``state``'s catalogue with ``item_ids`` re-read from the store."""
    rows = read_items(store, item_ids)
    found = {str(i) for i in rows["item_id"]}
    deleted = tuple(i for i in item_ids if i not in found)
    return state.catalog.updated(state.served, rows, deleted)


class CatalogUpdates:
    """Applies item changes to the current state (and to versions being loaded)."""

    def __init__(self, store: Store, current: CurrentState) -> None:
        self.store = store
        self.current = current

    def catch_up(self, state: ServingState, item_ids: list[str]) -> ServingState:
        """``state`` with ``item_ids`` re-read (for a version built while they changed)."""
        return state.with_catalog(catalog_after(self.store, state, item_ids))

    def items_changed(self, item_ids: Sequence[str]) -> None:
        """These items were created, updated or deleted: re-read them, so titles, stock,
        categories and deletions apply at once and new items get a text vector."""
        ids = list(dict.fromkeys(str(i) for i in item_ids))
        if not ids:
            return
        with self.current.lock:
            self.current.note_items_locked(ids)
            state = self.current.state
            if state is None:
                return
            updated = self.catch_up(state, ids)
            self.current.replace_locked(updated)
        if len(updated.catalog.fresh):
            ensure_fresh_vectors(updated)


def _json_object(value: object) -> dict[str, object]:
    if not isinstance(value, str | bytes):
        return {}
    parsed = orjson.loads(value)
    return parsed if isinstance(parsed, dict) else {}
