"""API keys: created once (the caller sees the key once), stored only as an HMAC, revocable.

A key reads ``rk_<key_id>_<secret part>``. The store keeps ``key_id``, the HMAC-SHA256 of the
whole key under the server secret, the scopes and the dates; verifying a presented key finds
its row by ``key_id`` and compares HMACs in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update

from recmind.data.schema import api_keys
from recmind.data.store import Store

SCOPES = ("ingest", "read", "admin", "marketing", "support")
"""Every scope a key may hold. Scopes are explicit: ``admin`` does not imply the others."""
PREFIX = "rk"


class ApiKeyError(ValueError):
    """A key operation was asked something impossible (unknown scope, unknown key id)."""


@dataclass(frozen=True)
class ApiKey:
    """A stored key (never the key itself)."""

    key_id: str
    name: str | None
    scopes: tuple[str, ...]
    created_at: float
    revoked_at: float | None
    last_used_at: float | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class NewKey:
    """A freshly created key: ``key`` is shown once and cannot be recovered later."""

    key: str
    info: ApiKey


def key_hash(key: str, secret: str) -> str:
    """HMAC-SHA256 (hex) of ``key`` under ``secret``."""
    return hmac.new(secret.encode(), key.encode(), hashlib.sha256).hexdigest()


def parse_key_id(key: str) -> str | None:
    """The ``key_id`` of a well-formed key, else None."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1]


def check_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    """The scopes, deduplicated in canonical order; ApiKeyError naming an unknown one."""
    wanted = [s.strip().lower() for s in scopes]
    unknown = sorted({s for s in wanted if s not in SCOPES})
    if unknown:
        raise ApiKeyError(f"unknown scope(s) {unknown}; known: {', '.join(SCOPES)}")
    if not wanted:
        raise ApiKeyError(f"a key needs at least one scope ({', '.join(SCOPES)})")
    return tuple(s for s in SCOPES if s in wanted)


def _row_to_key(row: object) -> ApiKey:
    mapping = row._mapping  # type: ignore[attr-defined]
    return ApiKey(
        key_id=str(mapping["key_id"]),
        name=mapping["name"],
        scopes=tuple(str(mapping["scopes"]).split()),
        created_at=float(mapping["created_at"]),
        revoked_at=None if mapping["revoked_at"] is None else float(mapping["revoked_at"]),
        last_used_at=None if mapping["last_used_at"] is None else float(mapping["last_used_at"]),
    )


def create_key(store: Store, secret: str, scopes: Iterable[str], name: str | None = None) -> NewKey:
    """Create and store a key with ``scopes``; the returned ``key`` is its only copy."""
    checked = check_scopes(scopes)
    key_id = secrets.token_hex(6)
    key = f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    now = time.time()
    with store.engine.begin() as connection:
        connection.execute(
            api_keys.insert().values(
                key_id=key_id,
                name=name,
                key_hash=key_hash(key, secret),
                scopes=" ".join(checked),
                created_at=now,
            )
        )
    return NewKey(key, ApiKey(key_id, name, checked, now, None, None))


def list_keys(store: Store) -> list[ApiKey]:
    """Every key, oldest first (revoked ones included)."""
    with store.engine.connect() as connection:
        rows = connection.execute(select(api_keys).order_by(api_keys.c.created_at))
        return [_row_to_key(row) for row in rows]


def get_key(store: Store, key_id: str) -> ApiKey | None:
    with store.engine.connect() as connection:
        row = connection.execute(select(api_keys).where(api_keys.c.key_id == key_id)).first()
    return None if row is None else _row_to_key(row)


def revoke_key(store: Store, key_id: str) -> ApiKey:
    """Revoke a key (idempotent); ApiKeyError if there is no such key."""
    with store.engine.begin() as connection:
        connection.execute(
            update(api_keys)
            .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=time.time())
        )
    found = get_key(store, key_id)
    if found is None:
        raise ApiKeyError(f"no API key with id {key_id!r}")
    return found


def verify_key(store: Store, secret: str, key: str) -> ApiKey | None:
    """The active stored key matching ``key``, else None (malformed, unknown, wrong secret
    part or revoked)."""
    key_id = parse_key_id(key)
    if key_id is None:
        return None
    with store.engine.connect() as connection:
        row = connection.execute(select(api_keys).where(api_keys.c.key_id == key_id)).first()
    if row is None:
        return None
    stored = str(row._mapping["key_hash"])
    if not hmac.compare_digest(stored, key_hash(key, secret)):
        return None
    found = _row_to_key(row)
    return found if found.active else None


def touch_keys(store: Store, used: dict[str, float]) -> None:
    """Record when keys were last used (``key_id -> epoch seconds``)."""
    if not used:
        return
    with store.engine.begin() as connection:
        for key_id, when in used.items():
            connection.execute(
                update(api_keys).where(api_keys.c.key_id == key_id).values(last_used_at=when)
            )
