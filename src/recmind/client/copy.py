"""Client methods for generated marketing copy (``/v1/copy``, the ``marketing`` scope)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from recmind.api.schemas_copy import CopyIn, CopyOut
from recmind.api.schemas_serving import TextJobOut
from recmind.client.base import BaseClient
from recmind.client.jobs import DEFAULT_WAIT_S, JobTimeoutError


class CopyJobError(RuntimeError):
    """The background job writing the copy ended without it (the model failed)."""


class CopyRoutes(BaseClient):
    """Marketing copy written by the language model, every claim checked."""

    def generate_copy(
        self,
        kind: str,
        *,
        item_ids: Sequence[str] = (),
        user_id: str | None = None,
        review_id: str | None = None,
        language: str | None = None,
        offer: Mapping[str, Any] | None = None,
        llm: bool = True,
        timeout: float = DEFAULT_WAIT_S,
        poll: float = 1.0,
    ) -> CopyOut:
        """Copy of ``kind`` (email, push, sms, ad, slogan, description, review-reply),
        waiting up to ``timeout`` seconds for the model (asking again every ``poll``
        seconds: the marketing scope is enough); ``source`` says whether the model (``llm``)
        or the template (``fallback``) wrote it. A bad request raises
        :class:`~recmind.client.base.ApiError` (422 naming the problem), a job that ended
        without copy :class:`CopyJobError`, no copy in time :class:`JobTimeoutError`."""
        body = CopyIn.model_validate(
            {
                "type": kind,
                "item_ids": list(item_ids),
                "user_id": user_id,
                "review_id": review_id,
                "language": language,
                "offer": dict(offer) if offer is not None else None,
                "llm": llm,
            }
        ).model_dump(mode="json", exclude_none=True)
        deadline = time.monotonic() + timeout
        seen: str | None = None
        while True:
            status, answer = self._request_with_status("POST", "/v1/copy/generate", json=body)
            if status != 202:
                return CopyOut.model_validate(answer)
            job = TextJobOut.model_validate(answer)
            if seen is not None and job.job_id != seen:
                # the job we waited on ended without copy, and asking again queued another
                raise CopyJobError(f"the copy job {seen} ended without copy")
            seen = job.job_id
            left = deadline - time.monotonic()
            if left <= 0:
                raise JobTimeoutError(job, timeout)
            time.sleep(min(poll, left))
