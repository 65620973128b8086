"""Text generation off the request path: portraits and explanation sentences are written by
one background worker thread that holds the only generator (loaded once, on first use).

A request that needs a text which is not ready submits a job and gets its id at once; the
queue is bounded, so a burst of requests cannot pile up minutes of generation (the caller
answers 503 with ``Retry-After`` instead). Jobs with the same key share one run, and a
finished text is kept (bounded) under its key, so the next request is served from it.

Erasure: :meth:`GenerationJobs.forget` cancels a person's queued jobs, drops their kept
texts, and makes sure a job of theirs that is running now stores nothing when it ends: a
job's result is committed under the same lock, so it either lands before the erasure
(which then deletes it) or not at all.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal

from recmind.text.llm.protocol import Generator

logger = logging.getLogger(__name__)

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
JobKind = Literal["portrait", "explanation", "copy"]
DEFAULT_JOB_SECONDS = 10.0
"""Assumed length of a generation before any has finished (for ``Retry-After``)."""
MAX_RETRY_AFTER = 600.0
ERASED = "cancelled: the person was erased"


class QueueFullError(RuntimeError):
    """The generation queue is full; ``retry_after`` seconds is a fair wait."""

    def __init__(self, size: int, retry_after: float) -> None:
        super().__init__(
            f"{size} texts are already waiting for the language model; retry in {retry_after:.0f} s"
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class TextOutcome:
    """A finished text: ``source`` says who wrote it (``llm``, or the checked template
    where no generated draft passed the grounding check) and ``note`` why."""

    text: str
    source: str
    note: str | None = None
    created_at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class GenerationJob:
    """What is known about one generation job."""

    job_id: str
    kind: JobKind
    status: JobStatus
    created_at: str
    finished_at: str | None = None
    outcome: TextOutcome | None = None
    error: str | None = None


Write = Callable[[Generator], TextOutcome]
Commit = Callable[[TextOutcome], bool | None]
"""Stores an outcome; False when it must not be stored after all (the person was erased
meanwhile, by another process): the job then ends cancelled and nothing is kept."""


@dataclass
class _Task:
    job_id: str
    key: str
    owner: str
    write: Write
    commit: Commit | None
    cancelled: bool = False
    started: float = field(default=0.0)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class GenerationJobs:
    """The bounded generation queue and its worker thread.

    Args:
        make_generator: Builds the generator (called once, on the worker thread).
        max_queued: Jobs that may wait (the running one not counted).
        keep: Finished jobs and kept texts remembered (oldest forgotten first).
    """

    def __init__(self, make_generator: Callable[[], Generator], *, max_queued: int, keep: int):
        self.make_generator = make_generator
        self.max_queued = max_queued
        self.keep = keep
        self._cond = threading.Condition()
        self._queue: deque[_Task] = deque()
        self._running: _Task | None = None
        self._jobs: OrderedDict[str, GenerationJob] = OrderedDict()
        self._owners: dict[str, str] = {}
        self._by_key: dict[str, str] = {}
        self._texts: OrderedDict[str, tuple[str, JobKind, TextOutcome]] = OrderedDict()
        self._durations: deque[float] = deque(maxlen=20)
        self._generator: Generator | None = None
        self._generator_error: str | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker thread (the generator loads when the first job runs)."""
        with self._cond:
            if self._thread is not None:
                return
            self._stopping = False
            self._thread = threading.Thread(
                target=self._work, name="recmind-generation", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Cancel queued jobs, let the running one finish (up to ``timeout``), close the
        generator."""
        with self._cond:
            self._stopping = True
            while self._queue:
                self._finish_locked(self._queue.popleft(), "cancelled", error="server stopping")
            self._cond.notify_all()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                return  # a generation is still running: leave its model alone
        close = getattr(self._generator, "close", None)
        if callable(close):
            close()

    @property
    def generator_error(self) -> str | None:
        """Why the generator could not be built (None: not tried yet, or it works)."""
        return self._generator_error

    # -- submitting and reading ----------------------------------------------------------

    def submit(
        self, kind: JobKind, key: str, owner: str, write: Write, commit: Commit | None = None
    ) -> GenerationJob:
        """Queue ``write`` (run with the generator; ``commit`` stores its outcome) unless a
        job for ``key`` is already queued or running, whose record is returned instead.

        Raises:
            QueueFullError: ``max_queued`` jobs are waiting already.
        """
        with self._cond:
            existing = self._by_key.get(key)
            if existing is not None:
                return self._jobs[existing]
            if len(self._queue) >= self.max_queued:
                raise QueueFullError(len(self._queue), self._retry_after_locked())
            job = GenerationJob(uuid.uuid4().hex, kind, "queued", _now())
            self._remember_locked(job)
            self._owners[job.job_id] = owner
            self._by_key[key] = job.job_id
            self._queue.append(_Task(job.job_id, key, owner, write, commit))
            self._cond.notify_all()
            return job

    def get(self, job_id: str) -> GenerationJob | None:
        with self._cond:
            return self._jobs.get(job_id)

    def text(self, key: str) -> TextOutcome | None:
        """The kept text of ``key`` (None when none is kept)."""
        with self._cond:
            found = self._texts.get(key)
            if found is None:
                return None
            self._texts.move_to_end(key)
            return found[2]

    def texts_of(self, owner: str) -> list[tuple[JobKind, TextOutcome]]:
        """Every kept text about ``owner`` (for export)."""
        with self._cond:
            return [(kind, text) for who, kind, text in self._texts.values() if who == owner]

    def pending(self) -> int:
        """Jobs waiting or running."""
        with self._cond:
            return len(self._queue) + (self._running is not None)

    def forget(self, owner: str) -> list[tuple[JobKind, TextOutcome]]:
        """Erase ``owner``: cancel their queued jobs, make their running job store nothing,
        drop their kept texts and their jobs' outcomes. Returns the texts dropped."""
        with self._cond:
            for task in [t for t in self._queue if t.owner == owner]:
                self._queue.remove(task)
                self._finish_locked(task, "cancelled", error=ERASED)
            if self._running is not None and self._running.owner == owner:
                self._running.cancelled = True
            dropped = [k for k, (who, _, _) in self._texts.items() if who == owner]
            texts = [(self._texts[k][1], self._texts[k][2]) for k in dropped]
            for key in dropped:
                del self._texts[key]
            for job_id in [j for j, who in self._owners.items() if who == owner]:
                job = self._jobs.get(job_id)
                if job is not None and job.outcome is not None:
                    self._jobs[job_id] = replace(job, outcome=None)
                if job is None or job.status in ("succeeded", "failed", "cancelled"):
                    del self._owners[job_id]
            return texts

    # -- the worker ----------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                task = self._queue.popleft()
                task.started = time.monotonic()
                self._running = task
                self._jobs[task.job_id] = replace(self._jobs[task.job_id], status="running")
            self._run(task)

    def _run(self, task: _Task) -> None:
        try:
            outcome = task.write(self._load_generator())
        except Exception as exc:
            logger.warning("generation job %s failed: %s", task.job_id, exc)
            with self._cond:
                self._finish_locked(task, "failed", error=f"{type(exc).__name__}: {exc}")
            return
        with self._cond:
            if task.cancelled:
                self._finish_locked(task, "cancelled", error=ERASED)
                return
            try:
                stored = task.commit(outcome) if task.commit is not None else None
            except Exception as exc:
                logger.exception("storing the result of generation job %s failed", task.job_id)
                self._finish_locked(task, "failed", error=f"{type(exc).__name__}: {exc}")
                return
            if stored is False:
                self._finish_locked(task, "cancelled", error=ERASED)
                return
            kind = self._jobs[task.job_id].kind
            self._texts[task.key] = (task.owner, kind, outcome)
            while len(self._texts) > self.keep:
                self._texts.popitem(last=False)
            self._finish_locked(task, "succeeded", outcome=outcome)

    def _load_generator(self) -> Generator:
        if self._generator is not None:
            return self._generator
        if self._generator_error is not None:
            raise RuntimeError(f"no language model available: {self._generator_error}")
        try:
            self._generator = self.make_generator()
        except Exception as exc:
            self._generator_error = str(exc) or type(exc).__name__
            logger.warning("no language model for generated texts: %s", self._generator_error)
            raise RuntimeError(f"no language model available: {self._generator_error}") from exc
        return self._generator

    # -- bookkeeping (caller holds the lock) ---------------------------------------------

    def _finish_locked(
        self,
        task: _Task,
        status: JobStatus,
        *,
        outcome: TextOutcome | None = None,
        error: str | None = None,
    ) -> None:
        job = self._jobs.get(task.job_id)
        if job is not None:
            self._jobs[task.job_id] = replace(
                job, status=status, outcome=outcome, error=error, finished_at=_now()
            )
        if self._by_key.get(task.key) == task.job_id:
            del self._by_key[task.key]
        if self._running is task:
            self._running = None
            self._durations.append(time.monotonic() - task.started)
        if status == "cancelled":
            self._owners.pop(task.job_id, None)

    def _remember_locked(self, job: GenerationJob) -> None:
        self._jobs[job.job_id] = job
        while len(self._jobs) > max(self.keep, self.max_queued + 1):
            old_id, old = next(iter(self._jobs.items()))
            if old.status in ("queued", "running"):
                break
            del self._jobs[old_id]
            self._owners.pop(old_id, None)

    def _retry_after_locked(self) -> float:
        """Seconds until a queue slot is likely free: one job's typical length."""
        typical = (
            sum(self._durations) / len(self._durations) if self._durations else DEFAULT_JOB_SECONDS
        )
        return min(MAX_RETRY_AFTER, max(1.0, typical))
