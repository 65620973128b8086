"""The small shop of ``shop.py`` as a fixture, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.assistant.retrieval.shop import fill_shop

from recmind.data.store import Store


@pytest.fixture
def shop(store: Store, tmp_path: Path) -> Store:
    """The small shop on SQLite and on PostgreSQL."""
    fill_shop(store, tmp_path / "quarantine")
    return store
