"""FastAPI dependencies: the app's store, engine and settings, and key authentication.

``require_scope("read")`` authenticates ``Authorization: Bearer <key>`` (401 without a key or
with an unknown or revoked one), checks the scope (403) and the key's rate limit (429 with
``Retry-After``), and returns the caller's :class:`Principal`. Scopes are explicit: an
``admin`` key cannot read or ingest unless it also holds those scopes.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from recmind.api.auth import Authenticator, Principal
from recmind.api.ratelimit import RateLimiter
from recmind.config import Settings
from recmind.data.api_keys import SCOPES
from recmind.data.store import Store
from recmind.serving.engine import ServingEngine

__all__ = [
    "Principal",
    "get_engine",
    "get_settings",
    "get_store",
    "require_scope",
]

bearer = HTTPBearer(
    auto_error=False,
    description="An API key from `recmind keys create`, sent as `Authorization: Bearer KEY`.",
)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _retry_after(wait: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(wait)))}


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_engine(request: Request) -> ServingEngine:
    engine: ServingEngine = request.app.state.engine
    return engine


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller's key (401 when missing, unknown or revoked)."""
    if credentials is None or not credentials.credentials:
        raise HTTPException(401, "missing API key: send Authorization: Bearer KEY", _CHALLENGE)
    auth: Authenticator = request.app.state.auth
    key = credentials.credentials
    hit, principal = auth.cached(key)
    if not hit:
        # Keys not seen lately cost a store lookup: an address that sends many of them
        # (guessing keys, say) is held to the per-key rate like any key.
        limiter: RateLimiter = request.app.state.limiter
        client = request.client.host if request.client else "unknown"
        wait = limiter.acquire(f"address:{client}")
        if wait > 0:
            raise HTTPException(
                429, "too many unknown API keys from this address", _retry_after(wait)
            )
        principal = await run_in_threadpool(auth.verify, key)
    if principal is None:
        raise HTTPException(401, "unknown or revoked API key", _CHALLENGE)
    request.state.key_id = principal.key_id
    return principal


def require_scope(scope: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting keys that hold ``scope`` (and are within their rate limit)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; known: {', '.join(SCOPES)}")

    async def dependency(
        request: Request, principal: Annotated[Principal, Depends(authenticate)]
    ) -> Principal:
        if scope not in principal.scopes:
            held = ", ".join(sorted(principal.scopes)) or "none"
            raise HTTPException(403, f"this API key lacks the {scope!r} scope (it has: {held})")
        limiter: RateLimiter = request.app.state.limiter
        wait = limiter.acquire(principal.key_id)
        if wait > 0:
            raise HTTPException(
                429, "rate limit exceeded for this API key; retry later", _retry_after(wait)
            )
        return principal

    dependency.__name__ = f"require_{scope}"
    return dependency
