"""recmind's learned lifetime-value model: gradient-boosted corrections (LightGBM) of the
BG/NBD forecast, learned from windows inside the training period.

A forecast horizon can be longer than any window the history can label (CDNOW's customers
all arrive in its first quarter, and its holdout is as long as its history), so the model
does not learn counts for a fixed horizon. It learns, per customer, how far the BG/NBD
forecast for a window is off: the BG/NBD expectation for the window enters as a fixed offset
(``init_score``: log expected orders for the Poisson count model, the logit of the
probability of an order for the churn model) plus the window's aggregate level (how far
BG/NBD missed the window's total, :class:`Levels`), and the trees add a correction from the
customer's history (recency, frequency, value, gaps between orders, recent windows, last
year's orders in the same season) and the window's length. Served at a longer horizon, the
BG/NBD part carries the horizon, the longest window's level (moved by the drift of
:func:`horizon_drift` when that earns it) the total, and the trees the customer's correction.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
import pandas as pd

from recmind.customers.clv.btyd import OrderForecast
from recmind.customers.clv.history import FloatArray

EPS = 1e-6
TREE_PARAMS: dict[str, Any] = {
    "n_estimators": 400,
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_child_samples": 40,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "reg_lambda": 1.0,
    "random_state": 0,
    "n_jobs": 1,
    "deterministic": True,
    "force_row_wise": True,
    "verbose": -1,
}
"""Fixed settings (not tuned per data set); the number of trees is chosen by early stopping
on the validation customers."""
EARLY_STOPPING = 30
FOLDS = 3
"""Cross-fitting folds: every customer of the validation window is forecast by trees that
did not see them."""
LEARN_CUSTOMERS = 30_000
"""The most customers (by id hash) whose windows the trees learn from; all are forecast."""


@dataclass(frozen=True)
class Levels:
    """A window's aggregate correction of BG/NBD, fixed before the trees: ``count`` is
    log(actual orders / BG/NBD's expected orders) over the window's customers, ``buy`` the
    shift of the logit that makes the mean probability of an order match the share who
    ordered. The trees then learn only how customers differ from their window's level."""

    count: float = 0.0
    buy: float = 0.0


@dataclass(frozen=True)
class Block:
    """The customers known at one cut, the BG/NBD view of them over a window, and (when
    the window is labelled) what they did in it."""

    features: pd.DataFrame
    base: OrderForecast
    order_value: FloatArray
    window: float
    orders: FloatArray | None = None
    spend: FloatArray | None = None

    def design(self) -> pd.DataFrame:
        """The trees' inputs: the history summary plus the BG/NBD view and the window."""
        frame = self.features.reset_index(drop=True).copy()
        frame["bg_rate"] = self.base.expected / self.window
        frame["bg_p_alive"] = self.base.p_alive
        frame["bg_p_none"] = self.base.p_none
        frame["order_value"] = self.order_value
        frame["log_window"] = np.log(self.window)
        return frame

    def count_offset(self, levels: Levels) -> FloatArray:
        return np.log(self.base.expected + EPS) + levels.count

    def buy_offset(self, levels: Levels) -> FloatArray:
        p_buy = np.clip(1.0 - self.base.p_none, EPS, 1.0 - EPS)
        return np.log(p_buy / (1.0 - p_buy)) + levels.buy

    def levels(self) -> Levels:
        """This labelled window's :class:`Levels`."""
        orders = _labels(self)
        expected, actual = float(self.base.expected.sum()), float(orders.sum())
        count = float(np.log(actual / expected)) if actual > 0 and expected > 0 else 0.0
        logits = self.buy_offset(Levels())
        share = float(np.mean(orders > 0))
        low, high = -10.0, 10.0
        for _ in range(60):  # bisection: the mean probability rises with the shift
            middle = (low + high) / 2
            if float(np.mean(1 / (1 + np.exp(-(logits + middle))))) < share:
                low = middle
            else:
                high = middle
        return Levels(count=count, buy=(low + high) / 2)

    def subset(self, rows: np.ndarray) -> Block:
        base = OrderForecast(
            self.base.expected[rows], self.base.p_alive[rows], self.base.p_none[rows]
        )
        return Block(
            features=self.features.iloc[rows],
            base=base,
            order_value=self.order_value[rows],
            window=self.window,
            orders=None if self.orders is None else self.orders[rows],
            spend=None if self.spend is None else self.spend[rows],
        )


def _labels(block: Block) -> FloatArray:
    if block.orders is None:
        raise ValueError("a training block needs the orders of its window")
    return block.orders


def _stack(
    blocks: list[Block], levels: list[Levels]
) -> tuple[pd.DataFrame, FloatArray, FloatArray, FloatArray]:
    design = pd.concat([b.design() for b in blocks], ignore_index=True)
    orders = np.concatenate([_labels(b) for b in blocks])
    return (
        design,
        orders,
        np.concatenate([b.count_offset(lv) for b, lv in zip(blocks, levels, strict=True)]),
        np.concatenate([b.buy_offset(lv) for b, lv in zip(blocks, levels, strict=True)]),
    )


@dataclass(frozen=True)
class LearnedForecast:
    expected: FloatArray
    p_buy: FloatArray


class LearnedModel:
    """The count (Poisson) and churn (binary) corrections of BG/NBD, and the levels of
    the windows it was trained on."""

    def __init__(
        self, counts: lgb.LGBMRegressor, buys: lgb.LGBMClassifier, levels: dict[float, Levels]
    ) -> None:
        self.counts = counts
        self.buys = buys
        self.levels = levels

    @classmethod
    def fit(
        cls,
        train: list[Block],
        valid: list[Block] | None = None,
        trees: tuple[int, int] | None = None,
    ) -> LearnedModel:
        """Fit on ``train`` (one block per window); with ``valid``, stop adding trees when
        its loss stops improving; ``trees`` fixes the number of (count, churn) trees."""
        levels = {block.window: block.levels() for block in train}
        design, orders, count_offset, buy_offset = _stack(train, [levels[b.window] for b in train])
        bought = (orders > 0).astype(np.int64)
        count_params = dict(TREE_PARAMS)
        buy_params = dict(TREE_PARAMS)
        if trees is not None:
            count_params["n_estimators"], buy_params["n_estimators"] = trees
        counts = lgb.LGBMRegressor(objective="poisson", **count_params)
        buys = lgb.LGBMClassifier(objective="binary", **buy_params)
        if valid is None:
            counts.fit(design, orders, init_score=count_offset)
            buys.fit(design, bought, init_score=buy_offset)
            return cls(counts, buys, levels)
        own = [levels.get(b.window, Levels()) for b in valid]
        v_design, v_orders, v_count_offset, v_buy_offset = _stack(valid, own)
        stop: list[Callable[..., Any]] = [lgb.early_stopping(EARLY_STOPPING, verbose=False)]
        counts.fit(
            design,
            orders,
            init_score=count_offset,
            eval_X=v_design,
            eval_y=v_orders,
            eval_init_score=[v_count_offset],
            callbacks=stop,
        )
        buys.fit(
            design,
            bought,
            init_score=buy_offset,
            eval_X=v_design,
            eval_y=(v_orders > 0).astype(np.int64),
            eval_init_score=[v_buy_offset],
            callbacks=stop,
        )
        return cls(counts, buys, levels)

    @property
    def trees(self) -> tuple[int, int]:
        """The (count, churn) numbers of trees in use."""
        return (_trees(self.counts), _trees(self.buys))

    def level(self, window: float) -> Levels:
        """The levels of the trained window nearest to ``window`` (the longest one for a
        longer horizon)."""
        nearest = min(self.levels, key=lambda w: (abs(w - window), -w))
        return self.levels[nearest]

    def predict(self, block: Block, levels: Levels | None = None) -> LearnedForecast:
        """The corrected forecast over ``block``'s window (``levels``: default
        :meth:`level` of its window)."""
        chosen = self.level(block.window) if levels is None else levels
        design = block.design()
        count_raw = np.asarray(
            self.counts.predict(design, raw_score=True, num_iteration=_trees(self.counts)),
            dtype=np.float64,
        )
        buy_raw = np.asarray(
            self.buys.predict(design, raw_score=True, num_iteration=_trees(self.buys)),
            dtype=np.float64,
        )
        expected = np.exp(np.clip(count_raw + block.count_offset(chosen), -30.0, 30.0))
        p_buy = 1.0 / (1.0 + np.exp(-np.clip(buy_raw + block.buy_offset(chosen), -30.0, 30.0)))
        return LearnedForecast(expected=expected, p_buy=p_buy)


def _trees(model: lgb.LGBMModel) -> int:
    best = int(getattr(model, "best_iteration_", 0) or 0)
    return best if best > 0 else int(model.n_estimators)


def _hashes(index: pd.Index) -> npt.NDArray[np.int64]:
    return np.array([zlib.crc32(str(c).encode()) for c in index], dtype=np.int64)


def learning_sample(blocks: list[Block], cap: int = LEARN_CUSTOMERS) -> list[Block]:
    """The blocks restricted to the customers the trees learn from: everyone, or about
    ``cap`` customers of the first (largest) block chosen by id hash, the same customers in
    every window."""
    if len(blocks[0].features) <= cap:
        return blocks
    threshold = int(10_000 * cap / len(blocks[0].features))
    return [
        b.subset(np.flatnonzero(_hashes(b.features.index) % 10_000 < threshold)) for b in blocks
    ]


def cross_fit(blocks: list[Block], folds: int = FOLDS) -> tuple[LearnedForecast, tuple[int, int]]:
    """Out-of-fold forecasts for the first block's customers (``folds`` folds by id hash:
    each fold's trees learn from the other folds' customers in every window and stop when
    the fold's own loss on the first window stops improving), and the median numbers of
    trees, for the model retrained on everyone."""
    first = blocks[0]
    expected = np.zeros(len(first.features))
    p_buy = np.zeros(len(first.features))
    counts, buys = [], []
    for fold in range(folds):
        train = [
            b.subset(np.flatnonzero(_hashes(b.features.index) % folds != fold)) for b in blocks
        ]
        held = np.flatnonzero(_hashes(first.features.index) % folds == fold)
        if len(held) == 0:
            continue
        model = LearnedModel.fit(train, [first.subset(held)])
        view = model.predict(first.subset(held))
        expected[held], p_buy[held] = view.expected, view.p_buy
        counts.append(model.trees[0])
        buys.append(model.trees[1])
    trees = (int(np.median(counts)), int(np.median(buys)))
    return LearnedForecast(expected=expected, p_buy=p_buy), trees


DRIFT_LIMIT = 1.5
"""The horizon drift never scales a forecast by more than this (or less than its inverse)."""


def horizon_drift(blocks: list[Block], horizon: float) -> tuple[float, str | None]:
    """How much to scale the learned forecast at a horizon longer than every window.

    The trees see windows up to the longest one; at a longer horizon they answer as for the
    longest. BG/NBD's aggregate error drifts with the window's length (on CDNOW it
    under-forecasts more the further it looks), so the drift is measured on the windows
    (log actual / expected against the window length, a straight line) and extrapolated
    to the horizon, but only when it earns it: a line through the shorter windows must
    predict the longest window's error better than assuming no drift. Returns the factor
    (1 without drift) and a note saying what was found."""
    ordered = sorted(blocks, key=lambda b: b.window)
    longest = ordered[-1].window
    if horizon <= longest or len(ordered) < 3:
        return 1.0, None
    lengths = np.array([b.window for b in ordered])
    errors = np.array([b.levels().count for b in ordered])
    slope_short = (errors[-2] - errors[0]) / (lengths[-2] - lengths[0])
    with_drift = errors[-2] + slope_short * (lengths[-1] - lengths[-2])
    if abs(with_drift - errors[-1]) >= abs(errors[-2] - errors[-1]):
        return 1.0, "no horizon drift: it did not predict the longest window's error"
    slope = float(np.polyfit(lengths, errors, 1)[0])
    factor = float(np.clip(np.exp(slope * (horizon - longest)), 1 / DRIFT_LIMIT, DRIFT_LIMIT))
    note = (
        f"horizon drift: BG/NBD's log error moves {slope:+.5f} a day of window; "
        f"forecasts {horizon - longest:.0f} days past the longest window scaled by {factor:.3f}"
    )
    return factor, note
