"""The generation worker's queue: one thread, one model built once, a bounded queue,
shared jobs per key, kept texts, erasure. The model is opaque to the worker (it only hands
it to the job), so these tests give it a marker object; the API tests run a real model."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import cast

import pytest

from recmind.serving.generation import (
    ERASED,
    GenerationJob,
    GenerationJobs,
    QueueFullError,
    TextOutcome,
)
from recmind.text.llm.protocol import Generator

MODEL_MARKER = cast(Generator, object())
"""Stands for the model: the worker passes it to each job untouched."""


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def finished(jobs: GenerationJobs, job: GenerationJob) -> GenerationJob:
    assert wait_until(lambda: jobs.get(job.job_id).status not in ("queued", "running"))  # type: ignore[union-attr]
    found = jobs.get(job.job_id)
    assert found is not None
    return found


@pytest.fixture
def builds() -> list[str]:
    return []


@pytest.fixture
def jobs(builds: list[str]) -> Iterator[GenerationJobs]:
    def make() -> Generator:
        builds.append(threading.current_thread().name)
        return MODEL_MARKER

    worker = GenerationJobs(make, max_queued=2, keep=10)
    worker.start()
    yield worker
    worker.stop(timeout=5)


def blocked(gate: threading.Event, text: str = "written") -> Callable[[Generator], TextOutcome]:
    """A job that waits for ``gate`` before it finishes."""

    def write(generator: Generator) -> TextOutcome:
        assert generator is MODEL_MARKER
        assert gate.wait(10)
        return TextOutcome(text, "llm")

    return write


def test_jobs_run_on_the_worker_thread_with_one_model(
    jobs: GenerationJobs, builds: list[str]
) -> None:
    threads: list[str] = []

    def write(generator: Generator) -> TextOutcome:
        threads.append(threading.current_thread().name)
        return TextOutcome(f"text {len(threads)}", "llm")

    first = jobs.submit("portrait", "k1", "alice", write)
    assert first.status == "queued"
    done = finished(jobs, first)
    second = finished(jobs, jobs.submit("explanation", "k2", "alice", write))
    assert (done.status, second.status) == ("succeeded", "succeeded")
    assert done.outcome is not None and done.outcome.text == "text 1"
    assert threads == ["recmind-generation", "recmind-generation"]
    assert builds == ["recmind-generation"]  # built once, on the worker
    assert jobs.text("k1") == done.outcome


def test_the_same_key_shares_one_job(jobs: GenerationJobs) -> None:
    gate = threading.Event()
    first = jobs.submit("portrait", "same", "alice", blocked(gate))
    again = jobs.submit("portrait", "same", "alice", blocked(gate, "other"))
    assert again.job_id == first.job_id
    gate.set()
    assert finished(jobs, first).status == "succeeded"
    kept = jobs.text("same")
    assert kept is not None and kept.text == "written"


def test_a_full_queue_refuses_with_a_wait(jobs: GenerationJobs) -> None:
    gate = threading.Event()
    running = jobs.submit("portrait", "a", "u1", blocked(gate))
    assert wait_until(lambda: jobs.get(running.job_id).status == "running")  # type: ignore[union-attr]
    jobs.submit("portrait", "b", "u2", blocked(gate))
    jobs.submit("portrait", "c", "u3", blocked(gate))
    with pytest.raises(QueueFullError, match="2 texts are already waiting") as refused:
        jobs.submit("portrait", "d", "u4", blocked(gate))
    assert refused.value.retry_after >= 1
    assert jobs.pending() == 3
    gate.set()
    assert wait_until(lambda: jobs.pending() == 0)
    assert jobs.submit("portrait", "d", "u4", blocked(gate)).status == "queued"


def test_forgetting_a_person_cancels_and_drops_their_texts(jobs: GenerationJobs) -> None:
    kept = finished(jobs, jobs.submit("explanation", "kept", "alice", _written("about alice")))
    bob = finished(jobs, jobs.submit("explanation", "bob", "bob", _written("about bob")))
    gate = threading.Event()
    commits: list[str] = []
    running = jobs.submit("portrait", "run", "alice", blocked(gate), commits.append)  # type: ignore[arg-type]
    assert wait_until(lambda: jobs.get(running.job_id).status == "running")  # type: ignore[union-attr]
    queued = jobs.submit("portrait", "wait", "alice", _written("never"))

    dropped = jobs.forget("alice")

    assert [t.text for _, t in dropped] == ["about alice"]
    assert jobs.text("kept") is None and jobs.texts_of("alice") == []
    assert jobs.get(kept.job_id).outcome is None  # type: ignore[union-attr]
    assert jobs.get(queued.job_id).status == "cancelled"  # type: ignore[union-attr]
    gate.set()  # the running job ends after the erasure: nothing of it is stored
    ended = finished(jobs, running)
    assert (ended.status, ended.error, ended.outcome) == ("cancelled", ERASED, None)
    assert commits == [] and jobs.text("run") is None
    assert jobs.text("bob") == bob.outcome  # others keep theirs


def test_a_model_that_cannot_load_fails_its_jobs_and_says_why() -> None:
    def broken() -> Generator:
        raise FileNotFoundError("no model file at /nowhere.gguf")

    worker = GenerationJobs(broken, max_queued=2, keep=3)
    worker.start()
    try:
        job = finished(worker, worker.submit("portrait", "k", "alice", _written("x")))
        assert job.status == "failed"
        assert "no language model available: no model file at /nowhere.gguf" in (job.error or "")
        assert worker.generator_error == "no model file at /nowhere.gguf"
    finally:
        worker.stop(timeout=5)


def test_kept_texts_and_jobs_are_bounded() -> None:
    worker = GenerationJobs(lambda: MODEL_MARKER, max_queued=2, keep=3)
    worker.start()
    try:
        done = [
            finished(worker, worker.submit("explanation", f"k{n}", "alice", _written(f"t{n}")))
            for n in range(5)
        ]
    finally:
        worker.stop(timeout=5)
    assert [worker.text(f"k{n}") is not None for n in range(5)] == [False, False, True, True, True]
    assert [worker.get(j.job_id) is not None for j in done] == [False, False, True, True, True]


def test_stopping_cancels_what_waits() -> None:
    gate = threading.Event()
    worker = GenerationJobs(lambda: MODEL_MARKER, max_queued=2, keep=3)
    worker.start()
    running = worker.submit("portrait", "a", "u1", blocked(gate))
    assert wait_until(lambda: worker.get(running.job_id).status == "running")  # type: ignore[union-attr]
    waiting = worker.submit("portrait", "b", "u2", _written("x"))
    stopper = threading.Thread(target=worker.stop)
    stopper.start()
    assert wait_until(lambda: worker.get(waiting.job_id).status == "cancelled")  # type: ignore[union-attr]
    gate.set()
    stopper.join(10)
    assert worker.get(running.job_id).status == "succeeded"  # type: ignore[union-attr]


def _written(text: str) -> Callable[[Generator], TextOutcome]:
    return lambda _generator: TextOutcome(text, "llm")
