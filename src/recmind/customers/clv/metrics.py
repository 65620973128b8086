"""How a forecast is scored against what customers then did (scikit-learn's metrics), and
the one number that chooses between models on the validation window."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.metrics import mean_absolute_error, mean_squared_error, roc_auc_score

from recmind.customers.clv.history import FloatArray


@dataclass(frozen=True)
class Scores:
    """``mae`` / ``rmse``: of per-customer order counts; ``total_ratio``: predicted total
    over actual total; ``spend_mae``: of per-customer spend; ``churn_auc``: ROC AUC of the
    churn risk for "no order in the horizon" (0.5 when everyone or no one churned)."""

    mae: float
    rmse: float
    total_ratio: float
    spend_mae: float
    churn_auc: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def score(
    expected: FloatArray,
    churn_risk: FloatArray,
    spend: FloatArray,
    actual_orders: FloatArray,
    actual_spend: FloatArray,
) -> Scores:
    """Score one model's forecast for the same customers as the actual figures."""
    actual_total = float(actual_orders.sum())
    churned = actual_orders == 0
    auc = (
        float(roc_auc_score(churned, churn_risk)) if 0 < int(churned.sum()) < len(churned) else 0.5
    )
    return Scores(
        mae=float(mean_absolute_error(actual_orders, expected)),
        rmse=float(math.sqrt(mean_squared_error(actual_orders, expected))),
        total_ratio=float(expected.sum() / actual_total) if actual_total else math.nan,
        spend_mae=float(mean_absolute_error(actual_spend, spend)),
        churn_auc=auc,
    )


def relative_loss(candidate: Scores, reference: Scores) -> float:
    """The mean of a candidate's errors relative to a reference model's (lower is better;
    the reference scores 1): MAE, RMSE, spend MAE, 1 - AUC, and the total's miss as
    ``exp(|log ratio|)``. This is what chooses the served model on validation."""

    def ratio(value: float, base: float) -> float:
        return value / base if base > 0 else (1.0 if value <= 0 else 2.0)

    def miss(total_ratio: float) -> float:
        return math.exp(abs(math.log(total_ratio))) if total_ratio > 0 else 10.0

    parts = [
        ratio(candidate.mae, reference.mae),
        ratio(candidate.rmse, reference.rmse),
        ratio(candidate.spend_mae, reference.spend_mae),
        ratio(1.0 - candidate.churn_auc, 1.0 - reference.churn_auc),
        miss(candidate.total_ratio) / miss(reference.total_ratio),
    ]
    return float(np.mean([p for p in parts if math.isfinite(p)]))
