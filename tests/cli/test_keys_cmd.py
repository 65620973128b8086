"""``recmind keys create|list|revoke`` through the real command on a real store."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from recmind.cli.main import app
from recmind.config import Settings, get_settings
from recmind.data.api_keys import key_hash, list_keys, verify_key
from recmind.data.store import Store

SECRET = "cli-test-secret-not-the-default"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def secret(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("RECMIND_API__SECRET", SECRET)
    get_settings.cache_clear()
    return get_settings()


def test_create_prints_the_key_once_and_stores_only_its_hash(secret: Settings) -> None:
    code, out, err = run("keys", "create", "--scope", "read", "--scope", "ingest", "--name", "shop")
    assert code == 0, err
    key = out.strip()
    assert key.startswith("rk_") and len(key) > 40
    assert "shown only now" in err
    with Store.from_settings(secret) as store:
        (stored,) = list_keys(store)
        assert stored.scopes == ("ingest", "read") and stored.name == "shop"
        assert verify_key(store, SECRET, key) is not None
        with store.engine.connect() as connection:
            from sqlalchemy import text

            row = connection.execute(text("SELECT * FROM api_keys")).one()
        assert key not in str(tuple(row))
        assert row.key_hash == key_hash(key, SECRET)
    code, out, _ = run("keys", "list")
    assert code == 0
    assert stored.key_id in out and "ingest read" in out and key not in out


def test_revoke(secret: Settings) -> None:
    _, key, _ = run("keys", "create", "--scope", "admin")
    key = key.strip()
    key_id = key.split("_")[1]
    code, out, _ = run("keys", "revoke", key_id)
    assert code == 0 and f"Revoked {key_id}" in out
    with Store.from_settings(secret) as store:
        assert verify_key(store, SECRET, key) is None
    code, _, err = run("keys", "revoke", "nosuchkey")
    assert code == 1 and "no API key" in err


def test_unknown_scope(secret: Settings) -> None:
    code, _, err = run("keys", "create", "--scope", "root")
    assert code == 2
    assert "unknown scope" in err and "root" in err


def test_refuses_the_default_secret_outside_dev_mode(settings: Settings) -> None:
    code, out, err = run("keys", "create", "--scope", "read")
    assert code == 2
    assert "RECMIND_API__SECRET" in err
    assert out == ""
