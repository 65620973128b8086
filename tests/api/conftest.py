"""A real recmind server on loopback (uvicorn in a thread), on SQLite and on PostgreSQL,
with one API key per scope, and the typed client pointed at it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from recmind.api.app import create_app
from recmind.client import Client
from recmind.config import Settings
from recmind.data.api_keys import SCOPES, create_key
from recmind.data.store import Store

SECRET = "a-test-secret-that-is-not-the-default"


@dataclass
class LiveServer:
    """A running server: its URL, settings, a store handle for checks, keys by name."""

    url: str
    settings: Settings
    store: Store
    app: Any
    keys: dict[str, str] = field(default_factory=dict)

    def client(self, key: str | None = "all", *, timeout: float = 30.0) -> Client:
        """A client with the key named ``key`` (a scope, "all", or None for no key)."""
        return Client(self.url, self.keys[key] if key else None, timeout=timeout)

    def new_key(self, *scopes: str) -> str:
        return create_key(self.store, self.settings.api.secret, scopes).key


def make_settings(home: Path, db_url: str | None = None, **api: Any) -> Settings:
    options = {"secret": SECRET, "key_cache_seconds": 1.0, "log_requests": True, **api}
    return Settings(home=home, db_url=db_url, api=options, encoder="minilm-onnx")


def _free_port_server(
    settings: Settings, **app_options: Any
) -> tuple[uvicorn.Server, threading.Thread, Any]:
    app = create_app(settings, **app_options)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="recmind-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    return server, thread, app


@dataclass
class _Running:
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def start_server(settings: Settings, **app_options: Any) -> tuple[LiveServer, _Running]:
    """Start a server for ``settings`` (``app_options``: more arguments of ``create_app``)
    with one key per scope plus an "all" key."""
    store = Store.from_settings(settings)
    store.migrate()
    server, thread, app = _free_port_server(settings, **app_options)
    port = server.servers[0].sockets[0].getsockname()[1]
    live = LiveServer(f"http://127.0.0.1:{port}", settings, store, app)
    for scope in SCOPES:
        live.keys[scope] = live.new_key(scope)
    live.keys["all"] = live.new_key(*SCOPES)
    return live, _Running(server, thread)


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def backend(request: pytest.FixtureRequest) -> str | None:
    """The store URL of this run: None (SQLite under home) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def live(tmp_path: Path, backend: str | None) -> Iterator[LiveServer]:
    """A server on SQLite and on PostgreSQL (default API settings, test secret)."""
    server, running = start_server(make_settings(tmp_path / "home", backend))
    yield server
    running.stop()
    server.store.close()


@pytest.fixture
def sqlite_live(tmp_path: Path) -> Iterator[LiveServer]:
    """A server on SQLite only (for checks that do not depend on the backend)."""
    server, running = start_server(make_settings(tmp_path / "home"))
    yield server
    running.stop()
    server.store.close()


@pytest.fixture
def client(live: LiveServer) -> Iterator[Client]:
    """A client holding every scope."""
    with live.client() as c:
        yield c


@pytest.fixture
def make_live(tmp_path: Path) -> Iterator[Any]:
    """``make_live(**api_settings)``: a SQLite server with some API settings changed."""
    started: list[tuple[LiveServer, _Running]] = []

    def make(**api: Any) -> LiveServer:
        home = tmp_path / f"home{len(started)}"
        server, running = start_server(make_settings(home, **api))
        started.append((server, running))
        return server

    yield make
    for server, running in started:
        running.stop()
        server.store.close()
