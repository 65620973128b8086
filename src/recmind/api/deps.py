"""FastAPI dependencies: what the routes share, as ``Annotated`` aliases, and key
authentication.

Routes never read ``request.app.state``: they declare what they need (``engine:
EngineDep``, ``store: StoreDep``, ``settings: SettingsDep``, ...), and tests replace any of
it with ``app.dependency_overrides[get_engine] = ...``. The getters are ``async`` so
resolving them costs no thread-pool hop.

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
from recmind.api.explanations import ExplanationService
from recmind.api.metrics import ApiMetrics
from recmind.api.profiles import ProfileService
from recmind.api.ratelimit import RateLimiter
from recmind.config import Settings
from recmind.data.api_keys import SCOPES
from recmind.data.group_commit import GroupCommitter
from recmind.data.store import Store
from recmind.serving.engine import ServingEngine
from recmind.serving.generation import GenerationJobs

__all__ = [
    "AuthDep",
    "CurrentKey",
    "EngineDep",
    "ExplanationsDep",
    "GenerationDep",
    "IngesterDep",
    "LimiterDep",
    "MetricsDep",
    "Principal",
    "ProfilesDep",
    "SettingsDep",
    "StoreDep",
    "get_auth",
    "get_engine",
    "get_explanations",
    "get_generation",
    "get_ingester",
    "get_limiter",
    "get_metrics",
    "get_profiles",
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


async def get_store(request: Request) -> Store:
    """The store the app opened in its lifespan."""
    store: Store = request.app.state.store
    return store


async def get_engine(request: Request) -> ServingEngine:
    """The serving engine (the published model online)."""
    engine: ServingEngine = request.app.state.engine
    return engine


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_profiles(request: Request) -> ProfileService:
    """User profiles and the generated-portrait cache."""
    profiles: ProfileService = request.app.state.profiles
    return profiles


async def get_explanations(request: Request) -> ExplanationService:
    """Explanations of served recommendations (sentences from the generation worker)."""
    explanations: ExplanationService = request.app.state.explanations
    return explanations


async def get_generation(request: Request) -> GenerationJobs:
    """The background worker that writes portraits and explanation sentences."""
    jobs: GenerationJobs = request.app.state.generation
    return jobs


async def get_ingester(request: Request) -> GroupCommitter:
    """Batches concurrent event writes into shared commits."""
    ingester: GroupCommitter = request.app.state.ingester
    return ingester


async def get_metrics(request: Request) -> ApiMetrics:
    """The Prometheus registry of this app."""
    metrics: ApiMetrics = request.app.state.metrics
    return metrics


async def get_auth(request: Request) -> Authenticator:
    """API key verification (with its in-process cache)."""
    auth: Authenticator = request.app.state.auth
    return auth


async def get_limiter(request: Request) -> RateLimiter:
    """Per-key (and per-address, for unknown keys) token buckets."""
    limiter: RateLimiter = request.app.state.limiter
    return limiter


StoreDep = Annotated[Store, Depends(get_store)]
EngineDep = Annotated[ServingEngine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ProfilesDep = Annotated[ProfileService, Depends(get_profiles)]
ExplanationsDep = Annotated[ExplanationService, Depends(get_explanations)]
GenerationDep = Annotated[GenerationJobs, Depends(get_generation)]
IngesterDep = Annotated[GroupCommitter, Depends(get_ingester)]
MetricsDep = Annotated[ApiMetrics, Depends(get_metrics)]
AuthDep = Annotated[Authenticator, Depends(get_auth)]
LimiterDep = Annotated[RateLimiter, Depends(get_limiter)]


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    auth: AuthDep,
    limiter: LimiterDep,
) -> Principal:
    """The caller's key (401 when missing, unknown or revoked)."""
    if credentials is None or not credentials.credentials:
        raise HTTPException(401, "missing API key: send Authorization: Bearer KEY", _CHALLENGE)
    key = credentials.credentials
    hit, principal = auth.cached(key)
    if not hit:
        # Keys not seen lately cost a store lookup: an address that sends many of them
        # (guessing keys, say) is held to the per-key rate like any key.
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


CurrentKey = Annotated[Principal, Depends(authenticate)]
"""The authenticated caller (any scope)."""


def require_scope(scope: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting keys that hold ``scope`` (and are within their rate limit)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; known: {', '.join(SCOPES)}")

    async def dependency(principal: CurrentKey, limiter: LimiterDep) -> Principal:
        if scope not in principal.scopes:
            held = ", ".join(sorted(principal.scopes)) or "none"
            raise HTTPException(403, f"this API key lacks the {scope!r} scope (it has: {held})")
        wait = limiter.acquire(principal.key_id)
        if wait > 0:
            raise HTTPException(
                429, "rate limit exceeded for this API key; retry later", _retry_after(wait)
            )
        return principal

    dependency.__name__ = f"require_{scope}"
    return dependency
