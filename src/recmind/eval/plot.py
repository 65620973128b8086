"""Bar plot of an evaluation: NDCG@K and HR@K per model, values written on the bars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from recmind.eval.history import BUCKET_LABELS

if TYPE_CHECKING:
    from recmind.eval.history import BucketScore
    from recmind.eval.report import EvalReport


def plot_report(
    report: EvalReport,
    path: Path,
    *,
    errors: Mapping[str, Mapping[str, float]] | None = None,
) -> Path:
    """Save a grouped bar chart (one group per model, one bar per metric) as PNG;
    ``errors`` (model label -> metric -> std over seeds) draws error bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = [f"{name}@{k}" for name in ("ndcg", "hr") for k in report.ks]
    labels = [row.label for row in report.rows]
    n_models, n_series = len(labels), len(series)
    width = 0.8 / max(n_series, 1)
    x = np.arange(n_models, dtype=np.float64)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 + n_models * n_series * 0.55), 4.8))
    try:
        colors = plt.get_cmap("tab10")
        for j, name in enumerate(series):
            values = [row.metrics.get(name, 0.0) for row in report.rows]
            spread = None
            if errors is not None:
                spread = [errors.get(row.label, {}).get(name, 0.0) for row in report.rows]
            bars = ax.bar(
                x + (j - (n_series - 1) / 2) * width,
                values,
                width,
                yerr=spread,
                capsize=2 if spread else 0,
                label=name.upper(),
                color=colors(j),
            )
            ax.bar_label(bars, fmt="%.3f", fontsize=7, rotation=90, padding=2)
        ax.set_xticks(x, labels, fontsize=10)
        ax.set_ylabel("score (higher is better)")
        top = max((row.metrics.get(s, 0.0) for row in report.rows for s in series), default=0.0)
        ax.set_ylim(0.0, max(top * 1.25, 0.01))
        ax.set_title(f"{report.dataset}: {report.protocol} protocol, full ranking")
        ax.legend(fontsize=8, ncols=min(n_series, 4), loc="upper left")
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120)
    finally:
        plt.close(fig)
    return path


def plot_history(
    scores: Mapping[str, Sequence[BucketScore]],
    path: Path,
    *,
    metric: str = "ndcg@10",
    title: str = "",
    errors: Mapping[str, Mapping[str, float]] | None = None,
) -> Path:
    """Save a line chart of ``metric`` by training-history bucket, one line per model
    (``errors``: model -> bucket -> std, drawn as error bars), as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    users = {b.label: b.users for rows in scores.values() for b in rows}
    labels = [label for label in BUCKET_LABELS if label in users]
    position = {label: j for j, label in enumerate(labels)}
    fig, ax = plt.subplots(figsize=(max(6.5, 1.2 * len(labels) + 2.5), 4.8))
    try:
        colors = plt.get_cmap("tab10")
        markers = "osD^v<>ph*"
        for n, (model, rows) in enumerate(scores.items()):
            x = [position[b.label] for b in rows]
            spread = errors.get(model) if errors is not None else None
            ax.errorbar(
                x,
                [b.value for b in rows],
                yerr=[spread.get(b.label, 0.0) for b in rows] if spread else None,
                label=model,
                color=colors(n % 10),
                marker=markers[n % len(markers)],
                linestyle="--" if n >= 10 else "-",
                capsize=3,
                linewidth=1.6,
                markersize=5,
            )
        ticks = [f"{label}\n({users[label]} users)" for label in labels]
        ax.set_xticks(range(len(labels)), ticks, fontsize=9)
        ax.set_xlabel("training history length (distinct items)")
        ax.set_ylabel(f"{metric.upper()} (higher is better)")
        ax.set_ylim(bottom=0.0)
        ax.set_title(title or f"{metric.upper()} by history length")
        ax.legend(fontsize=8, ncols=2, loc="best")
        ax.grid(alpha=0.3)
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120)
    finally:
        plt.close(fig)
    return path
