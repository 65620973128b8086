"""Liveness, readiness and Prometheus metrics: no API key needed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from fastapi import APIRouter, Response
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from recmind.api.deps import EngineDep, MetricsDep, StoreDep
from recmind.api.responses import json_response
from recmind.api.schemas import Health, LoadFailureOut, Readiness
from recmind.data.store import Store
from recmind.serving.lifecycle import LoadFailure

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


def _failure_out(failure: LoadFailure) -> LoadFailureOut:
    when = datetime.fromtimestamp(failure.next_retry_at, tz=UTC).replace(microsecond=0)
    return LoadFailureOut(
        version=failure.version,
        error=failure.error,
        attempts=failure.attempts,
        next_retry_at=when.isoformat(),
    )


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="The store answers and a model is served",
    description=(
        "200 when the store answers and a model version is served. When the newest "
        "published version failed to load, `load_failure` names it, the error and the next "
        "retry (exponential back-off), while the previous version keeps serving."
    ),
    responses={503: {"model": Readiness, "description": "Not ready (says why)."}},
)
async def readyz(store: StoreDep, engine: EngineDep) -> Response:
    problem = await run_in_threadpool(_store_answers, store)
    problems = [problem] if problem else []
    failure = engine.load_failure
    if not engine.ready:
        problems.append("no model is served yet: publish one with `recmind train`")
    if failure is not None and not engine.ready:
        problems.append(f"model version {failure.version} failed to load: {failure.error}")
    body = Readiness(
        ready=not problems,
        store=problem is None,
        model=engine.ready,
        model_name=engine.model_name,
        model_version=engine.version,
        detail="; ".join(problems) or None,
        load_failure=_failure_out(failure) if failure is not None else None,
    )
    return json_response(body.model_dump(), status_code=503 if problems else 200)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics(registry: MetricsDep) -> Response:
    return Response(registry.exposition(), media_type="text/plain; version=0.0.4")
