"""A served shop: a real SQLite store with the shop imported and a small model published."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.serving.shop import import_shop, publish

from recmind.config import Settings
from recmind.data.store import Store
from recmind.serving.engine import ServingEngine


@pytest.fixture
def shop_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Fast settings: the ONNX encoder (no torch), quick reloads, the cache of a new
    version warmed in-process (the child process is tested where swaps happen under load)."""
    monkeypatch.setenv("RECMIND_ENCODER", "minilm-onnx")
    serving = settings.serving.model_copy(update={"reload_seconds": 0.2, "warm_in_child": False})
    return settings.model_copy(update={"encoder": "minilm-onnx", "serving": serving})


@pytest.fixture
def shop_store(shop_settings: Settings, tmp_path: Path) -> Iterator[Store]:
    store = Store.from_settings(shop_settings)
    store.migrate()
    import_shop(store, shop_settings, tmp_path / "quarantine")
    yield store
    store.close()


@pytest.fixture
def engine(shop_settings: Settings, shop_store: Store) -> Iterator[ServingEngine]:
    """An engine serving an EASE model of the shop."""
    publish(shop_store, shop_settings, "ease")
    engine = ServingEngine(shop_settings, shop_store)
    engine.start()
    yield engine
    engine.stop()
