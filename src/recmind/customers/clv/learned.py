"""recmind's learned lifetime-value model: gradient-boosted corrections (LightGBM) of the
BG/NBD forecast, learned from windows inside the training period.

A forecast horizon can be longer than any window the history can label (CDNOW's customers
all arrive in its first quarter, and its holdout is as long as its history), so the model
does not learn counts for a fixed horizon. It learns, per customer, how far the BG/NBD
forecast for a window is off: the BG/NBD expectation for the window enters as a fixed offset
(``init_score``: log expected orders for the Poisson count model, the logit of the
probability of an order for the churn model), the trees add a correction from the
customer's history (recency, frequency, value, gaps between orders, recent windows, last
year's orders in the same season) and the window's length. Served at a longer horizon, the
BG/NBD part carries the horizon and the trees the customer's correction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
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

    def count_offset(self) -> FloatArray:
        return np.log(self.base.expected + EPS)

    def buy_offset(self) -> FloatArray:
        p_buy = np.clip(1.0 - self.base.p_none, EPS, 1.0 - EPS)
        return np.log(p_buy / (1.0 - p_buy))

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


def _stack(blocks: list[Block]) -> tuple[pd.DataFrame, FloatArray, FloatArray, FloatArray]:
    design = pd.concat([b.design() for b in blocks], ignore_index=True)
    orders = np.concatenate([_labels(b) for b in blocks])
    return (
        design,
        orders,
        np.concatenate([b.count_offset() for b in blocks]),
        np.concatenate([b.buy_offset() for b in blocks]),
    )


def _labels(block: Block) -> FloatArray:
    if block.orders is None:
        raise ValueError("a training block needs the orders of its window")
    return block.orders


@dataclass(frozen=True)
class LearnedForecast:
    expected: FloatArray
    p_buy: FloatArray


class LearnedModel:
    """The count (Poisson) and churn (binary) corrections of BG/NBD."""

    def __init__(self, counts: lgb.LGBMRegressor, buys: lgb.LGBMClassifier) -> None:
        self.counts = counts
        self.buys = buys

    @classmethod
    def fit(
        cls,
        train: list[Block],
        valid: list[Block] | None = None,
        trees: tuple[int, int] | None = None,
    ) -> LearnedModel:
        """Fit on ``train``; with ``valid``, stop adding trees when its loss stops
        improving; ``trees`` fixes the number of (count, churn) trees instead."""
        design, orders, count_offset, buy_offset = _stack(train)
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
            return cls(counts, buys)
        v_design, v_orders, v_count_offset, v_buy_offset = _stack(valid)
        stop: list[Callable[..., Any]] = [lgb.early_stopping(EARLY_STOPPING, verbose=False)]
        counts.fit(
            design,
            orders,
            init_score=count_offset,
            eval_set=[(v_design, v_orders)],
            eval_init_score=[v_count_offset],
            callbacks=stop,
        )
        buys.fit(
            design,
            bought,
            init_score=buy_offset,
            eval_set=[(v_design, (v_orders > 0).astype(np.int64))],
            eval_init_score=[v_buy_offset],
            callbacks=stop,
        )
        return cls(counts, buys)

    @property
    def trees(self) -> tuple[int, int]:
        """The (count, churn) numbers of trees in use."""
        return (_trees(self.counts), _trees(self.buys))

    def predict(self, block: Block) -> LearnedForecast:
        design = block.design()
        count_raw = np.asarray(
            self.counts.predict(design, raw_score=True, num_iteration=_trees(self.counts)),
            dtype=np.float64,
        )
        buy_raw = np.asarray(
            self.buys.predict(design, raw_score=True, num_iteration=_trees(self.buys)),
            dtype=np.float64,
        )
        expected = np.exp(np.clip(count_raw + block.count_offset(), -30.0, 30.0))
        p_buy = 1.0 / (1.0 + np.exp(-np.clip(buy_raw + block.buy_offset(), -30.0, 30.0)))
        return LearnedForecast(expected=expected, p_buy=p_buy)


def _trees(model: lgb.LGBMModel) -> int:
    best = int(getattr(model, "best_iteration_", 0) or 0)
    return best if best > 0 else int(model.n_estimators)
