"""The models that turn a person's features into a buying score, and how one is chosen:
a fixed recency rule, logistic regression (scikit-learn) and gradient-boosted trees
(LightGBM), compared on a held-out cut by the share of buyers among the top ``k``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

NEVER_DAYS = 400.0
"""What "days since" reads as in the logistic model when it never happened."""


class Scorer(Protocol):
    def fit(self, x: np.ndarray, y: np.ndarray) -> None: ...

    def predict(self, x: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Candidate:
    """One way to score: ``kind`` is ``rule``, ``logistic`` or ``lightgbm``."""

    name: str
    kind: str
    params: dict[str, Any] = field(default_factory=dict)


CANDIDATES: tuple[Candidate, ...] = (
    Candidate("recency rule", "rule"),
    Candidate("logistic", "logistic", {"C": 0.3}),
    Candidate(
        "lightgbm",
        "lightgbm",
        {"num_leaves": 7, "n_estimators": 200, "learning_rate": 0.04, "min_child_samples": 30},
    ),
)
"""The candidates an audience chooses from on its inner validation cut."""


class RuleScorer:
    """No learning: recency-weighted purchases of the targets, then of related items, then
    the recommender's rank (each later term only breaks the earlier one's ties)."""

    def __init__(self, names: Sequence[str]) -> None:
        self.columns = [list(names).index(n) for n in ("tgt_buys_decay", "rel_buys_decay")]
        self.rank = list(names).index("rec_best_rank") if "rec_best_rank" in names else None

    def fit(self, x: np.ndarray, y: np.ndarray) -> None:
        del x, y

    def predict(self, x: np.ndarray) -> np.ndarray:
        target, related = x[:, self.columns[0]], x[:, self.columns[1]]
        rank = x[:, self.rank] if self.rank is not None else 0.0
        score: np.ndarray = target + 1e-3 * np.log1p(related) + 1e-6 * rank
        return score


class LogisticScorer:
    """Standardised ``log1p`` features (never-happened days as :data:`NEVER_DAYS` plus a
    flag) into an L2 logistic regression."""

    def __init__(self, names: Sequence[str], c: float, seed: int) -> None:
        self.days = np.asarray(["days_since" in n for n in names])
        self.c, self.seed = c, seed

    def _design(self, x: np.ndarray) -> np.ndarray:
        days = x[:, self.days]
        missing = np.isnan(days).astype(np.float64)
        filled = x.copy()
        filled[:, self.days] = np.where(np.isnan(days), NEVER_DAYS, days)
        logged = np.sign(filled) * np.log1p(np.abs(filled))
        return np.column_stack([logged, missing])

    def fit(self, x: np.ndarray, y: np.ndarray) -> None:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        self.model = make_pipeline(
            StandardScaler(), LogisticRegression(C=self.c, max_iter=2000, random_state=self.seed)
        )
        self.model.fit(self._design(x), y)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.predict_proba(self._design(x))[:, 1], dtype=np.float64)


class LightGBMScorer:
    """A small LightGBM classifier (one thread, seeded; NaN days handled natively)."""

    def __init__(self, params: dict[str, Any], seed: int) -> None:
        self.params, self.seed = params, seed

    def fit(self, x: np.ndarray, y: np.ndarray) -> None:
        from lightgbm import LGBMClassifier

        self.model = LGBMClassifier(
            **self.params,
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=0.8,
            n_jobs=1,
            random_state=self.seed,
            verbose=-1,
        )
        self.model.fit(x, y)

    def predict(self, x: np.ndarray) -> np.ndarray:
        probabilities = np.asarray(self.model.predict_proba(x), dtype=np.float64)
        return probabilities[:, 1]


def make_scorer(candidate: Candidate, names: Sequence[str], seed: int) -> Scorer:
    """A fresh, unfitted scorer for ``candidate`` over feature columns ``names``."""
    if candidate.kind == "rule":
        return RuleScorer(names)
    if candidate.kind == "logistic":
        return LogisticScorer(names, float(candidate.params.get("C", 1.0)), seed)
    if candidate.kind == "lightgbm":
        return LightGBMScorer(candidate.params, seed)
    raise ValueError(f"candidate {candidate.name!r}: unknown kind {candidate.kind!r}")


def precision_at(scores: np.ndarray, labels: np.ndarray, k: int, keys: np.ndarray) -> float:
    """Share of positives among the ``k`` best scores (ties by ``keys``, see :func:`rank`)."""
    if not len(scores):
        return 0.0
    k = max(1, min(k, len(scores)))
    top = rank(scores, keys)[:k]
    return float(np.mean(labels[top]))


def rank(scores: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Indices from the best score down; equal scores in the order of ``keys``
    (:func:`tie_keys` of the people's ids: the same whatever order they came in)."""
    return np.lexsort((keys, -np.nan_to_num(scores, nan=-np.inf)))


def tie_keys(ids: np.ndarray, seed: int) -> np.ndarray:
    """A seeded pseudo-random order of ids that depends only on the ids themselves."""
    key = f"recmind-tie-{seed:04d}"[:16].ljust(16, "0")
    return np.asarray(
        pd.util.hash_array(np.asarray([str(i) for i in ids], dtype=object), hash_key=key)
    )
