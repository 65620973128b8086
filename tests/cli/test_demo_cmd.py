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
    # the headline temporal table comes first, leave-last-out second with its caveat
    assert output.index("temporal:") < output.index("loo:")
    assert "other people's later events" in output
    reports = settings.reports_dir
    for protocol in ("temporal", "loo"):
        payload = json.loads((reports / f"eval-movielens-100k-{protocol}.json").read_text())
        assert set(payload["models"]) == {
            "popular",
            "itemknn",
            "ease",
            "als",
            "semantic",
            "hybrid",
        }
        models = payload["models"]
        assert models["hybrid"]["ndcg@10"] > max(models[b]["ndcg@10"] for b in BASELINES)
        assert (reports / f"eval-movielens-100k-{protocol}.png").stat().st_size > 10_000
    assert "Because you liked" in output
