"""The result of an evaluation: per-model rows, the JSON format, the markdown table and
the files written under the reports directory."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recmind.eval.history import BucketScore, history_metric, history_table
from recmind.eval.metrics import ACCURACY_METRICS


@dataclass(frozen=True)
class ModelResult:
    """Test-set results of one model (``label`` as given by the user, ``model`` the
    registry name)."""

    label: str
    model: str
    metrics: dict[str, float]
    fit_seconds: float
    users_per_second: float
    users_evaluated: int
    best_params: dict[str, Any] = field(default_factory=dict)
    val_ndcg: float | None = None
    by_history: tuple[BucketScore, ...] = ()
    """NDCG@10 (see :func:`recmind.eval.history.history_metric`) per training-history
    length bucket; empty when not measured."""


@dataclass(frozen=True)
class EvalReport:
    """Everything one ``evaluate`` call measured."""

    dataset: str
    protocol: str
    ks: list[int]
    rows: list[ModelResult]
    seed: int = 42
    split_info: dict[str, float | int | str] = field(default_factory=dict)
    wall_seconds: float = 0.0

    @property
    def best_params(self) -> dict[str, dict[str, Any]]:
        """Chosen hyperparameters per model label."""
        return {row.label: dict(row.best_params) for row in self.rows}

    def to_json_dict(self) -> dict[str, Any]:
        """``{"dataset", "protocol", "k", "models": {label: {metric: value}}}``.

        Required per-model keys: ``hr@K``, ``ndcg@K``, ``mrr@K``, ``recall@K`` for every K,
        ``coverage`` (at the first K), ``fit_seconds``, ``users_per_second``; extras:
        ``coverage@K``, ``novelty@K``, ``diversity@K`` (when items have categories),
        ``val_ndcg@10``, ``best_params``, ``users_evaluated``, ``ndcg@10_by_history``
        (``{bucket: {"users": n, "ndcg@10": mean}}``, when measured).
        """
        metric, _ = history_metric(self.ks)
        models: dict[str, dict[str, Any]] = {}
        for row in self.rows:
            entry: dict[str, Any] = {}
            for k in self.ks:
                for name in ACCURACY_METRICS:
                    entry[f"{name}@{k}"] = row.metrics[f"{name}@{k}"]
            entry["coverage"] = row.metrics[f"coverage@{self.ks[0]}"]
            entry["fit_seconds"] = row.fit_seconds
            entry["users_per_second"] = row.users_per_second
            for prefix in ("coverage", "novelty", "diversity"):
                for k in self.ks:
                    if f"{prefix}@{k}" in row.metrics:
                        entry[f"{prefix}@{k}"] = row.metrics[f"{prefix}@{k}"]
            entry["val_ndcg@10"] = row.val_ndcg
            entry["best_params"] = row.best_params
            entry["users_evaluated"] = row.users_evaluated
            if row.by_history:
                entry[f"{metric}_by_history"] = {
                    b.label: {"users": b.users, metric: b.value} for b in row.by_history
                }
            models[row.label] = entry
        return {
            "dataset": self.dataset,
            "protocol": self.protocol,
            "k": list(self.ks),
            "models": models,
        }

    def columns(self) -> list[str]:
        """Metric keys shown in tables, in order."""
        cols = [f"{name}@{k}" for k in self.ks for name in ACCURACY_METRICS]
        k0 = self.ks[0]
        cols += [f"coverage@{k0}", f"novelty@{k0}"]
        if any(f"diversity@{k0}" in row.metrics for row in self.rows):
            cols.append(f"diversity@{k0}")
        return cols

    def to_markdown(self) -> str:
        """A markdown document: the setup, then one table row per model."""
        cols = self.columns()
        header = ["model", *cols, "fit s", "users/s", "params"]
        lines = [
            f"# Offline evaluation: {self.dataset} ({self.protocol})",
            "",
            f"Full ranking over all items unseen in training; seed {self.seed}; "
            f"wall time {self.wall_seconds:.1f} s.",
        ]
        if self.split_info:
            info = ", ".join(f"{key} {_fmt_info(v)}" for key, v in self.split_info.items())
            lines.append(f"Split: {info}.")
        lines += ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for row in self.rows:
            cells = [row.label]
            cells += [_fmt(row.metrics.get(c)) for c in cols]
            cells += [f"{row.fit_seconds:.2f}", f"{row.users_per_second:,.0f}"]
            cells.append(_fmt_params(row.best_params))
            lines.append("| " + " | ".join(cells) + " |")
        if any(row.by_history for row in self.rows):
            metric, _ = history_metric(self.ks)
            lines += ["", f"## {metric.upper()} by training-history length", ""]
            lines += history_table({row.label: row.by_history for row in self.rows}, metric)
            lines += ["", f"![{metric} by history length]({report_stem(self)}-history.png)"]
        return "\n".join(lines) + "\n"


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _fmt_info(value: float | int | str) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.4g}"
    if isinstance(value, float):
        return f"{int(value)}"
    return str(value)


def _fmt_params(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items()) or "defaults"


def report_stem(report: EvalReport) -> str:
    """File name stem: ``eval-<dataset>-<protocol>`` with unsafe characters replaced."""
    dataset = re.sub(r"[^A-Za-z0-9._-]+", "_", report.dataset).strip("_") or "data"
    return f"eval-{dataset}-{report.protocol}"


@dataclass(frozen=True)
class ReportFiles:
    markdown: Path
    plot: Path
    history_plot: Path | None = None


def write_reports(report: EvalReport, directory: Path) -> ReportFiles:
    """Write the markdown table, the bar plot and (when measured) the plot by history
    length under ``directory`` (created if needed)."""
    from recmind.eval.plot import plot_history, plot_report

    directory.mkdir(parents=True, exist_ok=True)
    stem = report_stem(report)
    markdown = directory / f"{stem}.md"
    markdown.write_text(report.to_markdown(), encoding="utf-8")
    plot = plot_report(report, directory / f"{stem}.png")
    history = None
    if any(row.by_history for row in report.rows):
        metric, _ = history_metric(report.ks)
        history = plot_history(
            {row.label: row.by_history for row in report.rows},
            directory / f"{stem}-history.png",
            metric=metric,
            title=f"{report.dataset} ({report.protocol}): {metric.upper()} by history length",
        )
    return ReportFiles(markdown=markdown, plot=plot, history_plot=history)


def write_json(report: EvalReport, path: Path) -> Path:
    """Write :meth:`EvalReport.to_json_dict` to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.to_json_dict(), indent=2) + "\n", encoding="utf-8")
    return path
