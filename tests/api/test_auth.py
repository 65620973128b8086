"""Every route needs a key of its scope: enumerated from the app itself, so a route added
later is covered without anyone remembering to add it here."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from tests.api.conftest import LiveServer

from recmind.data.api_keys import SCOPES, revoke_key

PUBLIC = {"/healthz", "/readyz", "/metrics", "/docs", "/docs/oauth2-redirect", "/redoc"}
PUBLIC |= {"/openapi.json", "/docs-static/{path}"}
PUBLIC |= {"/u/{token}", "/c/{token}", "/o/{token}"}  # links in messages: signed tokens


def _all_routes(routes: list[Any]) -> list[tuple[Any, str]]:
    """``(route, path template)`` of every route, routers included at any depth."""
    out = []
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:  # FastAPI's included router
            out += [(c.original_route, c.path_format) for c in contexts()]
        else:
            out.append((route, getattr(route, "path_format", getattr(route, "path", ""))))
    return out


def _routes(live: LiveServer) -> list[tuple[str, str]]:
    """(method, concrete path) of every route that is not public."""
    out = []
    for route, path in _all_routes(live.app.routes):
        if path in PUBLIC:
            continue
        assert isinstance(route, APIRoute), f"unexpected route type at {path}: {route!r}"
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            out.append((method, re.sub(r"\{[^}]+\}", "x1", path)))
    return out


def test_every_route_needs_a_key_of_its_scope(live: LiveServer) -> None:
    routes = _routes(live)
    assert len(routes) >= 12
    with httpx.Client(base_url=live.url) as http:
        for method, path in routes:
            response = http.request(method, path, json={})
            assert response.status_code == 401, (method, path, response.text)
            assert response.headers["www-authenticate"] == "Bearer"
            assert "detail" in response.json()
            admitted = []
            for scope in SCOPES:
                headers = {"Authorization": f"Bearer {live.keys[scope]}"}
                response = http.request(method, path, json={}, headers=headers)
                if response.status_code == 403:
                    assert "scope" in response.json()["detail"]
                else:
                    assert response.status_code != 401, (method, path, response.text)
                    admitted.append(scope)
            assert len(admitted) == 1, f"{method} {path} admits the scopes {admitted}"


def test_public_routes_need_no_key(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url) as http:
        assert http.get("/healthz").status_code == 200
        assert http.get("/readyz").status_code in (200, 503)
        assert http.get("/metrics").status_code == 200
        assert http.get("/openapi.json").status_code == 200
        assert http.get("/docs").status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Bearer rk_000000000000_notarealkey",
        "Bearer not-even-shaped-like-a-key",
        "Basic dXNlcjpwYXNz",
        "Bearer",
    ],
)
def test_unknown_or_malformed_keys_are_refused(sqlite_live: LiveServer, header: str) -> None:
    response = httpx.get(f"{sqlite_live.url}/v1/items", headers={"Authorization": header})
    assert response.status_code == 401


def test_a_key_hashed_under_another_secret_is_refused(sqlite_live: LiveServer) -> None:
    from recmind.data.api_keys import create_key

    other = create_key(sqlite_live.store, "some-other-secret", ["read"]).key
    response = httpx.get(
        f"{sqlite_live.url}/v1/items", headers={"Authorization": f"Bearer {other}"}
    )
    assert response.status_code == 401


def test_admin_does_not_imply_read_or_ingest(sqlite_live: LiveServer) -> None:
    with sqlite_live.client("admin") as admin:
        assert admin.raw("GET", "/v1/items").status_code == 403
        assert admin.raw("POST", "/v1/events", json={"events": []}).status_code == 403
        assert admin.raw("GET", "/v1/keys").status_code == 200


def test_revoking_through_the_api_takes_effect_at_once(sqlite_live: LiveServer) -> None:
    key = sqlite_live.new_key("read")
    key_id = key.split("_")[1]
    headers = {"Authorization": f"Bearer {key}"}
    assert httpx.get(f"{sqlite_live.url}/v1/items", headers=headers).status_code == 200
    with sqlite_live.client("admin") as admin:
        assert admin.revoke_key(key_id).revoked_at is not None
    assert httpx.get(f"{sqlite_live.url}/v1/items", headers=headers).status_code == 401


def test_revoking_from_another_process_takes_effect_within_the_cache_time(
    sqlite_live: LiveServer,
) -> None:
    key = sqlite_live.new_key("read")
    headers = {"Authorization": f"Bearer {key}"}
    assert httpx.get(f"{sqlite_live.url}/v1/items", headers=headers).status_code == 200
    revoke_key(sqlite_live.store, key.split("_")[1])  # what `recmind keys revoke` does
    deadline = time.monotonic() + sqlite_live.settings.api.key_cache_seconds + 2
    status = 200
    while status == 200 and time.monotonic() < deadline:
        status = httpx.get(f"{sqlite_live.url}/v1/items", headers=headers).status_code
        time.sleep(0.2)
    assert status == 401


def test_keys_over_the_api(sqlite_live: LiveServer) -> None:
    with sqlite_live.client("admin") as admin:
        created = admin.create_key(["read"], name="dashboard")
        assert created.key.startswith(f"rk_{created.key_id}_")
        listed = {k.key_id: k for k in admin.list_keys()}
        assert listed[created.key_id].name == "dashboard"
        assert listed[created.key_id].scopes == ["read"]
        assert "key" not in listed[created.key_id].model_dump()
        bad = admin.raw("POST", "/v1/keys", json={"scopes": ["superuser"]})
        assert bad.status_code == 422
        assert "superuser" in str(bad.json()["detail"])
        assert admin.raw("DELETE", "/v1/keys/ffffffffffff").status_code == 404
    with sqlite_live.client(None) as anonymous:
        anonymous._http.headers["Authorization"] = f"Bearer {created.key}"
        assert anonymous.list_items().total == 0
