"""The hybrid recommender against the baselines on MovieLens 100K, in the same harness.

For each protocol (temporal first: it is the headline, since leave-last-out trains on
other users' later events; then leave-last-out, cold-item and cold-user) and each seed,
one ``evaluate`` call runs the protocol's models (each tuned on the validation target by
its own search space, then tested once, every model ranked through the time-causal
``score_histories_at`` at the protocol's moment) in a fresh child process whose peak RSS
is recorded: popular, EASE, ALS and the hybrid on temporal and loo; popular, EASE,
semantic, the hybrid and the two reference rankings ``random`` and ``random-new`` (random
among the items nobody touched in training) on the cold protocols. Further child
processes time one hybrid fit alone (temporal training part, seed 42) with its peak RSS,
and the latency of scoring one ad-hoc history at a time
(``recommend_histories_at(histories, now, k)``, ``now`` after the training data) with
where the time goes.

Writes ``hybrid.json`` and ``hybrid.md`` (``figures.write_results``: mean ± sd over the
seeds, per-seed values, the chosen parameters, the pre-fix figures of
``results/before/hybrid_*.json`` for a before/after table) and ``hybrid.png`` (NDCG@10 per
model and protocol, sd error bars) to ``benchmarks/results`` (``--output-dir``: elsewhere,
e.g. for a smoke run).

    .venv/bin/python benchmarks/hybrid.py [--seeds 42,43,44]
        [--protocols temporal,loo,cold-item,cold-user] [--models popular,ease]
        [--skip-latency] [--skip-fit-alone] [--before PATH] [--output-dir DIR]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from figures import RESULTS, write_results
from harness import ROOT, finished, in_child, loadavg, model_rows, peak_rss_mb, provenance

NAME = "hybrid"
DATASET = "movielens-100k"
WARM_MODELS = ("popular", "ease", "als", "hybrid")
COLD_MODELS = ("popular", "random", "random-new", "ease", "semantic", "hybrid")
PROTOCOL_MODELS = {
    "temporal": WARM_MODELS,
    "loo": WARM_MODELS,
    "cold-item": COLD_MODELS,
    "cold-user": COLD_MODELS,
}
"""Protocols in the order they are run and shown: the headline first."""
METRICS = ("ndcg@10", "hr@10", "ndcg@20", "recall@10", "coverage@10")
BAR = {"protocol": "loo", "ndcg@10": 0.091, "hr@10": 0.18}
"""The first milestone's bar on ml-100k leave-last-out (1.3x the reference EASE), set
before scoring became time-causal."""
REFERENCE = {"RecBole SASRec (5 epochs, measured independently)": 0.062, "RecBole EASE": 0.0706}
"""loo NDCG@10 of other implementations on the same data, measured independently."""
LATENCY_USERS = 300
"""Histories timed one request at a time (the REST service's shape)."""
SERVICE_P50_MS = 5.0
PLOT = f"{NAME}.png"


def _split(protocol: str, seed: int) -> tuple[Any, Any]:
    """The test holdout of ``protocol`` on ml-100k and the catalogue."""
    from recmind.data.datasets import load_dataset
    from recmind.eval.runner import item_space, split_bundle
    from recmind.rec.interactions import ItemCatalog

    bundle = load_dataset(DATASET)
    items = item_space(bundle)
    catalog = ItemCatalog.from_frame(bundle.items, items)
    return split_bundle(bundle, items, protocol, seed).test, catalog


def _evaluate(protocol: str, seed: int, models: Sequence[str]) -> dict[str, Any]:
    """One harness run (child process): metrics, fit seconds, chosen parameters per model."""
    from recmind.data.datasets import load_dataset
    from recmind.eval import evaluate

    load_before = loadavg()
    started = time.perf_counter()
    report = evaluate(load_dataset(DATASET), models=list(models), protocol=protocol, seed=seed)
    return {
        "protocol": protocol,
        "seed": seed,
        "models": model_rows(report, METRICS),
        "split_info": report.split_info,
        "wall_seconds": time.perf_counter() - started,
        "peak_rss_mb": peak_rss_mb(),
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
    }


def _fit_hybrid_alone(seed: int) -> dict[str, Any]:
    """Fit the hybrid once on the temporal protocol's training part (child process)."""
    from recmind.rec.hybrid import HybridRecommender

    holdout, catalog = _split("temporal", seed)
    train = holdout.train
    before = peak_rss_mb()
    load_before = loadavg()
    started = time.perf_counter()
    cpu = time.process_time()
    model = HybridRecommender(seed=seed).fit(train, catalog)
    return {
        "protocol": "temporal",
        "seed": seed,
        "users": train.n_users,
        "items": train.n_items,
        "pairs": len(train),
        "fit_seconds": time.perf_counter() - started,
        "fit_cpu_seconds": time.process_time() - cpu,
        "peak_rss_mb": peak_rss_mb(),
        "peak_rss_before_fit_mb": before,
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
        "sources": model.source_names_,
        "label_cuts": len(model.label_cuts_),
        "trees": model.ranker_.trees if model.ranker_ is not None else [],
        "top_features": sorted(model.feature_importance().items(), key=lambda kv: -kv[1])[:8],
        "cold_items_in_internal_split": len(model.cold_items_),
        "cold_ranker_trees": model.cold_ranker_.trees if model.cold_ranker_ is not None else [],
    }


class _Timer:
    """Accumulates wall time per named step of the scoring path (benchmark only)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

        return timed


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _latency(seed: int) -> dict[str, Any]:
    """One ad-hoc history at a time through ``recommend_histories_at`` (child process):
    the hybrid fitted on the temporal training part scores known users' training
    histories at a moment after the training data, as the service does on a cache miss;
    with where the time of one request goes."""
    import numpy as np

    from recmind.rec.hybrid import HybridRecommender
    from recmind.rec.hybrid import queries as queries_module

    holdout, catalog = _split("temporal", seed)
    train = holdout.train
    model = HybridRecommender(seed=seed).fit(train, catalog)
    now = float(train.timestamps.max()) + 3600.0
    own = train.histories(seed)
    k = 10

    timer = _Timer()
    for source in model.sources_:
        source.history_scores = timer.wrap(  # type: ignore[method-assign]
            f"source {source.name}", source.history_scores
        )
    for name, label in (
        ("from_scores", "candidates (top of every source, united)"),
        ("build_features", "features"),
    ):
        setattr(queries_module, name, timer.wrap(label, getattr(queries_module, name)))
    for label, ranker in (("ranker", model.ranker_), ("cold ranker", model.cold_ranker_)):
        if ranker is not None:
            ranker.predict = timer.wrap(  # type: ignore[method-assign]
                f"{label} predict ({len(ranker.model_texts)} boosters)", ranker.predict
            )
    rng = np.random.default_rng(seed)
    chosen = [
        int(u) for u in rng.choice(len(own), size=min(LATENCY_USERS, len(own)), replace=False)
    ]
    for user in chosen[:20]:  # warm-up: lazy booster load, caches
        model.recommend_histories_at([own[user]], now, k)
    timer.seconds.clear()
    load_before = loadavg()
    latencies = []
    for user in chosen:
        started = time.perf_counter()
        model.recommend_histories_at([own[user]], now, k)
        latencies.append((time.perf_counter() - started) * 1000.0)
    total_ms = sum(latencies)
    breakdown = {name: 1000.0 * s / len(chosen) for name, s in timer.seconds.items()}
    breakdown["other (history clean-up, query statistics, top-k, filters)"] = total_ms / len(
        chosen
    ) - sum(breakdown.values())
    return {
        "protocol": "temporal",
        "seed": seed,
        "k": k,
        "requests": len(chosen),
        "history_length_median": statistics.median(len(own[u]) for u in chosen),
        "sources": model.source_names_,
        "latency_ms": {
            "p50": _percentile(latencies, 0.5),
            "p95": _percentile(latencies, 0.95),
            "mean": statistics.mean(latencies),
        },
        "breakdown_ms_per_request": breakdown,
        "service_p50_ms": SERVICE_P50_MS,
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
    }


def _stats(values: list[float]) -> dict[str, Any]:
    return {
        "mean": statistics.mean(values),
        "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
        "values": values,
    }


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean and sd over seeds per protocol and model, protocols in PROTOCOL_MODELS order."""
    out: dict[str, Any] = {}
    for protocol in PROTOCOL_MODELS:
        chosen = [r for r in runs if r["protocol"] == protocol]
        if not chosen:
            continue
        per_model: dict[str, Any] = {}
        for model in chosen[0]["models"]:
            entry: dict[str, Any] = {}
            for key in (*METRICS, "fit_seconds"):
                stats = _stats([r["models"][model][key] for r in chosen])
                entry[key], entry[f"{key}_sd"] = stats["mean"], stats["sd"]
                entry[f"{key}_values"] = stats["values"]
            entry["fit_seconds_median"] = statistics.median(entry["fit_seconds_values"])
            entry["best_params"] = [r["models"][model]["best_params"] for r in chosen]
            per_model[model] = entry
        out[protocol] = {
            "seeds": [r["seed"] for r in chosen],
            "models": per_model,
            "test_users": [r["split_info"].get("test users") for r in chosen],
            "split_info": chosen[0]["split_info"],
            "peak_rss_mb_max": max(r["peak_rss_mb"] for r in chosen),
            "wall_minutes": sum(r["wall_seconds"] for r in chosen) / 60.0,
        }
    return out


def before_figures(path: Path | None) -> dict[str, Any] | None:
    """The pre-fix figures of an older ``hybrid.json``: per protocol and model, NDCG@10 and
    HR@10 means and sds, with the command and commit that produced them."""
    if path is None:
        return None
    import json

    old = json.loads(path.read_text())
    meta = old.get("meta") or old.get("provenance") or {}
    summary = {
        protocol: {
            model: {key: entry[key] for key in ("ndcg@10", "ndcg@10_sd", "hr@10", "hr@10_sd")}
            for model, entry in block["models"].items()
        }
        for protocol, block in old["summary"].items()
    }
    shown = path.resolve()
    return {
        "file": str(shown.relative_to(ROOT) if shown.is_relative_to(ROOT) else shown),
        "command": meta.get("command"),
        "commit": meta.get("commit"),
        "seeds": meta.get("seeds"),
        "summary": summary,
    }


def default_before() -> Path | None:
    """The one ``results/before/hybrid_*.json`` (None when there is none)."""
    found = sorted((RESULTS / "before").glob(f"{NAME}_*.json"))
    if len(found) > 1:
        raise SystemExit(f"several before files {found}: pass --before PATH")
    return found[0] if found else None


def plot(summary: dict[str, Any], path: Path) -> None:
    """NDCG@10 per model, one panel per protocol, sd over seeds as error bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    protocols = list(summary)
    fig, axes = plt.subplots(
        1, len(protocols), figsize=(3.4 * len(protocols) + 0.6, 3.6), squeeze=False
    )
    for ax, protocol in zip(axes[0], protocols, strict=True):
        models = summary[protocol]["models"]
        names = list(models)
        means = [models[m]["ndcg@10"] for m in names]
        sds = [models[m]["ndcg@10_sd"] for m in names]
        colours = ["tab:orange" if m == "hybrid" else "tab:blue" for m in names]
        ax.bar(range(len(names)), means, yerr=sds, capsize=3, color=colours)
        ax.set_xticks(range(len(names)), names, rotation=45, ha="right", fontsize=8)
        ax.set_title(protocol + (" (headline)" if protocol == "temporal" else ""), fontsize=10)
        ax.tick_params(axis="y", labelsize=8)
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel("NDCG@10 (mean ± sd over seeds)", fontsize=9)
    seeds = ", ".join(str(s) for s in summary[protocols[0]]["seeds"])
    fig.suptitle(f"MovieLens 100K, full ranking, seeds {seeds}")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="42,43,44")
    parser.add_argument("--protocols", default=",".join(PROTOCOL_MODELS))
    parser.add_argument(
        "--models", default="", help="run only these of each protocol's models (smoke runs)"
    )
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-fit-alone", action="store_true")
    parser.add_argument("--before", type=Path, help="an older hybrid.json (default: before/)")
    parser.add_argument("--output-dir", type=Path, default=RESULTS)
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    protocols = args.protocols.split(",")
    unknown = set(protocols) - set(PROTOCOL_MODELS)
    if unknown:
        parser.error(f"unknown protocols {sorted(unknown)}; choose from {list(PROTOCOL_MODELS)}")
    protocols = [p for p in PROTOCOL_MODELS if p in protocols]
    only = [m for m in args.models.split(",") if m]
    record = provenance()
    started = time.perf_counter()
    runs = []
    for protocol in protocols:
        models = [m for m in PROTOCOL_MODELS[protocol] if not only or m in only]
        for seed in seeds:
            run = in_child(_evaluate, protocol, seed, models)
            scores = ", ".join(f"{m} {v['ndcg@10']:.4f}" for m, v in run["models"].items())
            print(
                f"{protocol} seed {seed}: ndcg@10 {scores} "
                f"(load {run['loadavg_before']} -> {run['loadavg_after']})",
                flush=True,
            )
            runs.append(run)
    alone = None if args.skip_fit_alone else in_child(_fit_hybrid_alone, seeds[0])
    latency = None if args.skip_latency else in_child(_latency, seeds[0])
    summary = summarise(runs)
    plot(summary, args.output_dir / PLOT)
    data = {
        "dataset": DATASET,
        "seeds": seeds,
        "protocols": protocols,
        "summary": summary,
        "bar": BAR,
        "reference": REFERENCE,
        "fit_alone": alone,
        "latency": latency,
        "plot": PLOT,
        "before": before_figures(args.before or default_before()),
        "wall_minutes": (time.perf_counter() - started) / 60.0,
        "runs": runs,
        "provenance": finished(record),
    }
    print(write_results(NAME, data, folder=args.output_dir))


if __name__ == "__main__":
    main()
