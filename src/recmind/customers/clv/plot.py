"""The calibration plot: for each model, customers ranked by predicted orders and cut into
ten equal groups (deciles of the prediction), the group's mean predicted orders beside its
mean actual orders in the holdout. A calibrated model's two bars match in every decile; a
sharp one rises steeply from the first decile to the tenth."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from recmind.customers.clv.history import FloatArray

DECILES = 10


def by_decile(predicted: FloatArray, actual: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Mean predicted and mean actual orders in each decile of the prediction (ties are
    split by the customers' order, so each decile holds a tenth of them)."""
    order = np.argsort(predicted, kind="stable")
    groups = np.array_split(order, DECILES)
    mean_predicted = np.array([predicted[g].mean() if len(g) else np.nan for g in groups])
    mean_actual = np.array([actual[g].mean() if len(g) else np.nan for g in groups])
    return mean_predicted, mean_actual


def calibration_plot(
    predictions: Mapping[str, FloatArray],
    actual: FloatArray,
    path: Path,
    *,
    title: str,
    chosen: str | None = None,
) -> Path:
    """Write one panel per model (the served one marked) to ``path`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(predictions)
    columns = min(3, max(1, len(names)))
    rows = (len(names) + columns - 1) // columns
    figure, axes = plt.subplots(
        rows, columns, figsize=(4.2 * columns, 3.4 * rows), squeeze=False, sharey=True
    )
    positions = np.arange(1, DECILES + 1)
    for panel, name in zip(axes.flat, names, strict=False):
        mean_predicted, mean_actual = by_decile(predictions[name], actual)
        panel.bar(positions - 0.2, mean_predicted, width=0.4, label="predicted")
        panel.bar(positions + 0.2, mean_actual, width=0.4, label="actual")
        served = " (served)" if name == chosen else ""
        panel.set_title(f"{name}{served}")
        panel.set_xticks(positions)
        panel.set_xlabel("decile of predicted orders")
    for panel in axes.flat[len(names) :]:
        panel.axis("off")
    axes[0][0].set_ylabel("mean orders per customer")
    axes[0][0].legend(loc="upper left")
    figure.suptitle(title)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
