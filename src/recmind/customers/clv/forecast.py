"""Fit every lifetime-value model on a purchase history, choose one on a validation window
inside it, and forecast each customer over the horizon: the one code path behind the
stored predictions (:mod:`recmind.customers.predictions`) and the backtest.

Models: ``bg-nbd`` and ``pareto-nbd`` (pymc-marketing, orders) with Gamma-Gamma order
values for spend; ``lightgbm`` (:mod:`recmind.customers.clv.learned`); ``blend``, the mean
of ``lightgbm`` and ``pareto-nbd``.

Choosing: the learned model is trained on windows that end at ``as_of`` (cuts ``w`` days
before it, labels from ``[as_of - w, as_of)``; ``w`` up to half the history and at most the
horizon, plus a third and two thirds of that). On the longest window every customer is
forecast by trees that did not learn from them (three folds by id hash), every baseline is
refitted at that cut, and the candidate with the lowest :func:`relative_loss` against BG/NBD
over all those customers is served (its name is ``ClvFit.chosen``). The learned model is
then trained on everyone and applied at ``as_of``. With too little history for a window (or
too few customers) there is no validation and BG/NBD is served.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from recmind.customers.clv.btyd import (
    FIT_CUSTOMERS,
    FittedOrders,
    ModelFitError,
    OrderForecast,
    fit_orders,
    fit_spend,
)
from recmind.customers.clv.history import FloatArray, PurchaseDays, window_totals
from recmind.customers.clv.learned import (
    Block,
    LearnedModel,
    cross_fit,
    horizon_drift,
    learning_sample,
)
from recmind.customers.clv.metrics import Scores, relative_loss, score
from recmind.customers.clv.summary import summarise

Progress = Callable[[str, int, int | None], None]
LABEL = "lifetime value"
STEPS = 8
MIN_WINDOW = 14
"""The shortest validation window (days)."""
MIN_LEARN_CUSTOMERS = 200
BASELINES = ("bg-nbd", "pareto-nbd")
REFERENCE = "bg-nbd"


@dataclass(frozen=True)
class ModelForecast:
    """One model's forecast for every customer (in ``ClvFit.customers`` order)."""

    name: str
    expected: FloatArray
    churn_risk: FloatArray
    spend: FloatArray
    p_alive: FloatArray
    fit_seconds: float


@dataclass
class ClvFit:
    """Every model's forecast at ``as_of``, which one is served, and why."""

    customers: pd.Index
    horizon: float
    forecasts: dict[str, ModelForecast]
    chosen: str
    validation: dict[str, Scores] = field(default_factory=dict)
    validation_loss: dict[str, float] = field(default_factory=dict)
    validation_window: float | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    """Wall time of the whole fit: every model, the validation and the choice."""

    @property
    def served(self) -> ModelForecast:
        return self.forecasts[self.chosen]


def _no_progress(label: str, done: int, total: int | None) -> None:
    return None


def _baseline(
    fitted: FittedOrders, summary: pd.DataFrame, horizon: float, value: FloatArray, seconds: float
) -> ModelForecast:
    view = fitted.forecast(summary, horizon)
    return ModelForecast(
        name=fitted.name,
        expected=view.expected,
        churn_risk=view.p_none,
        spend=view.expected * value,
        p_alive=view.p_alive,
        fit_seconds=seconds,
    )


def _blend(name: str, a: ModelForecast, b: ModelForecast, seconds: float) -> ModelForecast:
    return ModelForecast(
        name=name,
        expected=(a.expected + b.expected) / 2.0,
        churn_risk=(a.churn_risk + b.churn_risk) / 2.0,
        spend=(a.spend + b.spend) / 2.0,
        p_alive=b.p_alive,
        fit_seconds=seconds,
    )


class _Fitter:
    def __init__(self, days: PurchaseDays, horizon: float, progress: Progress, cap: int) -> None:
        self.days = days
        self.horizon = horizon
        self.progress = progress
        self.cap = cap
        self.step = 0
        self.notes: list[str] = []

    def advance(self) -> None:
        self.step += 1
        self.progress(LABEL, self.step, STEPS)

    def baselines(
        self, summary: pd.DataFrame, horizon: float
    ) -> tuple[dict[str, ModelForecast], FittedOrders | None, FloatArray, float]:
        """BG/NBD and Pareto/NBD (with Gamma-Gamma spend) fitted on ``summary``."""
        started = time.perf_counter()
        value = fit_spend(summary, self.cap).order_value(summary)
        spend_seconds = time.perf_counter() - started
        found: dict[str, ModelForecast] = {}
        bg: FittedOrders | None = None
        for name in BASELINES:
            started = time.perf_counter()
            try:
                fitted = fit_orders(name, summary, self.cap)
            except ModelFitError as exc:
                self.notes.append(str(exc))
                continue
            seconds = time.perf_counter() - started + spend_seconds
            found[name] = _baseline(fitted, summary, horizon, value, seconds)
            if name == REFERENCE:
                bg = fitted
            self.advance()
        return found, bg, value, spend_seconds

    def block(self, window: int) -> tuple[Block, FittedOrders]:
        """The customers known ``window`` days before ``as_of``, BG/NBD fitted on them,
        and what they did in the window."""
        summary = summarise(self.days, -window, window)
        fitted = fit_orders(REFERENCE, summary, self.cap)
        value = fit_spend(summary, self.cap).order_value(summary)
        orders, spend = window_totals(self.days, summary.index.to_numpy(dtype=np.str_), -window, 0)
        base = fitted.forecast(summary, window)
        self.advance()
        return Block(summary, base, value, float(window), orders, spend), fitted

    def windows(self) -> list[int]:
        span = int(-self.days.day.min()) if len(self.days.day) else 0
        longest = int(min(self.horizon, span // 2))
        if longest < MIN_WINDOW:
            return []
        shorter = {max(MIN_WINDOW, round(longest * share)) for share in (1 / 3, 2 / 3)}
        return sorted({longest, *shorter}, reverse=True)


def fit_forecasts(
    days: PurchaseDays,
    horizon: float,
    *,
    progress: Progress | None = None,
    cap: int = FIT_CUSTOMERS,
) -> ClvFit:
    """Fit, choose and forecast ``horizon`` days after the moment ``days`` counts from
    (day 0: only days ``< 0`` are history)."""
    started = time.perf_counter()
    fitter = _Fitter(days.before(0), horizon, progress or _no_progress, cap)
    fitter.progress(LABEL, 0, STEPS)
    summary = summarise(fitter.days, 0, round(horizon))
    forecasts, bg, value, spend_seconds = fitter.baselines(summary, horizon)
    result = ClvFit(summary.index, horizon, forecasts, chosen="")
    windows = fitter.windows()
    if bg is not None and windows and len(summary) >= MIN_LEARN_CUSTOMERS:
        try:
            _learn(
                fitter,
                result,
                summary=summary,
                bg=bg,
                value=value,
                windows=windows,
                spend_seconds=spend_seconds,
            )
        except ModelFitError as exc:
            fitter.notes.append(f"no learned model: {exc}")
    elif bg is not None:
        fitter.notes.append(
            "no learned model: too little history or too few customers for a validation window"
        )
    if not result.chosen:
        result.chosen = next(iter(n for n in BASELINES if n in forecasts), "")
    if not result.chosen:
        result.forecasts["historical-rate"] = _historical(summary, horizon)
        result.chosen = "historical-rate"
    result.notes = fitter.notes
    result.seconds = time.perf_counter() - started
    fitter.progress(LABEL, STEPS, STEPS)
    return result


def _learn(
    fitter: _Fitter,
    result: ClvFit,
    *,
    summary: pd.DataFrame,
    bg: FittedOrders,
    value: FloatArray,
    windows: list[int],
    spend_seconds: float,
) -> None:
    started = time.perf_counter()
    fitted = [fitter.block(window) for window in windows]
    blocks = [block for block, _ in fitted]
    longest_bg = fitted[0][1]
    learn = learning_sample(blocks)
    longest = learn[0]
    learned_view, trees = cross_fit(learn)
    learn_seconds = time.perf_counter() - started

    # every candidate on the same customers over the longest window, out of fold
    window = longest.window
    bg_cut = _baseline(longest_bg, longest.features, window, longest.order_value, 0.0)
    candidates = {REFERENCE: bg_cut}
    learned_cut = ModelForecast(
        name="lightgbm",
        expected=learned_view.expected,
        churn_risk=1.0 - learned_view.p_buy,
        spend=learned_view.expected * longest.order_value,
        p_alive=longest.base.p_alive,
        fit_seconds=0.0,
    )
    candidates["lightgbm"] = learned_cut
    try:
        pareto_fit = fit_orders("pareto-nbd", blocks[0].features, fitter.cap)
    except ModelFitError as exc:
        fitter.notes.append(f"validation without pareto-nbd: {exc}")
    else:
        pareto = _baseline(pareto_fit, longest.features, window, longest.order_value, 0.0)
        candidates["pareto-nbd"] = pareto
        candidates["blend"] = _blend("blend", learned_cut, pareto, 0.0)
    fitter.advance()
    assert longest.orders is not None and longest.spend is not None
    for name, forecast in candidates.items():
        result.validation[name] = score(
            forecast.expected,
            forecast.churn_risk,
            forecast.spend,
            longest.orders,
            longest.spend,
        )
    reference = result.validation[REFERENCE]
    result.validation_loss = {
        name: relative_loss(scores, reference) for name, scores in result.validation.items()
    }
    result.validation_window = window
    fitter.advance()

    # the learned model on everyone, applied at as_of
    started = time.perf_counter()
    final = LearnedModel.fit(learn, trees=trees)
    served = Block(summary, bg.forecast(summary, result.horizon), value, result.horizon)
    view = final.predict(served)
    drift, note = horizon_drift(blocks, result.horizon)
    if note:
        fitter.notes.append(note)
    fitter.advance()
    base_seconds = result.forecasts[REFERENCE].fit_seconds
    seconds = base_seconds + learn_seconds + time.perf_counter() - started
    anchor = result.forecasts.get("pareto-nbd", result.forecasts[REFERENCE])
    learned = ModelForecast(
        name="lightgbm",
        expected=view.expected * drift,
        churn_risk=1.0 - view.p_buy,
        spend=view.expected * drift * value,
        p_alive=anchor.p_alive,
        fit_seconds=seconds,
    )
    result.forecasts["lightgbm"] = learned
    if "pareto-nbd" in result.forecasts:
        blend_seconds = seconds + result.forecasts["pareto-nbd"].fit_seconds - spend_seconds
        result.forecasts["blend"] = _blend("blend", learned, anchor, blend_seconds)
    served_names = [n for n in result.validation_loss if n in result.forecasts]
    result.chosen = min(served_names, key=lambda n: result.validation_loss[n])


def _historical(summary: pd.DataFrame, horizon: float) -> ModelForecast:
    """Each customer's past order rate carried forward (when no model could be fitted)."""
    span = summary["T"].to_numpy(dtype=np.float64) + 1.0
    rate = summary["orders"].to_numpy(dtype=np.float64) / np.maximum(span, 1.0)
    expected = rate * horizon
    return ModelForecast(
        name="historical-rate",
        expected=expected,
        churn_risk=np.exp(-expected),
        spend=expected * summary["avg_order_value"].to_numpy(dtype=np.float64),
        p_alive=np.ones(len(summary)),
        fit_seconds=0.0,
    )


def forecast_frame(fit: ClvFit, name: str | None = None) -> pd.DataFrame:
    """A model's forecast (default: the served one) as a frame indexed by customer."""
    chosen = fit.forecasts[name or fit.chosen]
    return pd.DataFrame(
        {
            "expected_purchases": chosen.expected,
            "expected_spend": chosen.spend,
            "churn_risk": chosen.churn_risk,
            "p_active": chosen.p_alive,
        },
        index=fit.customers,
    )


__all__ = ["ClvFit", "ModelForecast", "OrderForecast", "fit_forecasts", "forecast_frame"]
