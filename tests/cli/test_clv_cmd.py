"""``recmind clv backtest`` and ``recmind customers predict`` through the real commands on a
real SQLite store (a shop too small for the buy-till-you-die fits, so it runs in seconds;
tests/customers/test_clv_models.py covers the real models)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.customers.clv_log import load_events, synthetic_events
from typer.testing import CliRunner

from recmind.cli.main import app
from recmind.data.store import Store

KEYS = {"dataset", "calibration_end", "holdout_days", "customers", "actual_total", "models"}
FIGURES = {"mae", "rmse", "total_ratio", "spend_mae", "churn_auc", "fit_seconds"}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def shop(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    with Store.from_url(url) as store:
        store.migrate()
        load_events(store, synthetic_events(customers=4, days=200, seed=3), tmp_path)
    return url


def test_backtest_json_and_plot(tmp_path: Path) -> None:
    db = shop(tmp_path)
    out, plot = tmp_path / "out" / "clv.json", tmp_path / "clv.png"
    code, output = run(
        "clv", "backtest", "--db", db, "--calibration-end", "2024-05-01",
        "--holdout-days", "60", "--json", str(out), "--plot", str(plot),
    )  # fmt: skip
    assert code == 0, output
    assert "recmind (= historical-rate)" in output
    assert "at least 5 customers" in output  # why no model was fitted
    payload = json.loads(out.read_text())
    assert set(payload) == KEYS
    assert payload["calibration_end"] == "2024-05-01"
    assert payload["holdout_days"] == 60
    assert payload["customers"] == 4
    assert set(payload["models"]) == {"historical-rate", "recmind", "zero"}
    for figures in payload["models"].values():
        assert set(figures) == FIGURES
    assert payload["models"]["zero"]["total_ratio"] == 0.0
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_backtest_bad_input(tmp_path: Path) -> None:
    db = shop(tmp_path)
    base = ("clv", "backtest", "--calibration-end", "2024-05-01", "--holdout-days", "30")
    code, output = run(*base)
    assert code == 2
    assert "exactly one of --dataset and --db" in output
    code, output = run(*base, "--db", db, "--dataset", "cdnow")
    assert code == 2
    code, output = run(*base, "--dataset", "no-such-set")
    assert code == 2
    assert "unknown dataset 'no-such-set'" in output
    code, output = run("clv", "backtest", "--db", db, "--calibration-end", "May 1st",
                       "--holdout-days", "30")  # fmt: skip
    assert code == 2
    assert "--calibration-end 'May 1st'" in output
    code, output = run(*base[:-1], "0", "--db", db)
    assert code == 2
    code, output = run("clv", "backtest", "--db", db, "--calibration-end", "2020-01-01",
                       "--holdout-days", "30")  # fmt: skip
    assert code == 2
    assert "no purchase before the calibration end 2020-01-01" in output


def test_customers_predict(tmp_path: Path) -> None:
    db = shop(tmp_path)
    code, output = run("customers", "predict", "--db", db, "--as-of", "2024-05-01")
    assert code == 0, output
    assert "4 customers, model historical-rate, 90-day horizon" in output
    code, output = run("customers", "show", "c0000", "--db", db, "--json")
    assert code == 0, output
    predicted = json.loads(output)["predictions"]
    assert predicted["model"] == "historical-rate"
    assert predicted["horizon_days"] == 90.0
