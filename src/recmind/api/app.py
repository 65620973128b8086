"""``create_app``: the FastAPI application of ``recmind serve``.

Its lifespan opens the store (migrated), starts the serving engine and builds what the
routes share (key cache, rate limiter, profile service), all on ``app.state``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from recmind import __version__
from recmind.api.auth import Authenticator
from recmind.api.docs import install_offline_docs
from recmind.api.errors import install_error_handlers
from recmind.api.metrics import ApiMetrics
from recmind.api.middleware import REQUEST_ID_HEADER, RequestContextMiddleware
from recmind.api.profiles import ProfileService
from recmind.api.ratelimit import RateLimiter
from recmind.api.routers import ROUTERS
from recmind.config import Settings, get_settings
from recmind.data.group_commit import GroupCommitter
from recmind.data.store import Store
from recmind.serving.engine import ServingEngine

logger = logging.getLogger("recmind.api")

DESCRIPTION = """\
recmind's REST service: behaviour events, catalogue, users, profiles, privacy,
recommendations and the model registry.

Every route except `/healthz`, `/readyz`, `/metrics` and these docs needs an API key
(`recmind keys create --scope read --scope ingest`), sent as `Authorization: Bearer KEY`.
Errors are JSON `{"detail": ...}`; a validation problem names the field and the value.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app for ``settings`` (default: the process settings)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store.from_settings(settings)
        store.migrate()
        engine = ServingEngine(settings, store)
        engine.start()
        app.state.store = store
        app.state.engine = engine
        app.state.auth = Authenticator(store, settings.api.secret, settings.api.key_cache_seconds)
        app.state.profiles = ProfileService(store, settings)
        app.state.ingester = GroupCommitter(store, settings)
        logger.info(
            "recmind API ready",
            extra={
                "store": store.engine.url.render_as_string(hide_password=True),
                "model": engine.model_name,
                "model_version": engine.version,
            },
        )
        try:
            yield
        finally:
            engine.stop()
            store.close()

    app = FastAPI(
        title="recmind",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    install_offline_docs(app)
    app.state.settings = settings
    app.state.engine = None

    def model_state() -> tuple[str | None, str | None]:
        engine: ServingEngine | None = app.state.engine
        return (engine.model_name, engine.version) if engine is not None else (None, None)

    app.state.metrics = ApiMetrics(model_state)
    app.state.limiter = RateLimiter(
        settings.api.rate_limit_per_second, settings.api.rate_limit_burst
    )
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    if settings.api.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=[REQUEST_ID_HEADER, "Retry-After"],
        )
    app.add_middleware(
        RequestContextMiddleware,
        metrics=app.state.metrics,
        max_body_bytes=settings.api.max_body_bytes,
        log_requests=settings.api.log_requests,
    )
    return app
