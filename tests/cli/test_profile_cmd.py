"""``recmind profile`` on a store filled through the importer and on a bundled dataset
(the command is registered on a local app until the integrator adds it to ``main``)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from recmind.cli import profile_cmd
from recmind.config import Settings
from recmind.data.bundle import DataBundle
from recmind.data.importer import import_bundle
from recmind.data.store import Store

app = typer.Typer()


@app.callback()
def _root() -> None:
    """Test app."""


profile_cmd.register(app)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture
def filled_store(settings: Settings, tmp_path: Path) -> Settings:
    items = pd.DataFrame(
        {
            "item_id": ["1", "2", "3"],
            "title": ["Star Wars (1977)", "Fargo (1996)", "Toy Story (1995)"],
            "category": ["Action|Sci-Fi", "Crime|Drama", "Animation|Comedy"],
        }
    )
    events = pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3"],
            "user_id": ["u1", "u1", "u1"],
            "item_id": ["1", "2", "3"],
            "event_type": ["purchase", "view", "purchase"],
            "timestamp": [1.70e9, 1.71e9, 1.72e9],
            "value": [None, None, None],
        }
    )
    with Store.from_settings(settings) as store:
        store.migrate()
        import_bundle(
            store, DataBundle("shop", items=items, events=events), quarantine_dir=tmp_path / "q"
        )
    return settings


def test_profile_from_the_store(filled_store: Settings) -> None:
    code, output = run("profile", "--user", "u1", "--no-llm")
    assert code == 0, output
    assert "User u1: 3 events (purchase 2, view 1) on 3 items" in output
    assert "Portrait (template)" in output
    assert '"Toy Story (1995)"' in output
    for tag in ("Animation", "Sci-Fi", "Crime"):
        assert tag in output
    assert "Recent activity" in output and "purchase" in output


def test_unknown_user_and_bad_options(filled_store: Settings) -> None:
    assert run("profile", "--user", "nobody", "--no-llm")[0] == 1
    code, output = run("profile", "--user", "u1", "--dataset", "ml-100k", "--db", "sqlite://")
    assert code == 2 and "at most one" in output


def test_missing_language_model_falls_back_to_the_template(filled_store: Settings) -> None:
    code, output = run("profile", "--user", "u1", "--model", "no-such-model")
    assert code == 0, output
    assert "no language model" in output and "Portrait (template)" in output


def test_json_on_a_bundled_dataset(settings: Settings) -> None:
    code, output = run(
        "profile",
        "--user",
        "42",
        "--dataset",
        "movielens-100k",
        "--no-llm",
        "--json",
        "--tags",
        "3",
        "--recent",
        "2",
    )
    assert code == 0, output
    data = json.loads(output)
    assert data["user_id"] == "42" and data["n_events"] == 183
    assert len(data["tags"]) == 3 and len(data["recent"]) == 2
    assert data["portrait_source"] == "template"
