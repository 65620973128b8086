"""The model registry over HTTP: list versions, train in the background, hot swap under
requests with no failure, roll back by API and by the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from tests.api.conftest import LiveServer
from tests.serving.shop import import_shop, publish

from recmind.client import ApiError, Client
from recmind.client.serving import ServingRoutes
from recmind.serving.engine import ServingEngine


@pytest.fixture
def shop(sqlite_live: LiveServer, tmp_path: Path) -> LiveServer:
    import_shop(sqlite_live.store, sqlite_live.settings, tmp_path / "quarantine")
    publish(sqlite_live.store, sqlite_live.settings, "ease")
    engine: ServingEngine = sqlite_live.app.state.engine
    assert engine.reload()
    return sqlite_live


def wait_job(client: ServingRoutes, job_id: str, timeout: float = 180.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.job(job_id)
        if job.status != "running":
            assert job.status == "succeeded", job.error
            assert job.version is not None
            return job.version
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still running after {timeout} s")


def test_list_train_activate(shop: LiveServer) -> None:
    with shop.client("admin") as admin, shop.client("read") as reader:
        registry = admin.models()
        assert len(registry.versions) == 1
        first = registry.versions[0]
        assert first.model == "ease" and first.served and first.latest
        assert registry.served == registry.latest == first.version
        assert "test_ndcg@10" in first.metrics and first.n_items == 30

        job = admin.train("popular")
        assert job.status == "running" and job.model == "popular"
        with pytest.raises(ApiError) as busy:
            admin.train("popular")
        assert busy.value.status == 409
        second = wait_job(admin, job.job_id)
        assert reader.recommend("b-user00").version == second  # served when "succeeded"
        registry = admin.models()
        assert [v.version for v in registry.versions] == [first.version, second]
        assert registry.served == registry.latest == second

        back = admin.activate_model(first.version)
        assert back.served == first.version and back.model == "ease"
        assert reader.recommend("b-user00").version == first.version
        assert admin.models().latest == first.version
        with pytest.raises(ApiError) as unknown:
            admin.activate_model("v0099-20260101T000000Z")
        assert unknown.value.status == 404 and "unknown model version" in unknown.value.detail


def test_training_errors(shop: LiveServer) -> None:
    with shop.client("admin") as admin:
        with pytest.raises(ApiError) as bad:
            admin.train("gpt-17")
        assert bad.value.status == 422
        assert bad.value.detail[0]["loc"] == ["body", "model"]
        assert "available" in bad.value.detail[0]["msg"]
        with pytest.raises(ApiError) as missing:
            admin.job("no-such-job")
        assert missing.value.status == 404
    with shop.client("read") as reader, pytest.raises(ApiError) as denied:
        reader.models()
    assert denied.value.status == 403


def test_hot_swap_under_requests_fails_nothing(shop: LiveServer) -> None:
    """Requests in a loop while another process trains and publishes a new version:
    no request fails, and the served version changes."""
    failures: list[BaseException] = []
    versions: list[str] = []
    stop = threading.Event()

    def load() -> None:
        with Client(shop.url, shop.keys["read"]) as client:
            while not stop.is_set():
                try:
                    versions.append(client.recommend("c-user02", k=5).version)
                except BaseException as exc:
                    failures.append(exc)

    with shop.client("admin") as admin:
        first = admin.models().served
        thread = threading.Thread(target=load)
        thread.start()
        try:
            second = wait_job(admin, admin.train("itemknn").job_id)
            time.sleep(0.3)
        finally:
            stop.set()
            thread.join()
    assert not failures, failures[:3]
    assert versions[0] == first and versions[-1] == second
    assert len(versions) > 20
    switch = versions.index(second)
    assert set(versions[switch:]) == {second}


def test_rollback_with_the_cli_is_picked_up(shop: LiveServer) -> None:
    """`recmind models use VERSION` in another process: the running server follows."""
    engine: ServingEngine = shop.app.state.engine
    first = engine.version
    assert first is not None
    publish(shop.store, shop.settings, "popular")
    deadline = time.monotonic() + 30
    while engine.version == first and time.monotonic() < deadline:
        time.sleep(0.1)
    assert engine.model_name == "popular"
    env = dict(os.environ, RECMIND_HOME=str(shop.settings.home))
    cli = [str(Path(sys.executable).with_name("recmind")), "models", "use", first]
    done = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    deadline = time.monotonic() + 30
    while engine.version != first and time.monotonic() < deadline:
        time.sleep(0.1)
    with shop.client("read") as reader:
        assert reader.recommend("b-user00").version == first
