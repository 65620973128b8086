"""``create_app``: the FastAPI application of ``recmind serve``.

Its lifespan opens the store (migrated), starts the serving engine and the text-generation
worker, and builds what the routes share (key cache, rate limiter, profile and explanation
services), all on ``app.state``, where :mod:`recmind.api.deps` hands them to the routes.

``create_app`` refuses the built-in development secret outside development mode, whoever
calls it (``recmind serve``, a test, an ASGI server given ``recmind.api.app:create_app``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from recmind import __version__
from recmind.api.auth import Authenticator
from recmind.api.docs import install_offline_docs
from recmind.api.errors import install_error_handlers
from recmind.api.explanations import ExplanationService
from recmind.api.metrics import ApiMetrics
from recmind.api.middleware import REQUEST_ID_HEADER, RequestContextMiddleware
from recmind.api.profiles import ProfileService
from recmind.api.ratelimit import RateLimiter
from recmind.api.routers import ROUTERS
from recmind.config import DEFAULT_SECRET, Settings, get_settings
from recmind.data.group_commit import GroupCommitter
from recmind.data.store import Store
from recmind.serving.customer_refresh import CustomerRefresher
from recmind.serving.engine import ServingEngine
from recmind.serving.generation import GenerationJobs
from recmind.text.llm.protocol import Generator

if TYPE_CHECKING:
    from recmind.serving.background_marketing import BackgroundMarketing

logger = logging.getLogger("recmind.api")

DESCRIPTION = """\
recmind's REST service: behaviour events, catalogue, users, profiles, privacy,
recommendations and the model registry.

Every route except `/healthz`, `/readyz`, `/metrics`, these docs and the links inside
messages (`/u/`, `/c/`, `/o/`: unsubscribe, click, open, each carrying a signed token) needs
an API key (`recmind keys create --scope read --scope ingest`), sent as
`Authorization: Bearer KEY`.
Errors are JSON `{"detail": ...}`; a validation problem names the field and the value.
"""


class InsecureSecretError(RuntimeError):
    """The server secret is the built-in default outside development mode."""


def secret_problem(settings: Settings) -> str | None:
    """Why ``settings``' server secret must not be used, or None."""
    api = settings.api
    if api.secret == DEFAULT_SECRET and not api.dev_mode:
        return (
            "the server secret is the built-in default: set RECMIND_API__SECRET to a long "
            "random value (or RECMIND_API__DEV_MODE=true for local development only)"
        )
    return None


def default_generator(settings: Settings) -> Callable[[], Generator]:
    """Builds the configured generator (without the shared generation cache: its entries
    would outlive an erased person)."""

    def make() -> Generator:
        from recmind.text.llm.factory import create_generator, llm_settings

        config = llm_settings(settings).model_copy(update={"cache": False})
        return create_generator(config, seed=settings.seed, home=settings.home)

    return make


def start_marketing(
    store: Store, settings: Settings, engine: ServingEngine
) -> BackgroundMarketing | None:
    """The in-process marketing worker when ``marketing.serve_worker`` is on (else None)."""
    if not settings.marketing.serve_worker:
        return None
    from recmind.serving.background_marketing import BackgroundMarketing

    marketing = BackgroundMarketing(store, settings, engine)
    marketing.start()
    return marketing


def create_app(
    settings: Settings | None = None,
    *,
    make_generator: Callable[[], Generator] | None = None,
) -> FastAPI:
    """The app for ``settings`` (default: the process settings).

    Args:
        settings: The settings to serve with.
        make_generator: Builds the language model for portraits and explanation sentences
            (called once, on the generation worker; default: the configured one).

    Raises:
        InsecureSecretError: The server secret is the built-in default and development
            mode is off.
    """
    settings = settings or get_settings()
    problem = secret_problem(settings)
    if problem:
        raise InsecureSecretError(f"refusing to create the app: {problem}")
    build_generator = make_generator or default_generator(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store.from_settings(settings)
        store.migrate()
        engine = ServingEngine(settings, store)
        engine.start()
        generation = GenerationJobs(
            build_generator,
            max_queued=settings.api.generation_queue,
            keep=settings.api.generation_results_kept,
        )
        generation.start()
        refresher = CustomerRefresher(store, settings)
        refresher.start()
        app.state.customer_refresh = refresher
        app.state.marketing_worker = marketing = start_marketing(store, settings, engine)
        app.state.store = store
        app.state.engine = engine
        app.state.generation = generation
        app.state.auth = Authenticator(store, settings.api.secret, settings.api.key_cache_seconds)
        app.state.profiles = ProfileService(store, settings, generation)
        app.state.explanations = ExplanationService(engine, generation, settings)
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
            if marketing is not None:
                marketing.stop()
            refresher.stop()
            generation.stop()
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
