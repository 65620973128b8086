"""Background training jobs started through the API: one at a time, each in a child process
(:mod:`recmind.serving.train_job`), followed by a thread that records the outcome and asks
the engine to swap the new version in at once."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from recmind.config import Settings
from recmind.rec.registry import available_models

logger = logging.getLogger(__name__)

Status = Literal["running", "succeeded", "failed"]
MAX_JOBS_KEPT = 100
STDERR_TAIL = 2000


class JobConflictError(RuntimeError):
    """A training job is already running."""


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Job:
    """What is known about one training job."""

    job_id: str
    model: str
    status: Status
    created_at: str
    finished_at: str | None = None
    version: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def check_model_name(name: str) -> str:
    """``name`` if it can be trained, else ValueError naming the ones that can."""
    known = available_models()
    if name not in known and name != "pop":
        raise ValueError(f"unknown model {name!r}; available: {', '.join(known)}")
    return name


class TrainingJobs:
    """Starts and tracks training jobs for one server."""

    def __init__(self, settings: Settings, on_published: Callable[[], object]) -> None:
        self.settings = settings
        self.on_published = on_published
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None
        self._running: str | None = None

    def submit(self, model: str | None = None) -> Job:
        """Start training ``model`` (default: the settings' default model)."""
        name = check_model_name(model or self.settings.default_model)
        with self._lock:
            if self._running is not None:
                raise JobConflictError(f"training job {self._running} is still running")
            job = Job(job_id=uuid.uuid4().hex, model=name, status="running", created_at=_now())
            self._jobs[job.job_id] = job
            while len(self._jobs) > MAX_JOBS_KEPT:
                del self._jobs[next(iter(self._jobs))]
            self._process = self._spawn(name)
            self._running = job.job_id
        threading.Thread(
            target=self._follow, args=(job.job_id,), name=f"recmind-train-{job.job_id[:8]}"
        ).start()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _spawn(self, model: str) -> subprocess.Popen[str]:
        settings = self.settings
        env = dict(os.environ)
        env.update(
            RECMIND_HOME=str(settings.home),
            RECMIND_DB_URL=settings.resolved_db_url,
            RECMIND_ENCODER=settings.encoder,
            OPENBLAS_NUM_THREADS=env.get("OPENBLAS_NUM_THREADS", "1"),
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "recmind.serving.train_job", "--model", model],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        return process

    def _follow(self, job_id: str) -> None:
        """Wait for the job's process and record its outcome (whatever happens)."""
        try:
            self._finish(job_id)
        except Exception as exc:
            logger.exception("following training job %s failed", job_id)
            with self._lock:
                job = self._jobs.get(job_id)
                if job is not None and job.status == "running":
                    self._jobs[job_id] = replace(
                        job,
                        status="failed",
                        error=f"{type(exc).__name__}: {exc}",
                        finished_at=_now(),
                    )
                self._running = None
                self._process = None

    def _finish(self, job_id: str) -> None:
        process = self._process
        assert process is not None
        stdout, stderr = process.communicate(self.settings.model_dump_json())
        lines = [line for line in stdout.splitlines() if line.strip().startswith("{")]
        outcome: dict[str, Any] = {}
        if lines:
            try:
                outcome = json.loads(lines[-1])
            except ValueError:
                outcome = {}
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            job = Job(job_id=job_id, model="?", status="running", created_at=_now())
        if process.returncode == 0 and "version" in outcome:
            job = replace(
                job,
                status="succeeded",
                version=str(outcome["version"]),
                metrics=dict(outcome.get("metrics") or {}),
                finished_at=_now(),
            )
        else:
            error = outcome.get("error") or (stderr.strip()[-STDERR_TAIL:] or "training failed")
            job = replace(job, status="failed", error=str(error), finished_at=_now())
            logger.warning("training job %s failed: %s", job_id, job.error)
        if job.status == "succeeded":
            try:  # swap before the job reads as done, so "succeeded" means "served"
                self.on_published()
            except Exception:
                logger.exception("job %s published %s; swapping it in failed", job_id, job.version)
        with self._lock:
            self._jobs[job_id] = job
            self._running = None
            self._process = None

    def shutdown(self) -> None:
        """Stop a running job's process (the server is going away)."""
        with self._lock:
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
