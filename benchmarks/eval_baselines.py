"""Every baseline on MovieLens 100K, leave-last-out, full ranking, through ``evaluate``.

The harness is deterministic for a seed, so the metrics of every repeat must agree; the
repeats only make the timings trustworthy (medians are reported). Writes
``benchmarks/results/eval_baselines.json`` and ``.md``, with a comparison against an
independent implementation of the same protocol.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/eval_baselines.py [--repeats 3]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import copy
import json
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from recmind.data.datasets import load_dataset
from recmind.eval import EvalReport, evaluate
from recmind.rec.als import ALSRecommender

RESULTS = Path(__file__).parent / "results"
NAME = "eval_baselines"
KS = (10, 20)
SEED = 42
REFERENCE_NDCG10 = {"ease": 0.070, "als": 0.061, "als-untuned": 0.061, "popular": 0.039}
"""NDCG@10 measured by an independent implementation of the same protocol (EASE HR@10 0.149)."""
TOLERANCE = {"ease": 0.10, "als": 0.15, "als-untuned": 0.15, "popular": 0.15}


class UntunedALS(ALSRecommender):
    """ALS with the ``implicit`` library's own defaults, no tuning: what a harness that
    does not tune ALS measures (to explain a gap to the reference)."""

    @classmethod
    def search_space(cls) -> list[dict[str, Any]]:
        return [{"factors": 100, "regularization": 0.01, "alpha": 1.0, "iterations": 15}]


def run_untuned(seed: int = SEED) -> EvalReport:
    bundle = load_dataset("movielens-100k")
    registry = {"als-untuned": UntunedALS}
    return evaluate(bundle, protocol="loo", ks=KS, seed=seed, registry=registry)


TIMED = ("fit_seconds", "users_per_second")


def run_once(seed: int = SEED) -> tuple[EvalReport, float]:
    started = time.perf_counter()
    bundle = load_dataset("movielens-100k")
    report = evaluate(bundle, protocol="loo", ks=KS, seed=seed)
    return report, time.perf_counter() - started


def seed_noise(seeds: range) -> dict[str, dict[str, float]]:
    """NDCG@10 and HR@10 spread over split seeds: which tied last items become targets,
    and the models' own seeds, are the only things that change."""
    values: dict[str, list[tuple[float, float]]] = {}
    for seed in seeds:
        report, _ = run_once(seed)
        for row in report.rows:
            pair = (row.metrics["ndcg@10"], row.metrics["hr@10"])
            values.setdefault(row.label, []).append(pair)
    out = {}
    for label, pairs in values.items():
        ndcg = [p[0] for p in pairs]
        out[label] = {
            "seeds": len(pairs),
            "ndcg@10_mean": statistics.mean(ndcg),
            "ndcg@10_sd": statistics.stdev(ndcg) if len(ndcg) > 1 else 0.0,
            "ndcg@10_min": min(ndcg),
            "ndcg@10_max": max(ndcg),
            "hr@10_mean": statistics.mean(p[1] for p in pairs),
        }
    return out


def _accuracy(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if key not in TIMED}


def summarise(
    runs: list[tuple[EvalReport, float]], extra: EvalReport | None = None
) -> dict[str, Any]:
    """The first run's metrics with timings replaced by medians over all runs (plus the
    rows of ``extra``, timed once)."""
    dicts = [report.to_json_dict() for report, _ in runs]
    if extra is not None:
        for d in dicts:
            d["models"].update(extra.to_json_dict()["models"])
    identical = all(
        _accuracy(d["models"][m]) == _accuracy(dicts[0]["models"][m])
        for d in dicts
        for m in dicts[0]["models"]
    )
    out = copy.deepcopy(dicts[0])
    for label, entry in out["models"].items():
        for key in TIMED:
            entry[key] = statistics.median(d["models"][label][key] for d in dicts)
        reference = REFERENCE_NDCG10.get(label)
        if reference is not None:
            deviation = entry["ndcg@10"] / reference - 1.0
            entry["reference_ndcg@10"] = reference
            entry["reference_deviation"] = deviation
            entry["within_tolerance"] = abs(deviation) <= TOLERANCE[label]
    walls = [wall for _, wall in runs]
    out["repeats"] = len(runs)
    out["wall_seconds"] = statistics.median(walls)
    out["wall_seconds_runs"] = walls
    out["metrics_identical_across_repeats"] = identical
    out["split"] = runs[0][0].split_info
    out["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count()}
    return out


def to_markdown(summary: dict[str, Any]) -> str:
    ks = summary["k"]
    cols = [f"{m}@{k}" for k in ks for m in ("hr", "ndcg", "mrr")]
    cols += [f"coverage@{ks[0]}", f"novelty@{ks[0]}", f"diversity@{ks[0]}"]
    header = ["model", *cols, "fit s (median)", "users/s", "ref NDCG@10", "vs ref", "params"]
    noise = summary.get("seed_noise", {})
    lines = [
        "# Baselines on MovieLens 100K (leave-last-out, full ranking)",
        "",
        f"Seed {SEED}; {summary['repeats']} repeats, timings are medians; "
        f"wall time per run {summary['wall_seconds']:.1f} s (median, data loading included) "
        f"on {summary['machine']['cpus']} CPUs. Metrics identical across repeats: "
        f"{summary['metrics_identical_across_repeats']}.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for label, entry in summary["models"].items():
        cells = [label, *(f"{entry.get(c, float('nan')):.4f}" for c in cols)]
        cells += [f"{entry['fit_seconds']:.2f}", f"{entry['users_per_second']:,.0f}"]
        ref = entry.get("reference_ndcg@10")
        cells.append("-" if ref is None else f"{ref:.3f}")
        flag = "" if ref is None or entry["within_tolerance"] else " (outside tolerance)"
        cells.append("-" if ref is None else f"{entry['reference_deviation']:+.1%}{flag}")
        cells.append(", ".join(f"{k}={v}" for k, v in entry["best_params"].items()) or "-")
        lines.append("| " + " | ".join(cells) + " |")
    if noise:
        seeds = next(iter(noise.values()))["seeds"]
        lines += [
            "",
            f"Spread over {seeds} other split seeds (seed = tie-breaking among items rated "
            "in the same second, model seeds):",
            "",
            "| model | NDCG@10 mean | sd | min | max | HR@10 mean |",
            "|---|---|---|---|---|---|",
        ]
        for label, n in noise.items():
            lines.append(
                f"| {label} | {n['ndcg@10_mean']:.4f} | {n['ndcg@10_sd']:.4f} | "
                f"{n['ndcg@10_min']:.4f} | {n['ndcg@10_max']:.4f} | {n['hr@10_mean']:.4f} |"
            )
    lines += [
        "",
        "The reference is one split of an independent implementation of the same protocol "
        "(tolerance 10% for EASE, 15% for ALS and popularity); its hyperparameters are not "
        "known, ours are chosen on the validation target. `als-untuned` is ALS with the "
        "`implicit` library's defaults (factors 100, regularization 0.01, alpha 1): it lands "
        "near the reference, so the gap of tuned ALS is its hyperparameters, not the protocol. "
        "The spread above is what the split seed alone does.",
        "",
        f"Whole benchmark: {summary['benchmark_seconds']:.0f} s.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs with seed 42")
    parser.add_argument("--noise-seeds", type=int, default=5, help="runs with seeds 0..N-1")
    args = parser.parse_args()
    started = time.perf_counter()
    runs = [run_once() for _ in range(args.repeats)]
    summary = summarise(runs, run_untuned())
    summary["seed_noise"] = seed_noise(range(args.noise_seeds))
    summary["benchmark_seconds"] = time.perf_counter() - started
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{NAME}.json").write_text(json.dumps(summary, indent=2) + "\n")
    (RESULTS / f"{NAME}.md").write_text(to_markdown(summary))
    print(to_markdown(summary))


if __name__ == "__main__":
    main()
