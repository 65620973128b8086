"""How routes answer for texts the generation worker writes: ``202 Accepted`` with the job
(and its status URL in ``Location``) while the text is not ready, ``503`` with
``Retry-After`` when the queue is full."""

from __future__ import annotations

import math
from typing import Any

from fastapi import HTTPException
from starlette.responses import Response

from recmind.api.responses import json_response
from recmind.api.schemas import ErrorOut, Responses
from recmind.api.schemas_serving import TextJobOut
from recmind.serving.generation import GenerationJob, QueueFullError

POLL_SECONDS = 1
"""``Retry-After`` of a 202: how soon a client should poll the job."""

ACCEPTED: Responses = {
    202: {
        "model": TextJobOut,
        "description": "The text is being written: poll `status_url` (also in `Location`).",
    },
    503: {
        "model": ErrorOut,
        "description": "Too many texts are waiting for the language model (Retry-After).",
    },
}


def status_url(job_id: str) -> str:
    return f"/v1/jobs/{job_id}"


def job_body(job: GenerationJob) -> dict[str, Any]:
    """The JSON shape of a job (:class:`TextJobOut`)."""
    outcome = job.outcome
    return {
        "job_id": job.job_id,
        "kind": job.kind,
        "status": job.status,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "status_url": status_url(job.job_id),
        "text": outcome.text if outcome else None,
        "source": outcome.source if outcome else None,
        "note": outcome.note if outcome else None,
        "error": job.error,
    }


def accepted(job: GenerationJob) -> Response:
    """``202`` with the job, its status URL in ``Location``."""
    headers = {"Location": status_url(job.job_id), "Retry-After": str(POLL_SECONDS)}
    return json_response(job_body(job), status_code=202, headers=headers)


def queue_full(exc: QueueFullError) -> HTTPException:
    """``503`` with ``Retry-After`` (whole seconds, at least 1)."""
    wait = str(max(1, math.ceil(exc.retry_after)))
    return HTTPException(503, str(exc), {"Retry-After": wait})
