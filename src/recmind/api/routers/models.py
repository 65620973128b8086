"""The model registry and training jobs (``admin`` scope): list versions, serve an earlier
one (rollback), train and publish a new one in the background."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Path
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from recmind.api.deps import EngineDep, require_scope
from recmind.api.responses import json_response
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut, Responses
from recmind.api.schemas_serving import ActivatedOut, JobOut, ModelsOut, TrainIn
from recmind.serving.engine import ServingEngine
from recmind.serving.jobs import JobConflictError

router = APIRouter(tags=["models"], responses=ERROR_RESPONSES)
Version = Annotated[
    str, Path(min_length=1, max_length=64, description="A version from GET /v1/admin/models.")
]
JobId = Annotated[str, Path(min_length=1, max_length=64, description="From POST /v1/admin/train.")]
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "No such version or job."}}
INVALID: Responses = {422: {"model": ErrorOut, "description": "A field is invalid (named)."}}


def _registry(engine: ServingEngine) -> dict[str, Any]:
    latest = engine.models.latest()
    served = engine.version
    return {
        "served": served,
        "latest": latest.version if latest else None,
        "versions": [
            {
                "version": info.version,
                "model": info.name,
                "created_at": info.created_at,
                "params": info.params,
                "metrics": info.metrics,
                "n_users": info.n_users,
                "n_items": info.n_items,
                "served": info.version == served,
                "latest": latest is not None and info.version == latest.version,
            }
            for info in engine.models.versions()
        ],
    }


@router.get(
    "/v1/admin/models",
    response_model=ModelsOut,
    summary="Saved model versions, which one is served",
    dependencies=[Depends(require_scope("admin"))],
)
def list_models(engine: EngineDep) -> Response:
    return json_response(_registry(engine))


@router.post(
    "/v1/admin/models/{version}/activate",
    response_model=ActivatedOut,
    summary="Serve this version now (rollback or roll forward)",
    description="Loads the version, swaps it in atomically and points LATEST at it, so "
    "other servers watching the same registry follow.",
    responses=NOT_FOUND | INVALID,
    dependencies=[Depends(require_scope("admin"))],
)
async def activate_model(engine: EngineDep, version: Version) -> Response:
    try:
        await run_in_threadpool(engine.use_version, version)
    except ValueError as exc:
        raise HTTPException(404, str(exc)) from None
    return json_response({"served": engine.version, "model": engine.model_name})


@router.post(
    "/v1/admin/train",
    response_model=JobOut,
    status_code=202,
    summary="Train and publish a new version in the background",
    description="Starts `recmind train` on everything in the store in a separate process; "
    "poll GET /v1/admin/jobs/{job_id}. When it succeeds the new version is already served.",
    responses=INVALID
    | {
        202: {"model": JobOut, "description": "Started."},
        409: {"model": ErrorOut, "description": "A training job is already running."},
    },
    dependencies=[Depends(require_scope("admin"))],
)
def start_training(engine: EngineDep, body: Annotated[TrainIn | None, Body()] = None) -> Response:
    model = body.model if body is not None else None
    try:
        job = engine.jobs.submit(model)
    except ValueError as exc:
        problem = {"loc": ["body", "model"], "msg": str(exc), "type": "unknown_model"}
        raise HTTPException(422, [problem | {"input": model}]) from None
    except JobConflictError as exc:
        raise HTTPException(409, str(exc)) from None
    return json_response(asdict(job), status_code=202)


@router.get(
    "/v1/admin/jobs/{job_id}",
    response_model=JobOut,
    summary="A training job's status",
    responses=NOT_FOUND | INVALID,
    dependencies=[Depends(require_scope("admin"))],
)
def get_job(engine: EngineDep, job_id: JobId) -> Response:
    job = engine.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no training job {job_id!r}")
    return json_response(asdict(job))
