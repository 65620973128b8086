"""Shared fixtures: stores on a fresh SQLite file and on a fresh PostgreSQL database."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# The CLI's rich consoles are created at import and size tables to the terminal: give every
# test the same wide one, whatever terminal (or none, in CI) runs the suite.
os.environ["COLUMNS"] = "200"
# Nothing a test does may write into the checkout's ./var: the default home of this test
# process is a fresh temporary folder (tests that need their own use the `settings` fixture).
os.environ["RECMIND_HOME"] = tempfile.mkdtemp(prefix="recmind-test-home-")

import importlib.util
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from recmind.config import Settings, get_settings
from recmind.data.store import Store


def pytest_configure(config: pytest.Config) -> None:
    """CI that cannot hide: under ``CI=true`` a skip fails (``tests/ci_skips.py``)."""
    spec = importlib.util.spec_from_file_location(
        "ci_skips", Path(__file__).with_name("ci_skips.py")
    )
    assert spec is not None and spec.loader is not None
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    config.pluginmanager.register(plugin, "recmind-ci-skips")


PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_LOGINS = (("postgres", "test"), ("postgres", "postgres"), ("root", "test"), ("root", "postgres"))
"""(user, maintenance database) pairs tried in order; the server uses trust auth."""

_pg: dict[str, str] = {}
"""Which login worked (``user``, ``dbname``) or why none did (``error``), found once."""


def _admin() -> psycopg.Connection:
    """An autocommit connection that may CREATE and DROP databases, or ``pytest.skip``."""
    if "error" in _pg:
        pytest.skip(_pg["error"])
    logins = [(_pg["user"], _pg["dbname"])] if "user" in _pg else list(PG_LOGINS)
    problems = []
    for user, dbname in logins:
        try:
            connection = psycopg.connect(
                host=PG_HOST,
                port=PG_PORT,
                user=user,
                dbname=dbname,
                autocommit=True,
                connect_timeout=3,
            )
        except psycopg.OperationalError as exc:
            problems.append(f"{user}@{dbname}: {str(exc).strip().splitlines()[0]}")
            continue
        _pg.update(user=user, dbname=dbname)
        return connection
    _pg["error"] = f"PostgreSQL is not reachable on {PG_HOST}:{PG_PORT} ({'; '.join(problems)})"
    pytest.skip(_pg["error"])


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A migrated store on a new SQLite file."""
    store = Store.from_url(f"sqlite:///{tmp_path / 'store.db'}")
    store.migrate()
    yield store
    store.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    name = f"recmind_test_{uuid.uuid4().hex[:16]}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{_pg['user']}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    """A migrated store on a new PostgreSQL database (skips if the server is absent)."""
    store = Store.from_url(pg_url)
    store.migrate()
    yield store
    store.close()


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def store(request: pytest.FixtureRequest) -> Store:
    """The same test on SQLite and on PostgreSQL."""
    fixture = "sqlite_store" if request.param == "sqlite" else "pg_store"
    result: Store = request.getfixturevalue(fixture)
    return result


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings whose home is a fresh folder (no RECMIND_DB_URL): the process-wide
    ``get_settings()`` returns them for the duration of the test."""
    monkeypatch.setenv("RECMIND_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("RECMIND_DB_URL", raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
