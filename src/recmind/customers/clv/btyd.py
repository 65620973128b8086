"""The buy-till-you-die baselines, fitted with pymc-marketing's CLV module: BG/NBD and
Pareto/NBD for the number of orders, Gamma-Gamma for the value of an order.

Each is fitted by maximum a posteriori (``method="map"``: seconds, deterministic; sampling
the posterior takes minutes and, for point forecasts, changes little) on the
recency-frequency summary of :mod:`recmind.customers.clv.summary`, on at most
``FIT_CUSTOMERS`` customers (a fixed pseudo-random subset by id hash: the models have four
population parameters, and their predictions for everyone are closed formulas). PyTensor
compiles the models' code on first use: its cache lives under
``$XDG_CACHE_HOME/recmind/pytensor`` (``~/.cache/...``) unless ``PYTENSOR_FLAGS`` names one,
so the compilation is paid once per machine, and concurrent processes share it (PyTensor
locks the folder while it writes).
"""

from __future__ import annotations

import logging
import os
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from recmind.customers.clv.history import FloatArray

FIT_CUSTOMERS = 30_000
"""The most customers a model's parameters are fitted on."""
MIN_CUSTOMERS = 5
"""Fewer customers than this (or no repeat order at all): the model is not fitted."""


class ModelFitError(RuntimeError):
    """A baseline could not be fitted (too little data, or the optimiser failed)."""


def pytensor_cache() -> Path:
    """Where PyTensor keeps compiled code unless ``PYTENSOR_FLAGS`` says otherwise."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "recmind" / "pytensor"


def _configure_pytensor() -> None:
    flags = os.environ.get("PYTENSOR_FLAGS", "")
    if "compiledir" not in flags:
        entry = f"base_compiledir={pytensor_cache()}"
        os.environ["PYTENSOR_FLAGS"] = f"{flags},{entry}" if flags else entry


@contextmanager
def _quiet() -> Iterator[None]:
    """pymc and PyTensor talk a lot on stderr; a fit's problems surface as exceptions."""
    names = ("pymc", "pytensor", "pymc_marketing", "arviz")
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _clv() -> Any:
    """pymc-marketing's CLV module (imported on first use: it takes seconds)."""
    _configure_pytensor()
    from pymc_marketing import clv

    return clv


def fit_sample(summary: pd.DataFrame, cap: int = FIT_CUSTOMERS) -> pd.DataFrame:
    """``summary`` itself, or the ``cap`` customers whose ids hash lowest."""
    if len(summary) <= cap:
        return summary
    hashes = np.array([zlib.crc32(str(c).encode()) for c in summary.index], dtype=np.int64)
    return summary.iloc[np.sort(np.argsort(hashes, kind="stable")[:cap])]


def _frame(summary: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    frame = summary.loc[:, list(columns)].reset_index()
    frame["customer_id"] = np.arange(len(frame))
    return frame


def _values(array: Any) -> FloatArray:
    """A (chain, draw, customer) result of a MAP fit as one value per customer."""
    reduced = array.mean(dim=[d for d in ("chain", "draw") if d in array.dims])
    return np.asarray(reduced.values, dtype=np.float64).reshape(-1)


@dataclass(frozen=True)
class OrderForecast:
    """A model's view of each customer over a horizon."""

    expected: FloatArray
    """Expected orders (purchase days)."""
    p_alive: FloatArray
    p_none: FloatArray
    """Probability of no order in the horizon."""


class FittedOrders:
    """A fitted BG/NBD or Pareto/NBD model."""

    def __init__(self, name: str, model: Any, params: dict[str, float]) -> None:
        self.name = name
        self.model = model
        self.params = params

    def forecast(self, summary: pd.DataFrame, horizon: float) -> OrderForecast:
        data = _frame(summary, ("frequency", "recency", "T"))
        if data.empty:
            empty = np.zeros(0)
            return OrderForecast(empty, empty.copy(), empty.copy())
        with _quiet():
            expected = _values(self.model.expected_purchases(data=data, future_t=horizon))
            alive = _values(self.model.expected_probability_alive(data=data))
            if self.name == "bg-nbd":
                none = self.model.expected_probability_no_purchase(t=horizon, data=data)
            else:
                none = self.model.expected_purchase_probability(
                    data=data, n_purchases=0, future_t=horizon
                )
            p_none = _values(none)
        return OrderForecast(
            expected=np.nan_to_num(np.maximum(expected, 0.0)),
            p_alive=np.clip(np.nan_to_num(alive, nan=1.0), 0.0, 1.0),
            p_none=np.clip(np.nan_to_num(p_none, nan=1.0), 0.0, 1.0),
        )


def _check(summary: pd.DataFrame, what: str) -> None:
    if len(summary) < MIN_CUSTOMERS or not (summary["frequency"] > 0).any():
        raise ModelFitError(
            f"{what}: needs at least {MIN_CUSTOMERS} customers and one repeat order "
            f"(got {len(summary)} customers)"
        )


def _map_params(model: Any, names: tuple[str, ...], what: str) -> dict[str, float]:
    posterior = model.fit_result
    params = {name: float(np.asarray(posterior[name].values).mean()) for name in names}
    if not all(np.isfinite(v) and v > 0 for v in params.values()):
        raise ModelFitError(f"{what}: the optimiser ended at invalid parameters {params}")
    return params


def fit_orders(name: str, summary: pd.DataFrame, cap: int = FIT_CUSTOMERS) -> FittedOrders:
    """Fit ``bg-nbd`` or ``pareto-nbd`` (MAP) on ``summary``'s customers (at most ``cap``)."""
    _check(summary, name)
    clv = _clv()
    if name == "bg-nbd":
        model_class, names = clv.BetaGeoModel, ("a", "b", "alpha", "r")
    elif name == "pareto-nbd":
        model_class, names = clv.ParetoNBDModel, ("r", "alpha", "s", "beta")
    else:
        raise ValueError(f"unknown order model {name!r}; known: bg-nbd, pareto-nbd")
    data = _frame(fit_sample(summary, cap), ("frequency", "recency", "T"))
    try:
        with _quiet():
            model = model_class(data=data)
            model.fit(method="map", progressbar=False)
    except (ValueError, FloatingPointError, RuntimeError, ArithmeticError) as exc:
        raise ModelFitError(f"{name}: the fit failed ({exc})") from exc
    return FittedOrders(name, model, _map_params(model, names, name))


class FittedSpend:
    """A fitted Gamma-Gamma model of the value of a customer's orders; without one
    (too few repeat customers with values), each customer's own mean order value,
    shrunk one order's weight towards the population mean."""

    def __init__(self, model: Any | None, population_mean: float) -> None:
        self.model = model
        self.population_mean = population_mean

    def order_value(self, summary: pd.DataFrame) -> FloatArray:
        """Expected value of each customer's future orders."""
        if summary.empty:
            return np.zeros(0)
        if self.model is None:
            orders = summary["orders"].to_numpy(dtype=np.float64)
            own = summary["avg_order_value"].to_numpy(dtype=np.float64)
            shrunk = (orders * own + self.population_mean) / (orders + 1.0)
            return np.asarray(shrunk, dtype=np.float64)
        data = _frame(summary, ("monetary_value", "frequency"))
        with _quiet():
            value = _values(self.model.expected_customer_spend(data=data))
        cleaned = np.nan_to_num(np.maximum(value, 0.0), nan=self.population_mean)
        return np.asarray(cleaned, dtype=np.float64)


def fit_spend(summary: pd.DataFrame, cap: int = FIT_CUSTOMERS) -> FittedSpend:
    """Gamma-Gamma (MAP) on the repeat customers with a positive mean order value."""
    orders = float(summary["orders"].sum()) if len(summary) else 0.0
    population = float(summary["total_value"].sum() / orders) if orders else 0.0
    repeat = summary.loc[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    if len(repeat) < 20 or repeat["monetary_value"].nunique() < 2:
        return FittedSpend(None, population)
    clv = _clv()
    data = _frame(fit_sample(repeat, cap), ("monetary_value", "frequency"))
    try:
        with _quiet():
            model = clv.GammaGammaModel(data=data)
            model.fit(method="map", progressbar=False)
        if _map_params(model, ("p", "q", "v"), "gamma-gamma")["q"] <= 1.0:
            return FittedSpend(None, population)  # no finite population mean
    except (ValueError, FloatingPointError, RuntimeError, ArithmeticError, ModelFitError):
        return FittedSpend(None, population)
    return FittedSpend(model, population)
