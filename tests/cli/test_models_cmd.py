"""train -> recommend -> models list/use through the real ``recmind`` command, on the
real MovieLens 100K loaded with ``recmind datasets load``."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from recmind.cli.main import app
from recmind.config import Settings
from recmind.data.datasets import load_dataset
from recmind.rec.artifacts import ModelStore

pytestmark = pytest.mark.slow


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_recommend_before_training_says_what_to_do(settings: Settings) -> None:
    code, output = run("recommend", "--user", "1")
    assert code == 1
    assert "recmind train" in output


def test_train_recommend_and_roll_back(settings: Settings) -> None:
    code, output = run("datasets", "load", "movielens-100k")
    assert code == 0, output
    assert "100,000" in output

    code, output = run("train", "--model", "popular")
    assert code == 0, output
    assert "Published popular v0001" in output
    code, output = run("train")  # default model: hybrid
    assert code == 0, output
    assert "Published hybrid v0002" in output

    versions = ModelStore(settings.models_dir).versions()
    assert [v.name for v in versions] == ["popular", "hybrid"]
    meta = json.loads((versions[1].path / "meta.json").read_text())
    # tuned and measured on the global temporal split (109 test users of MovieLens 100K,
    # every item they take up after the cut a target): popularity scores 0.22, EASE 0.17
    assert meta["metrics"]["protocol"] == "temporal"
    assert meta["metrics"]["test_users"] > 100
    assert 0.12 < meta["metrics"]["test_ndcg@10"] < 0.35
    assert meta["data_fingerprint"] == versions[0].data_fingerprint

    code, output = run("recommend", "--user", "1", "--k", "5")
    assert code == 0, output
    assert "model hybrid v0002" in output
    assert output.count("\n│ ") >= 5  # five ranked rows

    code, output = run("recommend", "--user", "1", "--k", "5", "--category", "Documentary")
    assert code == 0, output
    shown = re.findall(r"^│\s*\d+\s*│\s*(\d+)\s*│", output, flags=re.MULTILINE)
    assert len(shown) == 5
    categories = load_dataset("movielens-100k").items.set_index("item_id")["category"]
    assert all("Documentary" in categories[item] for item in shown)

    code, output = run("models", "use", versions[0].version)
    assert code == 0, output
    code, output = run("recommend", "--user", "no-such-user", "--k", "3")
    assert code == 0, output
    assert "model popular v0001" in output
    assert "unknown user" in output

    code, output = run("models", "list")
    assert code == 0, output
    assert "* " in output or "│ *" in output

    code, output = run("models", "use", "v9999-20990101T000000Z")
    assert code == 2
    assert "unknown model version" in output


def test_train_rejects_unknown_model(settings: Settings) -> None:
    code, output = run("train", "--model", "magic")
    assert code == 2
    assert "unknown model 'magic'" in output


def test_train_on_empty_store_explains(settings: Settings) -> None:
    code, output = run("train")
    assert code == 1
    assert "recmind import" in output
