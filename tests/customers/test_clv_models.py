"""The real models (pymc-marketing's BG/NBD, Pareto/NBD and Gamma-Gamma, the learned
LightGBM corrections) on a synthetic shop of 300 customers: the backtest scores them, and
the stored predictions are exactly the backtest's served forecast, computed from a store
that never saw the holdout (events after the cut change nothing)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import select
from tests.customers.clv_log import DAY, START, load_events, synthetic_events

from recmind.customers.clv.backtest import Backtest, run_backtest
from recmind.customers.predictions import build_predictions
from recmind.data.schema import customer_predictions
from recmind.data.store import Store

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("clv-models")]

END = START + 300 * DAY
HOLDOUT = 90
FIGURES = {"mae", "rmse", "total_ratio", "spend_mae", "churn_auc", "fit_seconds"}


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Store]]:
    """The whole log, and the same log without anything at or after ``END``."""
    folder = tmp_path_factory.mktemp("clv")
    events = synthetic_events(customers=300, days=400)
    full = Store.from_url(f"sqlite:///{folder / 'full.db'}")
    past = Store.from_url(f"sqlite:///{folder / 'past.db'}")
    for store, frame in ((full, events), (past, events.loc[events["timestamp"] < END])):
        store.migrate()
        load_events(store, frame, folder / store.url.rsplit("/", 1)[-1])
    yield full, past
    full.close()
    past.close()


@pytest.fixture(scope="module")
def backtest(stores: tuple[Store, Store]) -> Backtest:
    return run_backtest(stores[0], END, HOLDOUT, dataset="synthetic")


def test_backtest_scores_every_model(backtest: Backtest) -> None:
    payload = backtest.as_json()
    assert set(payload) == {
        "dataset",
        "calibration_end",
        "holdout_days",
        "customers",
        "actual_total",
        "models",
    }
    assert payload["calibration_end"] == "2024-10-27"
    assert payload["customers"] == 300
    assert payload["actual_total"] == backtest.actual_orders.sum() > 0
    models = payload["models"]
    assert {"bg-nbd", "pareto-nbd", "lightgbm", "blend", "recmind", "zero"} <= set(models)
    for figures in models.values():
        assert set(figures) == FIGURES
    assert backtest.chosen in {"bg-nbd", "pareto-nbd", "lightgbm", "blend"}
    assert models["recmind"]["mae"] == models[backtest.chosen]["mae"]
    assert backtest.fit.validation_window is not None
    assert set(backtest.fit.validation_loss) == {"bg-nbd", "pareto-nbd", "lightgbm", "blend"}
    for name in ("bg-nbd", "pareto-nbd", "lightgbm"):
        figures = models[name]
        assert figures["churn_auc"] > 0.7, name
        assert 0.6 < figures["total_ratio"] < 1.6, name
        assert figures["mae"] < models["zero"]["mae"], name
        forecast = backtest.fit.forecasts[name]
        assert np.all((forecast.p_alive >= 0) & (forecast.p_alive <= 1))
        assert np.corrcoef(forecast.expected, backtest.actual_orders)[0, 1] > 0.4


def test_stored_predictions_are_the_backtests_and_ignore_the_future(
    stores: tuple[Store, Store], backtest: Backtest
) -> None:
    report = build_predictions(stores[1], END, float(HOLDOUT))
    assert report.model == backtest.chosen
    with stores[1].engine.connect() as connection:
        rows = connection.execute(
            select(customer_predictions).order_by(customer_predictions.c.user_id)
        ).all()
    served = backtest.fit.served
    assert [row.user_id for row in rows] == backtest.fit.customers.tolist()
    assert np.allclose([row.expected_purchases for row in rows], served.expected)
    assert np.allclose([row.expected_spend for row in rows], served.spend)
    assert np.allclose([row.churn_risk for row in rows], served.churn_risk)
    assert np.allclose([row.p_active for row in rows], served.p_alive)
