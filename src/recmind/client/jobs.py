"""Client methods for texts the language model writes in the background: portraits and
explanation sentences (202 with a job while not ready), and waiting for those jobs."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from recmind.api.schemas_serving import ExplanationOut, TextJobOut
from recmind.client.base import BaseClient

FINAL = frozenset({"succeeded", "failed", "cancelled"})
DEFAULT_WAIT_S = 600.0
"""A portrait from a 1.5B model on a busy CPU takes minutes; this is the default bound."""


class JobFailedError(RuntimeError):
    """A generation job ended without a text; ``job`` says why."""

    def __init__(self, job: TextJobOut) -> None:
        super().__init__(f"generation job {job.job_id} {job.status}: {job.error}")
        self.job = job


class JobTimeoutError(TimeoutError):
    """A generation job did not finish in time; ``job`` is its last known state."""

    def __init__(self, job: TextJobOut, waited: float) -> None:
        super().__init__(f"generation job {job.job_id} still {job.status} after {waited:.0f} s")
        self.job = job


def _id(value: str) -> str:
    return quote(str(value), safe="")


class JobRoutes(BaseClient):
    """Explanations and generation jobs (portraits: :meth:`DataRoutes.profile`)."""

    def text_job(self, job_id: str) -> TextJobOut:
        """A generation job's status (with the text once succeeded)."""
        return text_job(self, job_id)

    def wait_for_text_job(
        self, job_id: str, *, timeout: float = DEFAULT_WAIT_S, poll: float = 0.5
    ) -> TextJobOut:
        """Poll the job until it succeeds (returned), fails or is cancelled
        (:class:`JobFailedError`), or ``timeout`` seconds pass (:class:`JobTimeoutError`)."""
        return wait_for_text_job(self, job_id, timeout=timeout, poll=poll)

    def explanation(
        self, user_id: str, item_id: str, *, generate: bool = False, timeout: float = DEFAULT_WAIT_S
    ) -> ExplanationOut:
        """Why ``item_id`` suits ``user_id`` now; with ``generate``, also one sentence the
        language model writes from those facts (waited for, at most ``timeout`` seconds)."""
        path = f"/v1/users/{_id(user_id)}/explanations/{_id(item_id)}"
        body = until_ready(self, path, {"generate": str(generate).lower()}, timeout)
        return ExplanationOut.model_validate(body)


def text_job(client: BaseClient, job_id: str) -> TextJobOut:
    """A generation job's status (with the text once succeeded)."""
    return TextJobOut.model_validate(client._request("GET", f"/v1/jobs/{_id(job_id)}"))


def wait_for_text_job(
    client: BaseClient, job_id: str, *, timeout: float = DEFAULT_WAIT_S, poll: float = 0.5
) -> TextJobOut:
    """Poll the job until it succeeds (returned), fails or is cancelled
    (:class:`JobFailedError`), or ``timeout`` seconds pass (:class:`JobTimeoutError`)."""
    started = time.monotonic()
    while True:
        job = text_job(client, job_id)
        if job.status == "succeeded":
            return job
        if job.status in FINAL:
            raise JobFailedError(job)
        waited = time.monotonic() - started
        if waited >= timeout:
            raise JobTimeoutError(job, waited)
        time.sleep(min(poll, max(0.0, timeout - waited)))


def until_ready(client: BaseClient, path: str, params: dict[str, Any], timeout: float) -> Any:
    """GET ``path`` until it answers 200, waiting on the job of each 202 (a route that
    starts a generation job); :class:`JobFailedError` when a job failed and asking again
    only queues another."""
    deadline = time.monotonic() + timeout
    failed: TextJobOut | None = None
    while True:
        status, body = client._request_with_status("GET", path, params=params)
        if status != 202:
            return body
        job = TextJobOut.model_validate(body)
        if failed is not None:
            raise JobFailedError(failed)
        try:
            wait_for_text_job(client, job.job_id, timeout=_left(deadline))
        except JobFailedError as exc:
            failed = exc.job


def _left(deadline: float, clock: Callable[[], float] = time.monotonic) -> float:
    return max(0.0, deadline - clock())
