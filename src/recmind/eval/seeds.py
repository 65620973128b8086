"""The same evaluation over several seeds, reported as mean ± standard deviation.

A seed decides everything random in one :func:`~recmind.eval.runner.evaluate` run: the
order of events that share a timestamp (so which item is "last"), which items or users are
made cold, the models' initialisation and batch order, and tie-breaking in the top-k. The
spread over seeds therefore covers both the split and the training noise; within one seed
every model sees the same split, so models are compared pairwise. The standard deviation
is the sample one (``ddof=1``); with a single seed it is 0.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recmind.data.bundle import DataBundle
from recmind.eval.history import BucketScore, history_metric, history_table
from recmind.eval.metrics import ACCURACY_METRICS
from recmind.eval.report import EvalReport, ModelResult, ReportFiles, report_stem
from recmind.eval.runner import evaluate
from recmind.rec.base import Recommender

DEFAULT_SEEDS = (0, 1, 2)


def _std(values: Sequence[float]) -> float:
    return statistics.stdev(values) if len(values) > 1 else 0.0


def _mean_history(rows: Sequence[ModelResult]) -> tuple[tuple[BucketScore, ...], dict[str, float]]:
    """Bucket means over seeds (users: rounded mean) and their std, by bucket label."""
    values: dict[str, list[float]] = {}
    users: dict[str, list[int]] = {}
    for row in rows:
        for bucket in row.by_history:
            values.setdefault(bucket.label, []).append(bucket.value)
            users.setdefault(bucket.label, []).append(bucket.users)
    means = tuple(
        BucketScore(label, round(statistics.mean(users[label])), statistics.mean(v))
        for label, v in values.items()
    )
    return means, {label: _std(v) for label, v in values.items()}


@dataclass(frozen=True)
class SeedReport:
    """One :class:`EvalReport` per seed, same dataset, protocol, cut-offs and models."""

    runs: tuple[EvalReport, ...]

    def __post_init__(self) -> None:
        if not self.runs:
            raise ValueError("a seed report needs at least one run")
        first = self.runs[0]
        for run in self.runs[1:]:
            same = (run.dataset, run.protocol, run.ks) == (first.dataset, first.protocol, first.ks)
            if not same or [r.label for r in run.rows] != self.labels:
                raise ValueError("runs of a seed report must share data, protocol, k and models")

    @property
    def seeds(self) -> list[int]:
        return [run.seed for run in self.runs]

    @property
    def labels(self) -> list[str]:
        return [row.label for row in self.runs[0].rows]

    def _rows(self, label: str) -> list[ModelResult]:
        return [next(r for r in run.rows if r.label == label) for run in self.runs]

    def values(self, label: str, metric: str) -> list[float]:
        """``metric`` of model ``label`` in every run, in seed order."""
        return [row.metrics[metric] for row in self._rows(label)]

    def std(self) -> dict[str, dict[str, float]]:
        """Model label -> metric -> standard deviation over seeds (also ``fit_seconds``)."""
        out: dict[str, dict[str, float]] = {}
        for label in self.labels:
            rows = self._rows(label)
            spread = {m: _std([row.metrics[m] for row in rows]) for m in rows[0].metrics}
            spread["fit_seconds"] = _std([row.fit_seconds for row in rows])
            out[label] = spread
        return out

    def history_std(self) -> dict[str, dict[str, float]]:
        """Model label -> history bucket -> standard deviation of its metric over seeds."""
        return {label: _mean_history(self._rows(label))[1] for label in self.labels}

    def mean_report(self) -> EvalReport:
        """An :class:`EvalReport` whose numbers are the means over seeds (chosen
        hyperparameters: the first seed's when all agree, else one entry per seed)."""
        rows = []
        for label in self.labels:
            runs = self._rows(label)
            params = [row.best_params for row in runs]
            chosen = params[0] if all(p == params[0] for p in params) else self._per_seed(params)
            val = [row.val_ndcg for row in runs if row.val_ndcg is not None]
            rows.append(
                ModelResult(
                    label=label,
                    model=runs[0].model,
                    metrics={
                        m: statistics.mean(r.metrics[m] for r in runs) for m in runs[0].metrics
                    },
                    fit_seconds=statistics.mean(r.fit_seconds for r in runs),
                    users_per_second=statistics.mean(r.users_per_second for r in runs),
                    users_evaluated=round(statistics.mean(r.users_evaluated for r in runs)),
                    best_params=chosen,
                    val_ndcg=statistics.mean(val) if val else None,
                    by_history=_mean_history(runs)[0],
                )
            )
        first = self.runs[0]
        return EvalReport(
            dataset=first.dataset,
            protocol=first.protocol,
            ks=list(first.ks),
            rows=rows,
            seed=first.seed,
            split_info=dict(first.split_info),
            wall_seconds=sum(run.wall_seconds for run in self.runs),
        )

    def _per_seed(self, params: list[dict[str, Any]]) -> dict[str, Any]:
        return {f"seed {seed}": p for seed, p in zip(self.seeds, params, strict=True)}

    def to_json_dict(self) -> dict[str, Any]:
        """The :meth:`EvalReport.to_json_dict` format with means in place of values, plus
        ``<key>_std`` for every number, ``per_seed`` values of the accuracy metrics, the
        chosen hyperparameters per seed, and the top-level ``seeds``."""
        out = self.mean_report().to_json_dict()
        spread = self.std()
        history_spread = self.history_std()
        metric, _ = history_metric(self.runs[0].ks)
        for label, entry in out["models"].items():
            rows = self._rows(label)
            for key in list(entry):
                if key in spread[label]:
                    entry[f"{key}_std"] = spread[label][key]
            entry["coverage_std"] = spread[label][f"coverage@{self.runs[0].ks[0]}"]
            entry["per_seed"] = {
                m: self.values(label, m)
                for m in rows[0].metrics
                if m.split("@")[0] in ACCURACY_METRICS
            }
            entry["best_params_per_seed"] = [row.best_params for row in rows]
            for bucket, std in history_spread[label].items():
                entry[f"{metric}_by_history"][bucket][f"{metric}_std"] = std
        out["seeds"] = self.seeds
        return out

    def to_markdown(self) -> str:
        """The setup, then one row per model with ``mean ± std`` for every accuracy
        metric, and the history-length table with the same spread."""
        first, ks = self.runs[0], self.runs[0].ks
        mean = self.mean_report()
        spread = self.std()
        cols = [f"{name}@{k}" for k in ks for name in ACCURACY_METRICS] + [f"coverage@{ks[0]}"]
        header = ["model", *cols, "fit s", "params"]
        lines = [
            f"# Offline evaluation: {first.dataset} ({first.protocol}), {len(self.runs)} seeds",
            "",
            f"Mean ± sample std over seeds {', '.join(map(str, self.seeds))}; full ranking "
            f"over all items unseen in training; wall time {mean.wall_seconds:.1f} s in all.",
        ]
        if first.split_info:
            info = ", ".join(f"{key} {value}" for key, value in first.split_info.items())
            lines.append(f"Split (seed {first.seed}): {info}.")
        lines += ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for row in mean.rows:
            cells = [row.label]
            cells += [f"{row.metrics[c]:.4f} ± {spread[row.label][c]:.4f}" for c in cols]
            cells.append(f"{row.fit_seconds:.2f} ± {spread[row.label]['fit_seconds']:.2f}")
            cells.append(", ".join(f"{k}={v}" for k, v in row.best_params.items()) or "defaults")
            lines.append("| " + " | ".join(cells) + " |")
        if any(row.by_history for row in mean.rows):
            metric, _ = history_metric(ks)
            lines += ["", f"## {metric.upper()} by training-history length", ""]
            scores = {row.label: row.by_history for row in mean.rows}
            lines += history_table(scores, metric, self.history_std())
            lines += ["", f"![{metric} by history length]({report_stem(first)}-history.png)"]
        return "\n".join(lines) + "\n"


def write_seed_reports(report: SeedReport, directory: Path) -> ReportFiles:
    """Markdown (mean ± std), the bar plot with error bars and the history plot under
    ``directory``, named like :func:`~recmind.eval.report.write_reports`'s."""
    from recmind.eval.plot import plot_history, plot_report

    directory.mkdir(parents=True, exist_ok=True)
    mean = report.mean_report()
    stem = report_stem(mean)
    markdown = directory / f"{stem}.md"
    markdown.write_text(report.to_markdown(), encoding="utf-8")
    plot = plot_report(mean, directory / f"{stem}.png", errors=report.std())
    history = None
    if any(row.by_history for row in mean.rows):
        metric, _ = history_metric(mean.ks)
        history = plot_history(
            {row.label: row.by_history for row in mean.rows},
            directory / f"{stem}-history.png",
            metric=metric,
            title=f"{mean.dataset} ({mean.protocol}): {metric.upper()} by history length, "
            f"mean ± std over {len(report.runs)} seeds",
            errors=report.history_std(),
        )
    return ReportFiles(markdown=markdown, plot=plot, history_plot=history)


def write_seed_json(report: SeedReport, path: Path) -> Path:
    """Write :meth:`SeedReport.to_json_dict` to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.to_json_dict(), indent=2) + "\n", encoding="utf-8")
    return path


def evaluate_seeds(
    bundle: DataBundle,
    *,
    seeds: Sequence[int] = DEFAULT_SEEDS,
    models: Sequence[str] | None = None,
    protocol: str = "loo",
    ks: Sequence[int] = (10, 20),
    progress: Callable[[str], None] | None = None,
    registry: Mapping[str, type[Recommender]] | None = None,
    cold_share: float | None = None,
) -> SeedReport:
    """:func:`~recmind.eval.runner.evaluate` once per seed (arguments as there);
    ``progress`` is called ``len(seeds) * total_steps(...)`` times."""
    if not seeds:
        raise ValueError("give at least one seed")
    runs = tuple(
        evaluate(
            bundle,
            models=models,
            protocol=protocol,
            ks=ks,
            seed=seed,
            progress=progress,
            registry=registry,
            cold_share=cold_share,
        )
        for seed in dict.fromkeys(seeds)
    )
    return SeedReport(runs)
