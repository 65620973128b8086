"""The learned corrections of BG/NBD (LightGBM) and the horizon drift, on blocks built by
hand (no buy-till-you-die fit needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recmind.customers.clv.btyd import OrderForecast
from recmind.customers.clv.learned import (
    Block,
    LearnedModel,
    cross_fit,
    horizon_drift,
    learning_sample,
)


def _block(seed: int, window: float, scale: float = 1.0) -> Block:
    """Customers whose true order rate is three times BG/NBD's when they bought in the
    last 30 days, and a third of it otherwise."""
    rng = np.random.default_rng(seed)
    size = 3000
    recent = rng.integers(0, 3, size)
    base = rng.uniform(0.2, 2.0, size) * window / 90
    truth = base * np.where(recent > 0, 3.0, 1 / 3) * scale
    features = pd.DataFrame(
        {"orders_30d": recent, "noise": rng.normal(size=size)},
        index=pd.Index([f"u{seed}-{n}" for n in range(size)], name="customer_id"),
    )
    forecast = OrderForecast(base, np.full(size, 0.5), np.exp(-base))
    return Block(
        features,
        forecast,
        order_value=np.full(size, 10.0),
        window=window,
        orders=rng.poisson(truth).astype(np.float64),
        spend=None,
    )


def test_learns_the_correction() -> None:
    train = [_block(1, 90.0), _block(2, 45.0)]
    model = LearnedModel.fit(train, [_block(3, 90.0)])
    assert all(trees > 0 for trees in model.trees)
    served = _block(4, 90.0)
    view = model.predict(served)
    recent = served.features["orders_30d"].to_numpy() > 0
    ratio = view.expected / served.base.expected
    assert 2.0 < np.median(ratio[recent]) < 4.5
    assert 0.2 < np.median(ratio[~recent]) < 0.6
    assert view.p_buy[recent].mean() > view.p_buy[~recent].mean()
    assert abs(view.expected.sum() / served.orders.sum() - 1.0) < 0.1  # type: ignore[union-attr]


def test_fixed_trees_reproduce() -> None:
    train = [_block(1, 90.0)]
    first = LearnedModel.fit(train, trees=(20, 10))
    second = LearnedModel.fit(train, trees=(20, 10))
    assert first.trees == (20, 10)
    served = _block(5, 90.0)
    assert np.array_equal(first.predict(served).expected, second.predict(served).expected)


def test_horizon_drift_only_when_it_predicts() -> None:
    # BG/NBD's error grows steadily with the window: extrapolated past the longest one
    drifting = [_block(n, w, scale=np.exp(0.002 * w)) for n, w in ((1, 30.0), (2, 60.0), (3, 90.0))]
    factor, note = horizon_drift(drifting, 180.0)
    assert 1.1 < factor < 1.35
    assert note is not None and "scaled by" in note
    assert horizon_drift(drifting, 90.0) == (1.0, None)  # no longer than the windows
    # an error that jumps about does not extrapolate
    jumping = [
        _block(n, w, scale=s) for n, w, s in ((1, 30.0, 1.0), (2, 60.0, 1.4), (3, 90.0, 1.0))
    ]
    factor, note = horizon_drift(jumping, 180.0)
    assert factor == 1.0
    assert note is not None and "no horizon drift" in note


def test_cross_fitting_forecasts_every_customer_out_of_fold() -> None:
    blocks = [_block(1, 90.0), _block(2, 45.0)]
    view, trees = cross_fit(blocks, folds=3)
    first = blocks[0]
    assert view.expected.shape == first.base.expected.shape and np.all(view.expected > 0)
    assert all(t > 0 for t in trees)
    recent = first.features["orders_30d"].to_numpy() > 0
    ratio = view.expected / first.base.expected
    assert np.median(ratio[recent]) > 3 * np.median(ratio[~recent])


def test_learning_sample_keeps_the_same_customers_in_every_window() -> None:
    first, second = _block(1, 90.0), _block(1, 45.0)  # the same ids
    kept = learning_sample([first, second], cap=1000)
    assert 700 < len(kept[0].features) < 1300
    assert kept[0].features.index.equals(kept[1].features.index)
    assert learning_sample([first], cap=10_000)[0] is first
