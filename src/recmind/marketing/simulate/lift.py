"""Lift of one campaign policy over another, with a bootstrap confidence interval that
resamples *people* (scipy's :func:`scipy.stats.bootstrap`, BCa): a person reached at
several moments is one cluster, so the interval does not pretend their campaigns were
independent. Rates are ratios of sums (conversions over campaigns) within a resample."""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

CONFIDENCE = 0.95
RESAMPLES = 2000
BATCH = 50
"""Resamples computed at once (bounds the memory of the vectorised statistic)."""


@dataclass(frozen=True)
class Interval:
    """A point estimate and its bootstrap interval (``None``: undefined, e.g. a ratio
    over zero conversions)."""

    value: float | None
    low: float | None
    high: float | None
    people: int
    method: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def per_person(
    campaigns: pd.DataFrame, people: pd.Index, column: str = "converted"
) -> tuple[np.ndarray, np.ndarray]:
    """``column`` summed (conversions, or revenue) and campaigns counted per person of
    ``people`` (zeros for those not reached); ``campaigns`` has one row per campaign sent
    (``user_id`` and ``column``)."""
    grouped = campaigns.groupby("user_id")[column].agg(["sum", "size"])
    grouped = grouped.reindex(people).fillna(0.0)
    return grouped["sum"].to_numpy(dtype=np.float64), grouped["size"].to_numpy(dtype=np.float64)


def _ratio_of_rates(
    ca: np.ndarray, na: np.ndarray, cb: np.ndarray, nb: np.ndarray, axis: int = -1
) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_a = np.sum(ca, axis=axis) / np.sum(na, axis=axis)
        rate_b = np.sum(cb, axis=axis) / np.sum(nb, axis=axis)
        out: np.ndarray = rate_a / rate_b
    return out


def _rate(c: np.ndarray, n: np.ndarray, axis: int = -1) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out: np.ndarray = np.sum(c, axis=axis) / np.sum(n, axis=axis)
    return out


def _bootstrap(samples: tuple[np.ndarray, ...], statistic: Any, seed: int) -> Interval:
    point = float(statistic(*samples))
    people = len(samples[0])
    if not np.isfinite(point) or people < 2:
        return Interval(None, None, None, people, "BCa")
    if not np.any(samples[0]):  # nothing in the numerator: every resample is 0
        return Interval(point, point, point, people, "exact")
    for method in ("BCa", "percentile"):
        with warnings.catch_warnings():  # a degenerate BCa is detected below and replaced
            warnings.simplefilter("ignore")
            result = stats.bootstrap(
                samples,
                statistic,
                paired=True,
                vectorized=True,
                n_resamples=RESAMPLES,
                batch=BATCH,
                confidence_level=CONFIDENCE,
                method=method,
                rng=np.random.default_rng(seed),
            )
        low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
        if np.isfinite(low) and np.isfinite(high):
            return Interval(point, low, high, people, method)
    return Interval(point, None, None, people, "percentile")


def lift(a: pd.DataFrame, b: pd.DataFrame, seed: int = 0, column: str = "converted") -> Interval:
    """Conversion rate (or, with ``column="revenue"``, revenue per campaign) of campaigns
    ``a`` over that of ``b`` (each one row per campaign: ``user_id`` and ``column``),
    resampling the people reached by either."""
    people = pd.Index(sorted(set(a["user_id"]) | set(b["user_id"])), name="user_id")
    ca, na = per_person(a, people, column)
    cb, nb = per_person(b, people, column)
    return _bootstrap((ca, na, cb, nb), _ratio_of_rates, seed)


def rate(campaigns: pd.DataFrame, seed: int = 0) -> Interval:
    """The conversion rate of ``campaigns`` and its interval, resampling people."""
    people = pd.Index(sorted(set(campaigns["user_id"])), name="user_id")
    c, n = per_person(campaigns, people)
    return _bootstrap((c, n), _rate, seed)
