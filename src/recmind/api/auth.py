"""API key verification with an in-process cache, so a request pays microseconds for it.

A presented key is checked against the store (HMAC, constant-time compare) at most once per
``key_cache_seconds``; revocations made by another process take effect within that time,
revocations through this server at once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from recmind.data.api_keys import ApiKey, touch_keys, verify_key
from recmind.data.store import Store

MAX_CACHED = 10_000
TOUCH_EVERY_SECONDS = 60.0
"""``last_used_at`` is written at most this often per key."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id and scopes."""

    key_id: str
    scopes: frozenset[str]


class Authenticator:
    """Maps a presented key to its :class:`Principal` (None: unknown or revoked)."""

    def __init__(self, store: Store, secret: str, cache_seconds: float) -> None:
        self.store = store
        self.secret = secret
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[Principal | None, float]] = {}
        self._lock = threading.Lock()

    def cached(self, key: str) -> tuple[bool, Principal | None]:
        """``(hit, principal)`` from the cache alone (no I/O)."""
        entry = self._cache.get(key)
        if entry is None or entry[1] < time.monotonic():
            return False, None
        return True, entry[0]

    def verify(self, key: str) -> Principal | None:
        """Ask the store (blocking I/O: call from a worker thread) and cache the answer."""
        found: ApiKey | None = verify_key(self.store, self.secret, key)
        principal = None if found is None else Principal(found.key_id, frozenset(found.scopes))
        with self._lock:
            if len(self._cache) >= MAX_CACHED:
                self._cache.clear()
            self._cache[key] = (principal, time.monotonic() + self.cache_seconds)
        if found is not None:
            now = time.time()
            if found.last_used_at is None or now - found.last_used_at > TOUCH_EVERY_SECONDS:
                touch_keys(self.store, {found.key_id: now})
        return principal

    def forget(self, key_id: str) -> None:
        """Drop every cached entry of ``key_id`` (after a revocation)."""
        with self._lock:
            stale = [k for k, (p, _) in self._cache.items() if p is not None and p.key_id == key_id]
            for key in stale:
                del self._cache[key]
