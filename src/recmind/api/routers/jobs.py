"""``GET /v1/jobs/{job_id}``: the status of a portrait or explanation sentence being
written by the language model (``read`` scope)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path
from starlette.responses import Response

from recmind.api.deps import GenerationDep, require_scope
from recmind.api.responses import json_response
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut
from recmind.api.schemas_serving import TextJobOut
from recmind.api.text_jobs import job_body

router = APIRouter(tags=["jobs"], responses=ERROR_RESPONSES)
JobId = Annotated[
    str, Path(pattern=r"^[0-9a-f]{32}$", description="From a 202 answer's status_url.")
]


@router.get(
    "/v1/jobs/{job_id}",
    response_model=TextJobOut,
    summary="A generated text's job: queued, running, succeeded (with the text) or failed",
    description=(
        "Portraits (`/v1/users/{id}/profile?generate=true`) and explanation sentences "
        "(`/v1/users/{id}/explanations/{item}?generate=true`) are written by one background "
        "worker; those routes answer 202 with this URL while the text is not ready. Once "
        "`succeeded`, the route that started the job answers with the text at once."
    ),
    responses={404: {"model": ErrorOut, "description": "No such job (or long forgotten)."}},
    dependencies=[Depends(require_scope("read"))],
)
async def get_text_job(job_id: JobId, generation: GenerationDep) -> Response:
    job = generation.get(job_id)
    if job is None:
        raise HTTPException(404, f"no generation job {job_id!r}")
    return json_response(job_body(job))
