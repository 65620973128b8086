"""Hyperparameter choice on the validation holdout, by NDCG@10."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from recmind.eval import metrics
from recmind.eval.scoring import rank_fitted
from recmind.eval.specs import ModelSpec
from recmind.eval.splits import Holdout
from recmind.rec.base import Recommender
from recmind.rec.interactions import ItemCatalog

logger = logging.getLogger(__name__)

TUNING_K = 10
TUNING_METRIC = f"ndcg@{TUNING_K}"


@dataclass(frozen=True)
class TuningResult:
    """The chosen hyperparameters, their validation NDCG@10 (``None`` when nothing was
    tried) and every candidate's score in the order tried."""

    params: dict[str, Any]
    val_ndcg: float | None
    trials: list[tuple[dict[str, Any], float]] = field(default_factory=list)


def tune(
    spec: ModelSpec,
    validation: Holdout,
    catalog: ItemCatalog,
    *,
    seed: int,
    on_step: Callable[[str], None] | None = None,
) -> TuningResult:
    """Fit every candidate on the validation training data and keep the best by NDCG@10
    (the first one wins a tie). With a single candidate, or no validation users, nothing
    is fitted and the first candidate is returned. A candidate that differs from the one
    before it only in the model's ``scoring_params`` reuses that fit."""
    first = dict(spec.candidates[0])
    if len(spec.candidates) == 1:
        return TuningResult(params=first, val_ndcg=None)
    if validation.n_users == 0:
        logger.warning("%s: no validation users; using the first candidate", spec.label)
        for _ in spec.candidates:
            if on_step:
                on_step(f"{spec.label}: skipped tuning (no validation users)")
        return TuningResult(params=first, val_ndcg=None)
    trials: list[tuple[dict[str, Any], float]] = []
    fitted: Recommender | None = None
    for number, params in enumerate(spec.candidates, start=1):
        model = spec.factory(dict(params), seed)
        if fitted is not None and fitted.fit_key() == model.fit_key():
            # differs from the previous candidate only in how it scores: no new fit
            model = fitted.with_config(model.config)
        else:
            fitted = None  # release the previous fit before the next one
            model.fit(validation.train, catalog)
            fitted = model
        ranking = rank_fitted(model, validation, k=TUNING_K, fit_seconds=0.0, seed=seed)
        score = metrics.accuracy(ranking.recs, validation.targets, [TUNING_K])[TUNING_METRIC]
        trials.append((dict(params), score))
        logger.info("%s candidate %s: val %s=%.4f", spec.label, params, TUNING_METRIC, score)
        if on_step:
            on_step(
                f"{spec.label}: candidate {number}/{len(spec.candidates)} "
                f"val {TUNING_METRIC}={score:.4f}"
            )
    best_params, best_score = max(trials, key=lambda trial: trial[1])
    return TuningResult(params=best_params, val_ndcg=best_score, trials=trials)
