"""Backtest scores and the validation loss that chooses the served model."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recmind.customers.clv.metrics import relative_loss, score


def test_scores() -> None:
    actual = np.array([0.0, 0.0, 2.0, 4.0])
    spend = np.array([0.0, 0.0, 20.0, 40.0])
    scores = score(
        expected=np.array([1.0, 0.0, 2.0, 1.0]),
        churn_risk=np.array([0.9, 0.8, 0.1, 0.2]),
        spend=np.array([10.0, 0.0, 20.0, 10.0]),
        actual_orders=actual,
        actual_spend=spend,
    )
    assert scores.mae == 1.0
    assert scores.rmse == pytest.approx(math.sqrt(10 / 4))
    assert scores.total_ratio == pytest.approx(4 / 6)
    assert scores.spend_mae == 10.0
    assert scores.churn_auc == 1.0  # every churner is ranked above every buyer


def test_one_class_auc_and_zero_total() -> None:
    zeros = np.zeros(3)
    scores = score(zeros, np.array([0.1, 0.5, 0.9]), zeros, zeros, zeros)
    assert scores.churn_auc == 0.5
    assert math.isnan(scores.total_ratio)


def test_relative_loss() -> None:
    actual = np.array([0.0, 1.0, 3.0, 0.0])
    spend = actual * 10
    reference = score(np.full(4, 1.0), np.full(4, 0.5), np.full(4, 10.0), actual, spend)
    better = score(
        np.array([0.1, 1.0, 2.8, 0.1]),
        np.array([0.9, 0.2, 0.1, 0.8]),
        np.array([1.0, 10.0, 28.0, 1.0]),
        actual,
        spend,
    )
    assert relative_loss(reference, reference) == pytest.approx(1.0)
    assert relative_loss(better, reference) < 0.5
    assert relative_loss(reference, better) > 1.0
