"""Cross-cutting behaviour: errors without stack traces, request ids, JSON logs, CORS,
rate limits, metrics, health and readiness."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from tests.api.conftest import LiveServer
from tests.serving.shop import import_shop, publish

from recmind.client import Client
from recmind.rec.artifacts import ModelStore


def test_a_forced_500_shows_no_stack_trace(live: LiveServer, client: Client) -> None:
    client.put_item("i1", title="Shirt")
    with live.store.engine.begin() as connection:  # break the store under the server
        connection.execute(text("DROP TABLE events"))
    response = client.raw(
        "POST",
        "/v1/events",
        json={"user_id": "u", "item_id": "i1", "event_type": "view", "timestamp": 1.7e9},
        headers={"X-Request-ID": "trace-me-123"},
    )
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error", "request_id": "trace-me-123"}
    assert response.headers["x-request-id"] == "trace-me-123"
    for leak in ("Traceback", "events", "sqlite", "psycopg", "File "):
        assert leak not in response.text


def test_request_ids_and_json_access_logs(
    sqlite_live: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="recmind.api.access")
    with sqlite_live.client("read") as c:
        given = c.raw("GET", "/v1/items/abc", headers={"X-Request-ID": "req-42"})
        made = c.raw("GET", "/v1/items")
    assert given.headers["x-request-id"] == "req-42"
    assert len(made.headers["x-request-id"]) == 32
    bad = httpx.get(f"{sqlite_live.url}/healthz", headers={"X-Request-ID": "bad id\twith tab"})
    assert bad.headers["x-request-id"] != "bad id\twith tab"
    records = {r.request_id: r for r in caplog.records if r.name == "recmind.api.access"}  # type: ignore[attr-defined]
    line = records["req-42"]
    assert (line.method, line.route, line.status) == ("GET", "/v1/items/{item_id}", 404)  # type: ignore[attr-defined]
    assert line.key_id == sqlite_live.keys["read"].split("_")[1]  # type: ignore[attr-defined]
    assert line.ms > 0  # type: ignore[attr-defined]
    assert not hasattr(line, "path")  # ids in paths stay out of the logs


def test_unknown_routes_and_methods_answer_json(sqlite_live: LiveServer) -> None:
    response = httpx.get(f"{sqlite_live.url}/v2/nothing")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
    response = httpx.request("TRACE", f"{sqlite_live.url}/healthz")
    assert response.status_code == 405
    assert "detail" in response.json()


def test_cors_follows_the_settings(make_live: Any) -> None:
    live = make_live(cors_origins=["https://shop.example"])
    preflight = {
        "Origin": "https://shop.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    allowed = httpx.options(f"{live.url}/v1/events", headers=preflight)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://shop.example"
    other = httpx.options(
        f"{live.url}/v1/events", headers={**preflight, "Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers
    simple = httpx.get(f"{live.url}/healthz", headers={"Origin": "https://shop.example"})
    assert simple.headers["access-control-allow-origin"] == "https://shop.example"
    assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()


def test_cors_is_off_by_default(sqlite_live: LiveServer) -> None:
    response = httpx.get(f"{sqlite_live.url}/healthz", headers={"Origin": "https://shop.example"})
    assert "access-control-allow-origin" not in response.headers


def test_rate_limit_per_key(make_live: Any) -> None:
    live = make_live(rate_limit_per_second=2.0, rate_limit_burst=3)
    with live.client("read") as limited, live.client("all") as other:
        statuses = [limited.raw("GET", "/v1/items").status_code for _ in range(4)]
        assert statuses[:3] == [200, 200, 200]
        assert statuses[3] == 429
        blocked = limited.raw("GET", "/v1/items")
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) >= 1
        assert "rate limit" in blocked.json()["detail"]
        assert other.raw("GET", "/v1/items").status_code == 200  # another key: its own bucket
        time.sleep(1.1)
        assert limited.raw("GET", "/v1/items").status_code == 200


def test_metrics(live: LiveServer, client: Client) -> None:
    client.put_item("i1", title="Shirt")
    client.get_item("i1")
    client.send_events(
        [
            {"user_id": "u", "item_id": "i1", "event_type": "view", "timestamp": 1.7e9},
            {"user_id": "u", "item_id": "nope", "event_type": "view", "timestamp": 1.7e9},
        ]
    )
    metrics = client.metrics()
    assert (
        'recmind_http_request_duration_seconds_count{method="GET",route="/v1/items/{item_id}"} 1.0'
        in metrics
    )
    assert (
        'recmind_http_requests_total{method="PUT",route="/v1/items/{item_id}",status="201"} 1.0'
        in metrics
    )
    assert "recmind_events_ingested_total 1.0" in metrics
    assert 'recmind_rows_rejected_total{entity="events",reason="unknown_item"} 1.0' in metrics
    assert "recmind_model_ready 0.0" in metrics


def test_health_and_readiness(live: LiveServer, client: Client) -> None:
    assert client.health()
    before = client.readiness()
    assert (before.ready, before.store, before.model) == (False, True, False)
    assert "recmind train" in (before.detail or "")
    import_shop(live.store, live.settings, live.settings.quarantine_dir)
    info = publish(live.store, live.settings, "popular")
    deadline = time.monotonic() + 30
    while not client.readiness().ready and time.monotonic() < deadline:
        time.sleep(0.2)
    after = client.readiness()
    assert (after.ready, after.model_version, after.model_name) == (True, info.version, info.name)
    metrics = client.metrics()
    assert f'recmind_model_info{{name="{info.name}",version="{info.version}"}} 1.0' in metrics
    assert "recmind_model_ready 1.0" in metrics


def test_guessing_keys_is_rate_limited_per_address(make_live: Any) -> None:
    live = make_live(rate_limit_per_second=2.0, rate_limit_burst=3)
    statuses = [
        httpx.get(
            f"{live.url}/v1/items", headers={"Authorization": f"Bearer rk_guess{n}_x"}
        ).status_code
        for n in range(5)
    ]
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3:] == [429, 429]
    time.sleep(1.1)  # the address earns a token back; a real key then works
    with live.client("read") as c:
        assert c.raw("GET", "/v1/items").status_code == 200
        # Verified and cached now, it is counted against its own bucket, not the address's.
        assert c.raw("GET", "/v1/items").status_code == 200


def test_readiness_reports_a_version_that_fails_to_load(sqlite_live: LiveServer) -> None:
    live = sqlite_live
    import_shop(live.store, live.settings, live.settings.quarantine_dir)
    first = publish(live.store, live.settings, "popular")
    with live.client() as client:

        def serving(version: str) -> bool:
            deadline = time.monotonic() + 30
            while client.readiness().model_version != version:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.1)
            return True

        assert serving(first.version)
        second = publish(live.store, live.settings, "popular")
        assert serving(second.version)
        (first.path / "model.pkl").write_bytes(b"damaged")
        ModelStore(live.settings.models_dir).set_latest(first.version)  # roll back to it
        deadline = time.monotonic() + 30
        while (ready := client.readiness()).load_failure is None:
            assert time.monotonic() < deadline, "the failed load was not reported"
            time.sleep(0.1)
        failure = ready.load_failure
        assert ready.ready and ready.model_version == second.version  # still serving
        assert (failure.version, failure.attempts) == (first.version, 1)
        assert failure.error.startswith("ArtifactIntegrityError")  # the checksum refuses it
        retry = datetime.fromisoformat(failure.next_retry_at)
        assert 0 < (retry - datetime.now(UTC)).total_seconds() <= 6
        assert len(client.recommend("b-user00", k=3).items) == 3
