"""The app factory refuses the built-in secret outside development mode, whoever calls it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from recmind.api.app import InsecureSecretError, create_app
from recmind.config import DEFAULT_SECRET, Settings


def test_the_default_secret_is_refused_outside_dev_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RECMIND_API__SECRET", raising=False)
    monkeypatch.delenv("RECMIND_API__DEV_MODE", raising=False)
    settings = Settings(home=tmp_path, api={"secret": DEFAULT_SECRET})
    with pytest.raises(InsecureSecretError, match="RECMIND_API__SECRET") as refused:
        create_app(settings)
    assert "RECMIND_API__DEV_MODE=true" in str(refused.value)
    with pytest.raises(InsecureSecretError):
        create_app(Settings(home=tmp_path))  # the default settings hold the default secret


def test_dev_mode_or_an_own_secret_starts(tmp_path: Path) -> None:
    dev = create_app(Settings(home=tmp_path / "dev", api={"dev_mode": True}))
    with TestClient(dev) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
    own = create_app(Settings(home=tmp_path / "own", api={"secret": "a-long-random-secret"}))
    with TestClient(own) as client:
        assert client.get("/readyz").status_code == 503  # up, no model published yet
