"""What is known of each customer at a cut: the recency-frequency-value summary the
buy-till-you-die models read, and the history features recmind's learned model adds.

All figures use order days strictly before the cut (``PurchaseDays.day < cut``). In the
models' convention, ``frequency`` is the number of *repeat* order days, ``recency`` the days
from the first to the last order day, ``T`` the days from the first order day to the last
day before the cut, and ``monetary_value`` the mean value of the repeat orders (0 without
one), which is what the Gamma-Gamma spend model reads.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recmind.customers.clv.history import FloatArray, IntArray, PurchaseDays

WINDOWS = (30, 90, 180, 365)
"""Order counts in the last N days before the cut (``orders_30d`` ...)."""
BTYD_COLUMNS = ("frequency", "recency", "T")


def _per_customer_sum(index: IntArray, values: FloatArray, size: int) -> FloatArray:
    return np.bincount(index, weights=values, minlength=size).astype(np.float64)


def summarise(days: PurchaseDays, cut: int, horizon: int) -> pd.DataFrame:
    """One row per customer with an order day before ``cut`` (index ``customer_id``, sorted),
    for a forecast over the ``horizon`` days from the cut."""
    keep = days.day < cut
    customer, day, value = days.customer[keep], days.day[keep], days.value[keep]
    size = days.customers
    orders = np.bincount(customer, minlength=size).astype(np.float64)
    known = orders > 0
    first = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, customer, day)
    last = np.full(size, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, customer, day)
    total = _per_customer_sum(customer, value, size)
    starts = np.r_[True, customer[1:] != customer[:-1]] if len(customer) else np.zeros(0, bool)
    ends = np.r_[customer[1:] != customer[:-1], True] if len(customer) else np.zeros(0, bool)
    first_value = np.zeros(size)
    first_value[customer[starts]] = value[starts]
    last_value = np.zeros(size)
    last_value[customer[ends]] = value[ends]
    gaps = np.diff(day).astype(np.float64) if len(day) else np.zeros(0)
    gap_rows = ~starts[1:] if len(day) else np.zeros(0, bool)
    gap_customer = customer[1:][gap_rows]
    gap_values = gaps[gap_rows]
    gap_sq = _per_customer_sum(gap_customer, gap_values**2, size)
    gap_sum = _per_customer_sum(gap_customer, gap_values, size)
    last_gap = np.full(size, np.nan)
    gap_ends = ends[1:][gap_rows]
    last_gap[gap_customer[gap_ends]] = gap_values[gap_ends]

    last_day = cut - 1
    repeat = orders - 1.0
    frame = pd.DataFrame(
        {
            "frequency": repeat,
            "recency": (last - first).astype(np.float64),
            "T": (last_day - first).astype(np.float64),
            "monetary_value": np.where(
                repeat > 0, (total - first_value) / np.maximum(repeat, 1), 0.0
            ),
            "orders": orders,
            "total_value": total,
            "avg_order_value": total / np.maximum(orders, 1.0),
            "first_value": first_value,
            "last_value": last_value,
            "days_since_last": (last_day - last).astype(np.float64),
        },
        index=pd.Index(days.user_ids, name="customer_id"),
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_gap = np.where(repeat > 0, gap_sum / np.maximum(repeat, 1), np.nan)
        variance = np.where(repeat > 1, gap_sq / np.maximum(repeat, 1) - mean_gap**2, np.nan)
        frame["gap_mean"] = mean_gap
        frame["gap_std"] = np.sqrt(np.maximum(variance, 0.0))
        frame["gap_last"] = last_gap
        frame["overdue"] = frame["days_since_last"] / mean_gap
    frame["rate"] = repeat / (frame["T"] + 1.0)
    for window in WINDOWS:
        recent = day >= cut - window
        frame[f"orders_{window}d"] = np.bincount(customer[recent], minlength=size)
    recent = day >= cut - 90
    frame["value_90d"] = _per_customer_sum(customer[recent], value[recent], size)
    last_year = (day >= cut - 365) & (day < cut - 365 + horizon)
    frame["orders_last_year_horizon"] = np.bincount(customer[last_year], minlength=size)
    return frame.loc[known]
