"""API keys in the store: hashed, scoped, revocable (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from recmind.data.api_keys import (
    ApiKeyError,
    check_scopes,
    create_key,
    get_key,
    list_keys,
    parse_key_id,
    revoke_key,
    touch_keys,
    verify_key,
)
from recmind.data.store import Store

SECRET = "s3cret-for-tests"


def test_create_verify_revoke(store: Store) -> None:
    new = create_key(store, SECRET, ["read", "ingest", "read"], name="shop")
    assert new.info.scopes == ("ingest", "read")
    assert parse_key_id(new.key) == new.info.key_id
    found = verify_key(store, SECRET, new.key)
    assert found is not None and found.key_id == new.info.key_id
    assert verify_key(store, "another-secret", new.key) is None
    assert verify_key(store, SECRET, new.key[:-1] + ("A" if new.key[-1] != "A" else "B")) is None
    assert verify_key(store, SECRET, "rk_" + new.info.key_id) is None
    revoked = revoke_key(store, new.info.key_id)
    assert revoked.revoked_at is not None and not revoked.active
    assert verify_key(store, SECRET, new.key) is None
    assert revoke_key(store, new.info.key_id).revoked_at == revoked.revoked_at  # idempotent
    with pytest.raises(ApiKeyError, match="no API key"):
        revoke_key(store, "missing")


def test_list_and_touch(store: Store) -> None:
    first = create_key(store, SECRET, ["admin"]).info
    second = create_key(store, SECRET, ["marketing"]).info
    assert [k.key_id for k in list_keys(store)] == [first.key_id, second.key_id]
    touch_keys(store, {first.key_id: 1_800_000_000.0})
    touched = get_key(store, first.key_id)
    assert touched is not None and touched.last_used_at == 1_800_000_000.0


@pytest.mark.parametrize("scopes", [[], ["root"], ["read", "everything"]])
def test_scopes_are_checked(scopes: list[str]) -> None:
    with pytest.raises(ApiKeyError):
        check_scopes(scopes)


@pytest.mark.parametrize("key", ["", "rk_", "rk__x", "xx_abc_def", "rk_abc"])
def test_malformed_keys_have_no_id(key: str) -> None:
    assert parse_key_id(key) is None
