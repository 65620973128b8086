"""Items and users one at a time on a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from recmind.config import Settings
from recmind.data.record_writes import (
    InvalidRecordError,
    delete_item,
    get_record,
    list_items,
    patch_record,
    put_record,
)
from recmind.data.store import Store


def test_put_patch_delete_item(store: Store, settings: Settings) -> None:
    stored, created = put_record(
        store,
        "items",
        "i1",
        {"title": " Shirt ", "price": "12.5", "attributes": '{"b": 1}'},
        settings,
    )
    assert created and stored["title"] == "Shirt" and stored["price"] == 12.5
    assert stored["attributes"] == {"b": 1}
    again, created = put_record(store, "items", "i1", {"title": "Shirt"}, settings)
    assert not created and again["price"] is None
    patched = patch_record(store, "items", "i1", {"stock": 4}, settings)
    assert patched is not None and (patched["title"], patched["stock"]) == ("Shirt", 4)
    assert patch_record(store, "items", "nope", {"stock": 1}, settings) is None
    assert list_items(store, 10, 0)[1] == 1
    assert delete_item(store, "i1") and not delete_item(store, "i1")
    assert get_record(store, "items", "i1") is None


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({}, "title", "missing_required"),
        ({"title": "x", "price": -2}, "price", "negative_value"),
        ({"title": "x", "stock": 1.5}, "stock", "wrong_type"),
        ({"title": "x", "stock": "1e30"}, "stock", "too_large"),
        ({"title": "x", "attributes": "[1]"}, "attributes", "malformed_json"),
        ({"title": "x", "colour": "red"}, "colour", "unknown_field"),
        ({"title": "a\x00b"}, "title", "invalid_text"),
    ],
)
def test_invalid_items_name_field_and_reason(
    store: Store, settings: Settings, fields: dict[str, object], field: str, reason: str
) -> None:
    with pytest.raises(InvalidRecordError) as caught:
        put_record(store, "items", "i1", fields, settings)
    assert (caught.value.field, caught.value.reason) == (field, reason)
    assert get_record(store, "items", "i1") is None


def test_user_created_at_is_kept_on_replace(store: Store, settings: Settings) -> None:
    first, _ = put_record(store, "users", "u1", {"created_at": 1_700_000_000}, settings)
    assert first["created_at"] == 1_700_000_000.0
    replaced, created = put_record(store, "users", "u1", {"consent_email": "no"}, settings)
    assert not created
    assert (replaced["created_at"], replaced["consent_email"]) == (1_700_000_000.0, False)
    with pytest.raises(InvalidRecordError, match="consent_email"):
        patch_record(store, "users", "u1", {"consent_email": "maybe"}, settings)
