"""Purchase-propensity features of every person at a moment: how recently and how often
they bought (or looked at) the target items and items of the same categories, and how
active they are overall. Only events strictly before the moment are read."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recmind.marketing.audiences.log import SECONDS_PER_DAY, EventLog

PROPENSITY_FEATURES = (
    "tgt_buys_4w",
    "tgt_buys_8w",
    "tgt_buys_26w",
    "tgt_buys_decay",
    "tgt_days_26w",
    "tgt_days_all",
    "tgt_items",
    "tgt_days_since",
    "tgt_trip_share_26w",
    "tgt_days_per_week",
    "tgt_looks_4w",
    "tgt_carts_4w",
    "tgt_share_26w",
    "rel_buys_8w",
    "rel_buys_decay",
    "rel_share_26w",
    "buy_days_4w",
    "buy_days_8w",
    "buy_days_26w",
    "buys_8w",
    "days_since_buy",
    "days_since_event",
    "tenure_days",
)
"""Column names of :func:`propensity_features`, in order. ``tgt``: the target items;
``rel``: other items sharing a category with a target; ``*_days_*``: distinct days with
such a purchase; ``tgt_trip_share_26w``: the share of shopping days with a target
purchase; ``*_decay``: purchases weighted ``0.5 ** (age / 28 days)``; ``*_days_since``
is NaN for never."""

HALF_LIFE_DAYS = 28.0
_DAY_KEY = 1 << 21
"""Day numbers since 1970 stay far below this, so ``user * _DAY_KEY + day`` is unique."""


@dataclass(frozen=True)
class Target:
    """What an audience is asked to buy, as masks over an :class:`EventLog`'s item codes."""

    items: np.ndarray
    """True for the target items."""
    related: np.ndarray
    """True for other items in a category of a target item (never a target itself)."""

    def __post_init__(self) -> None:
        if self.items.shape != self.related.shape:
            raise ValueError("target and related masks must cover the same items")


def propensity_features(log: EventLog, target: Target, moment: float) -> np.ndarray:
    """``(log.n_users, len(PROPENSITY_FEATURES))`` features at ``moment`` from the events
    strictly before it (people without one get zeros and NaN days)."""
    end = log.stop(moment)
    user, item, kind = log.user[:end], log.item[:end], log.kind[:end]
    age = (moment - log.time[:end]) / SECONDS_PER_DAY
    n = log.n_users
    buy = kind == EventLog.PURCHASE
    tgt = target.items[item]
    rel = target.related[item]
    buy_tgt, buy_rel = buy & tgt, buy & rel
    decay = np.exp2(-age / HALF_LIFE_DAYS)
    day = np.floor(log.time[:end] / SECONDS_PER_DAY).astype(np.int64)

    def count(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        w = None if weights is None else weights[mask]
        return np.bincount(user[mask], weights=w, minlength=n).astype(np.float64)

    def distinct(mask: np.ndarray, key: np.ndarray) -> np.ndarray:
        pairs = np.unique(user[mask] * _DAY_KEY + key[mask])
        return np.bincount(pairs // _DAY_KEY, minlength=n).astype(np.float64)

    def since(mask: np.ndarray) -> np.ndarray:
        latest = np.full(n, -np.inf)
        np.maximum.at(latest, user[mask], log.time[:end][mask])
        days = (moment - latest) / SECONDS_PER_DAY
        return np.where(np.isfinite(days), days, np.nan)

    recent4, recent8, recent26 = age < 28, age < 56, age < 182
    buys_26w = count(buy & recent26)
    first = np.full(n, np.inf)
    np.minimum.at(first, user, log.time[:end])
    tenure = (moment - first) / SECONDS_PER_DAY
    tenure_days = np.where(np.isfinite(tenure), tenure, 0.0)
    tgt_days_all = distinct(buy_tgt, day)
    tgt_days_26w = distinct(buy_tgt & recent26, day)
    buy_days_26w = distinct(buy & recent26, day)
    columns = {
        "tgt_buys_4w": count(buy_tgt & recent4),
        "tgt_buys_8w": count(buy_tgt & recent8),
        "tgt_buys_26w": count(buy_tgt & recent26),
        "tgt_buys_decay": count(buy_tgt, decay),
        "tgt_days_26w": tgt_days_26w,
        "tgt_days_all": tgt_days_all,
        "tgt_items": distinct(buy_tgt, item),
        "tgt_days_since": since(buy_tgt),
        "tgt_trip_share_26w": _ratio(tgt_days_26w, buy_days_26w),
        "tgt_days_per_week": _ratio(tgt_days_all * 7.0, np.maximum(tenure_days, 7.0)),
        "tgt_looks_4w": count((kind == EventLog.LOOK) & tgt & recent4),
        "tgt_carts_4w": count((kind == EventLog.CART) & tgt & recent4),
        "tgt_share_26w": _ratio(count(buy_tgt & recent26), buys_26w),
        "rel_buys_8w": count(buy_rel & recent8),
        "rel_buys_decay": count(buy_rel, decay),
        "rel_share_26w": _ratio(count(buy_rel & recent26), buys_26w),
        "buy_days_4w": distinct(buy & recent4, day),
        "buy_days_8w": distinct(buy & recent8, day),
        "buy_days_26w": buy_days_26w,
        "buys_8w": count(buy & recent8),
        "days_since_buy": since(buy),
        "days_since_event": since(np.ones(end, dtype=bool)),
        "tenure_days": tenure_days,
    }
    return np.column_stack([columns[name] for name in PROPENSITY_FEATURES])


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.zeros_like(numerator)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def bought(log: EventLog, target: Target, start: float, stop: float) -> np.ndarray:
    """Per user, whether they bought a target item in ``[start, stop)``: the label."""
    rows = log.between(start, stop)
    mask = (log.kind[rows] == EventLog.PURCHASE) & target.items[log.item[rows]]
    return np.bincount(log.user[rows][mask], minlength=log.n_users) > 0
