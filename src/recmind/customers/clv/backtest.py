"""Backtest: fit every lifetime-value model on the purchases before a calibration end and
score each on the next N days, through the same code that serves predictions.

Customers are those with a purchase before the calibration end; their holdout orders are
distinct purchase days in ``[end, end + N days)`` and their holdout spend the purchases'
values there. A bundled dataset is first imported into a temporary SQLite store with the
project's importer (the same validation as ``recmind datasets load``).
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from recmind.customers.clv.forecast import ClvFit, ModelForecast, Progress, fit_forecasts
from recmind.customers.clv.history import FloatArray, read_purchase_days, window_totals
from recmind.customers.clv.metrics import score
from recmind.customers.sql import DAY
from recmind.data.datasets import load_dataset, resolve_name
from recmind.data.importer import import_bundle
from recmind.data.store import Store

ORDER = ("bg-nbd", "pareto-nbd", "lightgbm", "blend", "historical-rate", "recmind", "zero")
"""Models in the order they are reported."""


@dataclass
class Backtest:
    """A backtest's figures: ``models`` maps a model's name to its scores and fit
    seconds; ``recmind`` is the model the validation chose (``chosen``)."""

    dataset: str
    calibration_end: float
    holdout_days: int
    customers: int
    actual_total: float
    models: dict[str, dict[str, float]]
    chosen: str
    fit: ClvFit
    actual_orders: FloatArray
    actual_spend: FloatArray
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The published shape: dataset, calibration_end, holdout_days, customers,
        actual_total, models."""
        return {
            "dataset": self.dataset,
            "calibration_end": iso(self.calibration_end),
            "holdout_days": self.holdout_days,
            "customers": self.customers,
            "actual_total": self.actual_total,
            "models": {
                name: {key: _finite(value) for key, value in figures.items()}
                for name, figures in self.models.items()
            },
        }

    def predictions(self) -> dict[str, FloatArray]:
        """Each reported model's expected orders per customer (for the calibration plot)."""
        found = {name: forecast.expected for name, forecast in self.fit.forecasts.items()}
        return {name: found[name] for name in ORDER if name in found}


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def iso(moment: float) -> str:
    """``1997-10-01`` at midnight UTC, else the full ISO date-time."""
    stamp = datetime.fromtimestamp(moment, tz=UTC)
    if stamp.hour == stamp.minute == stamp.second == stamp.microsecond == 0:
        return stamp.date().isoformat()
    return stamp.isoformat()


def _figures(
    forecast: ModelForecast, actual: tuple[FloatArray, FloatArray], seconds: float
) -> dict[str, float]:
    scores = score(forecast.expected, forecast.churn_risk, forecast.spend, actual[0], actual[1])
    return {**scores.as_dict(), "fit_seconds": round(seconds, 2)}


def run_backtest(
    store: Store,
    calibration_end: float,
    holdout_days: int,
    *,
    dataset: str,
    progress: Progress | None = None,
) -> Backtest:
    """Fit on purchases before ``calibration_end`` (epoch seconds), score the next
    ``holdout_days`` days."""
    if holdout_days < 1:
        raise ValueError(f"holdout_days must be at least 1, got {holdout_days}")
    history = read_purchase_days(store, calibration_end, end=calibration_end)
    if history.customers == 0:
        raise ValueError(f"no purchase before the calibration end {iso(calibration_end)}")
    fit = fit_forecasts(history, float(holdout_days), progress=progress)
    holdout = read_purchase_days(
        store,
        calibration_end,
        start=calibration_end,
        end=calibration_end + holdout_days * DAY,
    )
    ids = fit.customers.to_numpy(dtype=np.str_)
    actual = window_totals(holdout, ids, 0, holdout_days)
    models: dict[str, dict[str, float]] = {}
    for name in ORDER:
        if name in fit.forecasts:
            forecast = fit.forecasts[name]
            models[name] = _figures(forecast, actual, forecast.fit_seconds)
    models["recmind"] = _figures(fit.served, actual, fit.seconds)
    zero = np.zeros(len(ids))
    nobody = ModelForecast("zero", zero, np.ones(len(ids)), zero, zero, 0.0)
    models["zero"] = _figures(nobody, actual, 0.0)
    return Backtest(
        dataset=dataset,
        calibration_end=calibration_end,
        holdout_days=holdout_days,
        customers=len(ids),
        actual_total=float(actual[0].sum()),
        models=models,
        chosen=fit.chosen,
        fit=fit,
        actual_orders=actual[0],
        actual_spend=actual[1],
        notes=list(fit.notes),
    )


def backtest_dataset(
    name: str,
    calibration_end: float,
    holdout_days: int,
    *,
    progress: Progress | None = None,
    workdir: Path | None = None,
) -> Backtest:
    """Import a bundled dataset into a temporary SQLite store and backtest on it."""
    canonical = resolve_name(name)
    bundle = load_dataset(canonical)
    with tempfile.TemporaryDirectory(prefix="recmind-clv-", dir=workdir) as folder:
        store = Store.from_url(f"sqlite:///{Path(folder) / 'store.db'}")
        try:
            store.migrate()
            import_bundle(
                store, bundle, quarantine_dir=Path(folder) / "quarantine", progress=progress
            )
            return run_backtest(
                store, calibration_end, holdout_days, dataset=canonical, progress=progress
            )
        finally:
            store.close()
