"""Generated texts over HTTP, with the real SmolLM2-135M: portraits and explanation
sentences are written by the background worker (202 + status URL, then the text), never
on a request thread; a full queue answers 503 with Retry-After; erasing a person while their
portrait is being written leaves nothing behind."""

from __future__ import annotations

import importlib.util
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.api.conftest import LiveServer, _Running, make_settings, start_server
from tests.serving.shop import import_shop, publish

from recmind.api.profiles import NOT_GROUNDED
from recmind.client import Client
from recmind.text.llm.gguf_assets import ModelAssetsMissingError, ensure_model
from recmind.text.llm.local import LocalGGUFGenerator
from recmind.text.llm.protocol import GenerationRequest, GenerationResult, TextStream

pytestmark = [pytest.mark.llm, pytest.mark.slow]
USER = "b-user01"
"""A baker of the shop (tests/serving/shop.py)."""


class WatchedGenerator:
    """The real model, behind a gate the test opens, recording the threads it ran on."""

    def __init__(self, model: LocalGGUFGenerator) -> None:
        self.model = model
        self.threads: list[str] = []
        self.gate = threading.Event()
        self.gate.set()

    @property
    def model_id(self) -> str:
        return self.model.model_id

    @property
    def default_seed(self) -> int:
        return self.model.default_seed

    def generate(self, request: GenerationRequest) -> GenerationResult:
        self.threads.append(threading.current_thread().name)
        assert self.gate.wait(60), "the test never opened the gate"
        return self.model.generate(request)

    def stream(self, request: GenerationRequest) -> TextStream:
        self.threads.append(threading.current_thread().name)
        return self.model.stream(request)


@pytest.fixture(scope="module")
def smollm_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed")
    try:
        return ensure_model("smollm2-135m", models_dir=tmp_path_factory.mktemp("llm"))
    except ModelAssetsMissingError as exc:
        pytest.skip(str(exc))


@pytest.fixture
def watched(smollm_path: Path) -> Iterator[WatchedGenerator]:
    model = LocalGGUFGenerator(smollm_path, n_ctx=1024, n_threads=1, seed=7)
    yield WatchedGenerator(model)
    model.close()


def _serve(tmp_path: Path, watched: WatchedGenerator, **api: Any) -> tuple[LiveServer, _Running]:
    settings = make_settings(tmp_path / "home", **api)
    live, running = start_server(settings, make_generator=lambda: watched)
    import_shop(live.store, settings, settings.quarantine_dir)
    return live, running


@pytest.fixture
def shop_live(tmp_path: Path, watched: WatchedGenerator) -> Iterator[LiveServer]:
    live, running = _serve(tmp_path, watched)
    yield live
    running.stop()
    live.store.close()


def _job_until_final(client: Client, status_url: str, timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.raw("GET", status_url).json()
        if body["status"] in ("succeeded", "failed", "cancelled"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"{status_url} did not finish")


def test_a_portrait_is_written_in_the_background(
    shop_live: LiveServer, watched: WatchedGenerator
) -> None:
    with shop_live.client("read") as client:
        path = f"/v1/users/{USER}/profile"
        first = client.raw("GET", path, params={"generate": "true"})
        assert first.status_code == 202, first.text
        job = first.json()
        assert job["kind"] == "portrait" and job["status"] in ("queued", "running")
        assert first.headers["location"] == job["status_url"] == f"/v1/jobs/{job['job_id']}"
        # the same question while it is written joins the same job
        again = client.raw("GET", path, params={"generate": "true"})
        assert again.status_code == 202 and again.json()["job_id"] == job["job_id"]
        done = _job_until_final(client, job["status_url"])
        assert done["status"] == "succeeded", done
        profile = client.profile(USER, generate=True)  # now at once, from the kept text
        assert profile.portrait == done["text"]
        if done["source"] == "llm":
            assert profile.portrait_source == "llm" and profile.portrait_note is None
        else:  # no draft of the 135M model passed the grounding check
            assert profile.portrait_source == "template"
            assert profile.portrait_note == NOT_GROUNDED == done["note"]
        assert client.raw("GET", "/v1/jobs/" + "0" * 32).status_code == 404
    assert watched.threads and set(watched.threads) == {"recmind-generation"}


def test_an_explanation_sentence_is_written_in_the_background(
    shop_live: LiveServer, watched: WatchedGenerator
) -> None:
    publish(shop_live.store, shop_live.settings, "ease")
    with shop_live.client("read") as client:
        deadline = time.monotonic() + 30
        while not client.readiness().ready and time.monotonic() < deadline:
            time.sleep(0.1)
        item = client.recommend(USER, k=1).items[0].item_id
        plain = client.explanation(USER, item)
        assert plain.reason.startswith("Because you") and plain.sentence is None
        assert plain.because and watched.threads == []
        written = client.explanation(USER, item, generate=True)
        assert written.reason == plain.reason
        assert written.sentence and written.sentence_source in ("llm", "fallback")
        if written.sentence_source == "fallback":
            assert written.sentence == plain.reason
        again = client.raw("GET", f"/v1/users/{USER}/explanations/{item}?generate=true")
        assert again.status_code == 200 and again.json()["sentence"] == written.sentence
        missing = client.raw("GET", f"/v1/users/{USER}/explanations/no-such-item")
        assert missing.status_code == 404
    assert set(watched.threads) == {"recmind-generation"}


def test_a_full_queue_answers_503_with_retry_after(
    tmp_path: Path, watched: WatchedGenerator
) -> None:
    watched.gate.clear()  # the first portrait blocks inside the model until the gate opens
    live, running = _serve(tmp_path, watched, generation_queue=1)
    try:
        with live.client("read") as client:
            first = client.raw("GET", f"/v1/users/{USER}/profile?generate=true")
            assert first.status_code == 202
            deadline = time.monotonic() + 30
            while client.raw("GET", first.json()["status_url"]).json()["status"] != "running":
                assert time.monotonic() < deadline
                time.sleep(0.05)
            second = client.raw("GET", "/v1/users/c-user01/profile?generate=true")
            assert second.status_code == 202 and second.json()["status"] == "queued"
            full = client.raw("GET", "/v1/users/m-user01/profile?generate=true")
            assert full.status_code == 503
            assert int(full.headers["retry-after"]) >= 1
            assert "already waiting for the language model" in full.json()["detail"]
            plain = client.raw("GET", "/v1/users/m-user01/profile")  # no generation: served
            assert plain.status_code == 200
            assert "recmind_generation_refused_total 1.0" in client.metrics()
            watched.gate.set()
            for url in (first.json()["status_url"], second.json()["status_url"]):
                assert _job_until_final(client, url)["status"] == "succeeded"
            assert client.raw("GET", "/v1/users/m-user01/profile?generate=true").status_code == 202
    finally:
        watched.gate.set()
        running.stop()
        live.store.close()


def test_erasing_during_generation_leaves_no_portrait(
    shop_live: LiveServer, watched: WatchedGenerator
) -> None:
    watched.gate.clear()
    with shop_live.client("all") as client:
        started = client.raw("GET", f"/v1/users/{USER}/profile?generate=true")
        assert started.status_code == 202
        url = started.json()["status_url"]
        deadline = time.monotonic() + 30
        while client.raw("GET", url).json()["status"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        client.erase_user(USER)
        watched.gate.set()
        ended = _job_until_final(client, url)
    assert (ended["status"], ended["text"]) == ("cancelled", None)
    portraits = shop_live.settings.home / "cache" / "portraits"
    assert not list(portraits.glob("*.json"))  # (the cache keeps only its lock file)
    assert httpx.get(f"{shop_live.url}/healthz").status_code == 200
