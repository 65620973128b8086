"""Renderer of the headline figure: the model a client is served over HTTP, measured on the
temporal split against the evaluation harness's tuned baselines (``served_temporal``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from figures.base import Results, figure, provenance, table

METRIC = "ndcg@10"
RECALL = "recall@10"


def _mean_sd(values: Sequence[float]) -> str:
    """``0.2446 ± 0.0055``, or ``0.2446 (1 seed)``."""
    if len(values) == 1:
        return f"{values[0]:.4f} (1 seed)"
    mean = sum(values) / len(values)
    sd = (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5
    return f"{mean:.4f} ± {sd:.4f}"


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}x" if denominator > 0 else "-"


def _per_seed(entry: Mapping[str, Any], who: str, metric: str) -> list[float]:
    return [float(run[who][metric]) for run in entry["per_seed"]]


def _rows(dataset: str, entry: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """The served model's row, then EASE's and popularity's."""
    runs = entry["per_seed"]
    served = _per_seed(entry, "served", METRIC)
    ease, popular = _per_seed(entry, "ease", METRIC), _per_seed(entry, "popular", METRIC)
    n = len(runs)
    wins_ease = sum(s > e for s, e in zip(served, ease, strict=True))
    wins_popular = sum(s > p for s, p in zip(served, popular, strict=True))
    users = sorted({int(run["served"]["users"]) for run in runs})
    label = f"{dataset} ({'/'.join(f'{u:,}' for u in users)} people)"
    rows: list[tuple[str, ...]] = [
        (
            label,
            f"**{entry['model']}**, served over HTTP",
            f"**{_mean_sd(served)}**",
            _mean_sd(_per_seed(entry, "served", RECALL)),
            _ratio(_mean(served), _mean(ease)),
            _ratio(_mean(served), _mean(popular)),
            f"{wins_ease} of {n} over EASE, {wins_popular} of {n} over popularity",
        )
    ]
    for who, name in (("ease", "EASE"), ("popular", "popularity")):
        values = _per_seed(entry, who, METRIC)
        rows.append(
            (
                "",
                f"{name} (harness, tuned)",
                _mean_sd(values),
                _mean_sd(_per_seed(entry, who, RECALL)),
                "-" if who == "ease" else _ratio(_mean(values), _mean(ease)),
                "-" if who == "popular" else _ratio(_mean(values), _mean(popular)),
                "-",
            )
        )
    return rows


def _notes(dataset: str, entry: Mapping[str, Any]) -> list[str]:
    """Per seed figures, the split, the set-up's cost and where the numbers came from."""
    runs, split, imported = entry["per_seed"], entry["split"], entry["import"]
    seeds = "; ".join(
        f"seed {run['seed']}: {run['served'][METRIC]:.4f} / {run['ease'][METRIC]:.4f} / "
        f"{run['popular'][METRIC]:.4f}"
        for run in runs
    )
    requests = sum(int(run["served"]["requests"]) for run in runs)
    failed = sum(int(run["served"]["failed"]) for run in runs)
    general = sum(int(run["served"]["not_personalized"]) for run in runs)
    train = [float(run["served"]["train_seconds"]) for run in runs]
    ready = [float(run["served"]["ready_seconds"]) for run in runs]
    return [
        f"- {dataset}, NDCG@10 per seed (served / EASE / popularity): {seeds}.",
        f"- {dataset}: cut at the {split['quantile']:g} quantile of event times "
        f"({split['cut_utc']} UTC); {imported['events_written']:,} events before it written "
        f"with the catalogue ({imported['items_written']:,} items) and imported with "
        f"`recmind import` in {imported['seconds']:.1f} s ({imported['events_stored']:,} "
        f"stored); `recmind train` took {_mean(train):.0f} s per seed, the server was ready "
        f"{_mean(ready):.1f} s after start; {requests:,} requests, {failed:,} failed, "
        f"{general:,} answered with unpersonalised lists.",
        f"- {dataset}: {provenance(entry, 'served_temporal')}",
    ]


@figure(
    "served_temporal",
    title="The served model over HTTP on the temporal split, against the tuned baselines",
    command=".venv/bin/python benchmarks/served_temporal.py",
    pending=True,
)
def served_temporal(data: Results) -> str:
    """One group of rows per dataset: the served model's NDCG@10 and recall@10 over HTTP
    (mean ± sd over seeds), its ratios to the harness's tuned EASE and popularity, wins."""
    datasets: Mapping[str, Mapping[str, Any]] = data["datasets"]
    header = (
        "dataset (people evaluated)",
        "model",
        "NDCG@10",
        "recall@10",
        "to EASE",
        "to popularity",
        "wins per seed",
    )
    rows = [row for name, entry in datasets.items() for row in _rows(name, entry)]
    lines = table(header, rows)
    lines += [
        "",
        "- The served list is what `GET /v1/users/{id}/recommendations` returns from "
        "`recmind serve` for the model `recmind train` published from the events before the "
        "cut; the people are those with training history who took up an item after the cut "
        "they had not touched before it, and those items are the targets (the harness's own "
        "temporal test set). EASE and popularity are tuned on the validation cut and ranked "
        "by the harness on the same split.",
    ]
    for name, entry in datasets.items():
        lines += _notes(name, entry)
    return "\n".join(lines) + "\n"
