"""Liveness, readiness and Prometheus metrics: no API key needed."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from recmind.api.metrics import ApiMetrics
from recmind.api.responses import json_response
from recmind.api.schemas import Health, Readiness
from recmind.data.store import Store
from recmind.serving.engine import ServingEngine

logger = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="The process is up")
async def healthz() -> Health:
    return Health()


def _store_answers(store: Store) -> str | None:
    try:
        with store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        logger.warning("store not answering: %s", exc)
        return "the store does not answer"
    return None


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="The store answers and a model is served",
    responses={503: {"model": Readiness, "description": "Not ready (says why)."}},
)
async def readyz(request: Request) -> Response:
    store: Store = request.app.state.store
    engine: ServingEngine = request.app.state.engine
    problem = await run_in_threadpool(_store_answers, store)
    problems = [problem] if problem else []
    if not engine.ready:
        problems.append("no model is served yet: publish one with `recmind train`")
    body = Readiness(
        ready=not problems,
        store=problem is None,
        model=engine.ready,
        model_name=engine.model_name,
        model_version=engine.version,
        detail="; ".join(problems) or None,
    )
    return json_response(body.model_dump(), status_code=503 if problems else 200)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics(request: Request) -> Response:
    registry: ApiMetrics = request.app.state.metrics
    return Response(registry.exposition(), media_type="text/plain; version=0.0.4")
