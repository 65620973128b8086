"""``recmind demo`` end to end on the real data (what `make demo` runs)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from recmind.cli.main import app
from recmind.config import Settings
from recmind.rec.registry import BASELINES

pytestmark = pytest.mark.slow


def test_demo_runs_end_to_end(settings: Settings) -> None:
    result = CliRunner().invoke(app, ["demo"], env={"COLUMNS": "200"})  # ~1-3 min
    assert result.exit_code == 0, result.output
    output = result.output
    assert "Top 10 for user" in output
    assert output.count("Top 10 for user") == 3
    reports = settings.reports_dir
    payload = json.loads((reports / "eval-movielens-100k-loo.json").read_text())
    assert set(payload["models"]) == {"popular", "itemknn", "ease", "als", "semantic", "hybrid"}
    models = payload["models"]
    assert models["hybrid"]["ndcg@10"] > max(models[b]["ndcg@10"] for b in BASELINES)
    assert "Because you liked" in output
    assert (reports / "eval-movielens-100k-loo.png").stat().st_size > 10_000
