"""Renderer of the lifetime-value backtests (``clv``): per dataset, every model's holdout
scores, the model the validation chose, and the issue's bars met or not."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from figures.base import Results, figure, provenance, table, verdict

LABELS = {
    "cdnow": "CDNOW, events before 1997-10-01, next 273 days",
    "online-retail": "UCI Online Retail, calibration through 2011-09-09, next 91 days",
    "complete-journey": "84.51° Complete Journey, the last 90 days as holdout",
}
ORDER = ("zero", "historical-rate", "bg-nbd", "pareto-nbd", "lightgbm", "blend", "recmind")
HEADER = ("model", "MAE", "RMSE", "predicted / actual total", "spend MAE", "churn AUC", "fit s")
METRIC_NAMES = {
    "mae": "MAE",
    "rmse": "RMSE",
    "total_ratio": "total",
    "spend_mae": "spend MAE",
    "churn_auc": "churn AUC",
}


def _row(name: str, figures: Mapping[str, Any], chosen: str) -> tuple[str, ...]:
    label = f"**recmind** (= {chosen})" if name == "recmind" else name
    auc = figures["churn_auc"]
    return (
        label,
        f"{figures['mae']:.3f}",
        f"{figures['rmse']:.3f}",
        f"{figures['total_ratio']:.3f}x",
        f"{figures['spend_mae']:,.2f}",
        "-" if name == "zero" else f"{auc:.3f}",
        f"{figures['fit_seconds']:.1f}",
    )


def _better(metric: str, ours: float, theirs: float) -> bool:
    if metric == "total_ratio":
        return abs(ours - 1.0) < abs(theirs - 1.0)
    if metric == "churn_auc":
        return ours > theirs
    return ours < theirs


def _absolute(bar: Mapping[str, Any], ours: Mapping[str, Any]) -> list[str]:
    checks = [
        (f"MAE < {bar['mae_below']}", ours["mae"] < bar["mae_below"], f"{ours['mae']:.3f}"),
        (f"RMSE < {bar['rmse_below']}", ours["rmse"] < bar["rmse_below"], f"{ours['rmse']:.3f}"),
        (
            f"total within {bar['total_within']:.0%}",
            abs(ours["total_ratio"] - 1.0) <= bar["total_within"],
            f"{ours['total_ratio']:.3f}x",
        ),
        (
            f"churn AUC > {bar['churn_auc_above']}",
            ours["churn_auc"] > bar["churn_auc_above"],
            f"{ours['churn_auc']:.3f}",
        ),
    ]
    return [f"{label}: {value}, {verdict(met)}" for label, met, value in checks]


def _beats(bar: Mapping[str, Any], models: Mapping[str, Any]) -> list[str]:
    ours = models["recmind"]
    lines = []
    for metric in bar["metrics"]:
        for other in bar["models"]:
            theirs = models[other][metric]
            met = _better(metric, ours[metric], theirs)
            lines.append(
                f"{METRIC_NAMES[metric]} vs {other}: {ours[metric]:.3f} against {theirs:.3f}, "
                f"{verdict(met)}"
            )
    return lines


def _dataset(name: str, entry: Mapping[str, Any], bar: Mapping[str, Any]) -> list[str]:
    models = entry["models"]
    chosen = entry["chosen"]
    names = [n for n in ORDER if n in models] + [n for n in models if n not in ORDER]
    lines = [
        f"**{LABELS.get(name, name)}**: {entry['customers']:,} customers, "
        f"{entry['actual_total']:,.0f} holdout orders (purchase days).",
        "",
        *table(HEADER, [_row(n, models[n], chosen) for n in names]),
        "",
    ]
    losses = ", ".join(f"{n} {v:.3f}" for n, v in sorted(entry["validation_loss"].items()))
    if losses:
        lines.append(
            f"- Chosen on a {entry['validation_window_days']:.0f}-day validation window inside "
            f"the training period (mean error relative to bg-nbd, lower is better): {losses}."
        )
    for note in entry.get("notes", []):
        lines.append(f"- {note}.")
    checks = _absolute(bar, models["recmind"]) if bar["kind"] == "absolute" else _beats(bar, models)
    lines.append(f"- Bar: {'; '.join(checks)}.")
    if "reference" in bar:
        lines.append(f"- Reference: {bar['reference']}.")
    record = entry["provenance"]
    lines.append(
        f"- Import {entry['import_seconds']:.0f} s ({entry['events_imported']:,} events), "
        f"backtest {entry['backtest_seconds']:.0f} s, peak memory {entry['peak_rss_mb']:,.0f} MB; "
        f"load average {record['loadavg_start']} at the start, {record['loadavg_end']} at the "
        f"end; commit `{record['commit']}`; calibration plot `{entry['plot']}`."
    )
    return [*lines, ""]


@figure(
    "clv",
    title="Lifetime value and churn: backtests on CDNOW, Online Retail and Complete Journey",
    command=".venv/bin/python benchmarks/clv.py",
    pending=True,
)
def clv(data: Results) -> str:
    """One table per dataset, its verdicts, then where the numbers came from."""
    lines: list[str] = []
    for name, entry in data["datasets"].items():
        lines += _dataset(name, entry, data["bars"][name])
    lines.append(
        "MAE and RMSE are of per-customer holdout orders (distinct purchase days), spend MAE of "
        "per-customer holdout spend; churn AUC scores the churn risk (no order in the holdout). "
        "`zero` predicts no order for anyone."
    )
    lines.append("")
    lines.append(provenance(data, "clv"))
    return "\n".join(lines) + "\n"
