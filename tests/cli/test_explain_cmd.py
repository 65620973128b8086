"""``recmind explain`` on a trained ItemKNN over a small store (registered on a local app
until the integrator adds it to ``main``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from recmind.cli import explain_cmd
from recmind.config import Settings
from recmind.data.bundle import DataBundle
from recmind.data.importer import import_bundle
from recmind.data.store import Store
from recmind.rec.artifacts import ModelStore
from recmind.rec.interactions import Interactions, ItemCatalog
from recmind.rec.itemknn import ItemKNNRecommender

app = typer.Typer()


@app.callback()
def _root() -> None:
    """Test app."""


explain_cmd.register(app)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def make_bundle() -> DataBundle:
    rng = np.random.default_rng(3)
    items = pd.DataFrame(
        {
            "item_id": [str(i) for i in range(12)],
            "title": [f"Film number {chr(65 + i)}" for i in range(12)],
            "category": ["Drama" if i % 2 else "Comedy" for i in range(12)],
        }
    )
    rows = [
        (f"u{u}", str(i), 1.7e9 + n)
        for u in range(20)
        for n, i in enumerate(rng.choice(12, size=5, replace=False))
    ]
    events = pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"]).assign(
        event_type="purchase", event_id=[f"e{n}" for n in range(len(rows))]
    )
    return DataBundle("shop", items=items, events=events)


@pytest.fixture
def trained(settings: Settings, tmp_path: Path) -> Settings:
    bundle = make_bundle()
    with Store.from_settings(settings) as store:
        store.migrate()
        import_bundle(store, bundle, quarantine_dir=tmp_path / "q")
    data = Interactions.from_frame(bundle.events, item_ids=bundle.items["item_id"].to_numpy())
    model = ItemKNNRecommender({"neighbors": 5}).fit(
        data, ItemCatalog.from_frame(bundle.items, data.item_ids)
    )
    ModelStore(settings.models_dir).save(model, metrics={}, data_fingerprint="test")
    return settings


def test_explain_lists_reasons(trained: Settings) -> None:
    code, output = run("explain", "--user", "u1", "--k", "3")
    assert code == 0, output
    assert output.count("Because you bought") == 3
    assert "itemknn similarity" in output


def test_explain_json(trained: Settings) -> None:
    code, output = run("explain", "--user", "u1", "--k", "2", "--json")
    assert code == 0, output
    found = json.loads(output)
    assert len(found) == 2 and all(f["because"] and f["sentence"] is None for f in found)


def test_no_model_says_what_to_do(settings: Settings) -> None:
    code, output = run("explain", "--user", "u1")
    assert code == 1 and "recmind train" in output
