"""Shared fixtures of the CLI tests: an empty home with the settings read from it, and a
Typer app holding only the command groups a test needs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import typer

from recmind.config import Settings, get_settings


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings of a fresh ``RECMIND_HOME`` with the default (SQLite) store."""
    monkeypatch.setenv("RECMIND_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("RECMIND_DB_URL", raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def command_group(*modules: ModuleType) -> typer.Typer:
    """An app with the commands each of ``modules`` registers (``module.register(app)``)."""
    group = typer.Typer()

    @group.callback()
    def root() -> None:
        """recmind (the commands under test only)."""

    for module in modules:
        module.register(group)
    return group
