"""Accuracy by training-history length: how a model serves newcomers and regulars.

Test users are bucketed by how many (user, item) pairs they have in the training data of
the holdout (``1-5``, ``6-20``, ``21-50``, ``51-100``, ``101-200``, ``201+``), and a
per-user metric is averaged inside every bucket. Users without training history belong to
no bucket (no protocol here evaluates them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from recmind.eval import metrics
from recmind.eval.splits import Holdout

HISTORY_BUCKETS: tuple[tuple[int, int | None], ...] = (
    (1, 5),
    (6, 20),
    (21, 50),
    (51, 100),
    (101, 200),
    (201, None),
)
"""Inclusive (low, high) training-pair counts; ``None``: no upper bound."""


def bucket_label(low: int, high: int | None) -> str:
    """``(6, 20)`` -> ``"6-20"``, ``(201, None)`` -> ``"201+"``."""
    return f"{low}+" if high is None else f"{low}-{high}"


BUCKET_LABELS = tuple(bucket_label(low, high) for low, high in HISTORY_BUCKETS)


@dataclass(frozen=True)
class BucketScore:
    """The mean of a metric over the test users whose history length is in one bucket."""

    label: str
    users: int
    value: float


def assign_buckets(
    lengths: np.ndarray, buckets: Sequence[tuple[int, int | None]] = HISTORY_BUCKETS
) -> np.ndarray:
    """Bucket index of every length; -1 for a length that falls in no bucket."""
    lengths = np.asarray(lengths, dtype=np.int64)
    out = np.full(len(lengths), -1, dtype=np.int64)
    for number, (low, high) in enumerate(buckets):
        inside = lengths >= low
        if high is not None:
            inside &= lengths <= high
        out[inside & (out < 0)] = number
    return out


def by_bucket(
    values: np.ndarray,
    lengths: np.ndarray,
    buckets: Sequence[tuple[int, int | None]] = HISTORY_BUCKETS,
) -> tuple[BucketScore, ...]:
    """Mean of per-user ``values`` in every bucket that holds at least one user, in
    bucket order."""
    values = np.asarray(values, dtype=np.float64)
    if values.shape != np.shape(lengths):
        raise ValueError(f"{values.shape[0]} values for {np.shape(lengths)[0]} history lengths")
    which = assign_buckets(lengths, buckets)
    out = []
    for number, (low, high) in enumerate(buckets):
        inside = which == number
        if inside.any():
            label = bucket_label(low, high)
            out.append(BucketScore(label, int(inside.sum()), float(values[inside].mean())))
    return tuple(out)


def history_lengths(holdout: Holdout) -> np.ndarray:
    """Training pairs of every evaluated user (aligned with ``holdout.users``)."""
    lengths: np.ndarray = np.diff(holdout.exclude().indptr).astype(np.int64)
    return lengths


def ndcg_by_history(recs: np.ndarray, holdout: Holdout, k: int) -> tuple[BucketScore, ...]:
    """NDCG@``k`` of a ranking of ``holdout.users`` per history-length bucket."""
    hits = metrics.hit_matrix(recs, holdout.targets)
    per_user = metrics.accuracy_per_user(hits, np.diff(holdout.targets.indptr), k)["ndcg"]
    return by_bucket(per_user, history_lengths(holdout))


def history_metric(ks: Sequence[int]) -> tuple[str, int]:
    """The metric reported by history length: NDCG@10 when 10 is a cut-off, else NDCG at
    the first one."""
    k = 10 if 10 in ks else int(ks[0])
    return f"ndcg@{k}", k


def history_table(
    scores: Mapping[str, Sequence[BucketScore]],
    metric: str,
    errors: Mapping[str, Mapping[str, float]] | None = None,
) -> list[str]:
    """Markdown table lines: one row per bucket (with its number of users), one column
    per model; ``errors`` (model -> bucket -> std) adds ``± std``."""
    present = {b.label: b.users for rows in scores.values() for b in rows}
    labels = [label for label in BUCKET_LABELS if label in present]
    header = ["history length", "users", *(f"{model} {metric}" for model in scores)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    values = {model: {b.label: b.value for b in rows} for model, rows in scores.items()}
    for label in labels:
        cells = [label, str(present[label])]
        for model in scores:
            value = values[model].get(label)
            spread = (errors or {}).get(model, {}).get(label)
            if value is None:
                cells.append("-")
            elif spread is None:
                cells.append(f"{value:.4f}")
            else:
                cells.append(f"{value:.4f} ± {spread:.4f}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines
