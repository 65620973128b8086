"""Routes get the engine, store and settings through dependencies, so a test (or an
embedding application) can hand them other ones with ``app.dependency_overrides``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import make_settings
from tests.serving.shop import import_shop, publish

from recmind.api.app import create_app
from recmind.api.deps import get_engine, get_settings, get_store
from recmind.config import Settings
from recmind.data.api_keys import create_key
from recmind.data.store import Store
from recmind.serving.engine import ServingEngine


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[tuple[Settings, Store, ServingEngine]]:
    """Another home: the shop imported and an EASE model served by its own engine."""
    settings = make_settings(tmp_path / "shop")
    store = Store.from_settings(settings)
    store.migrate()
    import_shop(store, settings, settings.quarantine_dir)
    publish(store, settings, "ease")
    engine = ServingEngine(settings, store)
    engine.reload()
    yield settings, store, engine
    store.close()


def test_overridden_dependencies_are_what_the_routes_use(
    tmp_path: Path, shop: tuple[Settings, Store, ServingEngine]
) -> None:
    shop_settings, shop_store, shop_engine = shop
    settings = make_settings(tmp_path / "empty")
    app = create_app(settings)
    with TestClient(app) as client:
        key = create_key(app.state.store, settings.api.secret, ["read"]).key
        headers = {"Authorization": f"Bearer {key}"}
        path = "/v1/users/b-user00/recommendations"
        assert client.get(path, headers=headers).status_code == 503  # nothing published here
        assert client.get("/v1/items/b00", headers=headers).status_code == 404

        app.dependency_overrides[get_engine] = lambda: shop_engine
        app.dependency_overrides[get_store] = lambda: shop_store
        served = client.get(path, headers=headers)
        assert served.status_code == 200, served.text
        assert served.json()["version"] == shop_engine.version
        assert client.get("/v1/items/b00", headers=headers).json()["title"]
        assert client.get("/readyz").json()["model_version"] == shop_engine.version

        tight = shop_settings.model_copy(
            update={"api": shop_settings.api.model_copy(update={"max_exclude_items": 1})}
        )
        app.dependency_overrides[get_settings] = lambda: tight
        refused = client.get(path, headers=headers, params={"exclude": ["b01", "b02"]})
        assert refused.status_code == 422

        app.dependency_overrides.clear()
        assert client.get(path, headers=headers).status_code == 503
