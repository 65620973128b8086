"""The sequential recommender (SASRec, full-softmax CE) on MovieLens 100K through the same
harness as the baselines: ``evaluate`` with the registry override, full ranking.

Every measurement runs in a fresh child process so its peak resident memory is its own.
Reported:

- leave-last-out: NDCG@10 and HR@10 (mean ± sd over 3 seeds; the seed moves the split's
  tie-breaking and the model's initialisation, dropout, batch order and monitor users),
  fit seconds (median) and peak RSS, with EASE in the same runs;
- ablations (loss, text fusion, ID dropout, tie shuffling, history length, early stopping)
  on both the validation and the test targets, seed 42;
- the cold-item protocol (sequential with and without ID dropout, popularity, random, EASE)
  and the temporal protocol (sequential, EASE, popularity), seed 42.

    .venv/bin/python benchmarks/sequential.py [--seeds 42 43 44] [--no-ablations]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
NAME = "sequential"
SEEDS = (42, 43, 44)
OTHER_SEED = 42
ABLATIONS: dict[str, dict[str, Any]] = {
    "default": {},
    "no text fusion": {"text_fusion": False},
    "no ID dropout": {"id_dropout": 0.0},
    "no tie shuffling": {"shuffle_ties": False},
    "loss sce (512 popularity-sampled negatives, log-Q)": {"loss": "sce"},
    "loss gbce (512 uniform negatives, gSASRec)": {"loss": "gbce"},
    "loss bce (1 negative, original SASRec)": {"loss": "bce"},
    "max_len 200": {"max_len": 200},
    "monitor every 2 epochs (stops earlier)": {"eval_every": 2},
    "fixed 40 epochs, no early stopping": {"max_epochs": 40, "patience": 0, "monitor_users": 0},
}
PROTOCOL_MODELS = {
    "cold-item": ["sequential", "sequential-no-id-dropout", "popular", "random", "ease"],
    "temporal": ["sequential", "ease", "popular"],
}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _registry() -> dict[str, Any]:
    from recmind.eval.reference import RandomRecommender
    from recmind.rec.ease import EASERecommender
    from recmind.rec.popular import PopularityRecommender
    from recmind.rec.sequential import SequentialRecommender

    class NoIdDropout(SequentialRecommender):
        @classmethod
        def search_space(cls) -> list[dict[str, Any]]:
            return [{"id_dropout": 0.0}]

    return {
        "sequential": SequentialRecommender,
        "sequential-no-id-dropout": NoIdDropout,
        "ease": EASERecommender,
        "popular": PopularityRecommender,
        "random": RandomRecommender,
    }


def child_evaluate(seed: int, models: list[str], protocol: str) -> dict[str, Any]:
    """``evaluate`` on ml-100k with the sequential model in the registry."""
    from recmind.data.datasets import load_dataset
    from recmind.eval import evaluate

    started = time.perf_counter()
    report = evaluate(
        load_dataset("movielens-100k"),
        models=models,
        protocol=protocol,
        seed=seed,
        registry=_registry(),
    )
    out = report.to_json_dict()
    out["split"] = report.split_info
    out["wall_seconds"] = time.perf_counter() - started
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def child_ablation(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """One fit on the validation holdout and one on the test holdout with ``params``."""
    from recmind.data.datasets import load_dataset
    from recmind.eval import metrics
    from recmind.eval.runner import item_space, split_bundle
    from recmind.eval.scoring import fit_and_rank
    from recmind.eval.specs import resolve_models
    from recmind.rec.interactions import ItemCatalog
    from recmind.rec.sequential import SequentialRecommender

    bundle = load_dataset("movielens-100k")
    items = item_space(bundle)
    catalog = ItemCatalog.from_frame(bundle.items, items)
    split = split_bundle(bundle, items, "loo", seed)
    spec = resolve_models(["sequential"], {"sequential": SequentialRecommender})[0]
    out: dict[str, Any] = {"params": params}
    for which, holdout in (("val", split.validation), ("test", split.test)):
        ranking = fit_and_rank(spec, params, holdout, catalog, k=10, seed=seed)
        scores = metrics.accuracy(ranking.recs, holdout.targets, [10])
        out[which] = {
            "ndcg@10": scores["ndcg@10"],
            "hr@10": scores["hr@10"],
            "fit_seconds": ranking.fit_seconds,
        }
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def in_child(task: dict[str, Any]) -> dict[str, Any]:
    """Run ``task`` in a fresh interpreter and return its JSON answer, with the load
    average before and after."""
    before = loadavg()
    done = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(task)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["loadavg_before"], result["loadavg_after"] = before, loadavg()
    return result


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def mean_sd(values: list[float]) -> dict[str, float]:
    return {
        "mean": statistics.mean(values),
        "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
        "min": min(values),
        "max": max(values),
    }


def run_seeds(seeds: list[int]) -> dict[str, Any]:
    runs = []
    for seed in seeds:
        task = {"kind": "evaluate", "seed": seed, "models": ["sequential", "ease"]}
        result = in_child({**task, "protocol": "loo"})
        runs.append(result)
        seq = result["models"]["sequential"]
        log(
            f"seed {seed}: sequential ndcg@10 {seq['ndcg@10']:.4f} hr@10 {seq['hr@10']:.4f} "
            f"fit {seq['fit_seconds']:.1f}s; ease {result['models']['ease']['ndcg@10']:.4f}; "
            f"load {result['loadavg_before'][0]:.1f}"
        )
    summary: dict[str, Any] = {}
    for label in ("sequential", "ease"):
        rows = [r["models"][label] for r in runs]
        summary[label] = {
            metric: mean_sd([r[metric] for r in rows])
            for metric in ("ndcg@10", "hr@10", "ndcg@20", "hr@20", "coverage@10")
        }
        summary[label]["fit_seconds_median"] = statistics.median(r["fit_seconds"] for r in rows)
        summary[label]["fit_seconds"] = [r["fit_seconds"] for r in rows]
    summary["peak_rss_mb_median"] = statistics.median(r["peak_rss_mb"] for r in runs)
    summary["wall_seconds_median"] = statistics.median(r["wall_seconds"] for r in runs)
    return {"seeds": seeds, "summary": summary, "runs": runs}


def run_ablations() -> dict[str, Any]:
    out = {}
    for label, params in ABLATIONS.items():
        result = in_child({"kind": "ablation", "seed": OTHER_SEED, "params": params})
        out[label] = result
        log(
            f"{label}: val {result['val']['ndcg@10']:.4f} test {result['test']['ndcg@10']:.4f} "
            f"fit {result['test']['fit_seconds']:.1f}s load {result['loadavg_before'][0]:.1f}"
        )
    return out


def run_protocols() -> dict[str, Any]:
    out = {}
    for protocol, models in PROTOCOL_MODELS.items():
        task = {"kind": "evaluate", "seed": OTHER_SEED, "models": models, "protocol": protocol}
        out[protocol] = in_child(task)
        log(
            f"{protocol}: "
            + ", ".join(
                f"{m} {r['hr@10']:.4f}/{r['ndcg@10']:.4f}"
                for m, r in out[protocol]["models"].items()
            )
        )
    return out


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _pm(stat: dict[str, float]) -> str:
    return f"{stat['mean']:.4f} ± {stat['sd']:.4f}"


def to_markdown(result: dict[str, Any]) -> str:
    summary = result["summary"]
    seeds = ", ".join(str(s) for s in result["seeds"])
    fits = ", ".join(f"{s:.0f}" for s in summary["sequential"]["fit_seconds"])
    lines = [
        "# Sequential recommender on MovieLens 100K (full ranking)",
        "",
        "## Leave-last-out",
        "",
        f"`evaluate(..., models=['sequential', 'ease'])`, seeds {seeds} (mean ± sd); each "
        f"seed in a fresh process; {result['machine']['cpus']} CPUs shared with other work "
        f"(load average {result['loadavg_start'][0]:.1f} at the start, "
        f"{result['loadavg_end'][0]:.1f} at the end).",
        "",
        "| model | NDCG@10 | HR@10 | NDCG@20 | HR@20 | coverage@10 | fit s (median) |",
        "|---|---|---|---|---|---|---|",
    ]
    for label in ("sequential", "ease"):
        s = summary[label]
        lines.append(
            f"| {label} | {_pm(s['ndcg@10'])} | {_pm(s['hr@10'])} | {_pm(s['ndcg@20'])} | "
            f"{_pm(s['hr@20'])} | {_pm(s['coverage@10'])} | {s['fit_seconds_median']:.1f} |"
        )
    lines += [
        "",
        f"Sequential fit seconds per seed: {fits} (one thread, text embeddings from the "
        f"on-disk cache). Peak resident memory of a whole evaluation process (median): "
        f"{summary['peak_rss_mb_median']:.0f} MB; wall per evaluation (median, data loading "
        f"and EASE included): {summary['wall_seconds_median']:.0f} s.",
    ]
    ablations = result.get("ablations")
    if ablations:
        lines += [
            "",
            f"## Ablations (leave-last-out, seed {OTHER_SEED}; one fit on the validation "
            "target, one on the test target; the defaults were chosen on validation)",
            "",
            "| variant | val NDCG@10 | val HR@10 | test NDCG@10 | test HR@10 | test fit s |",
            "|---|---|---|---|---|---|",
        ]
        for label, a in ablations.items():
            lines.append(
                f"| {label} | {a['val']['ndcg@10']:.4f} | {a['val']['hr@10']:.4f} | "
                f"{a['test']['ndcg@10']:.4f} | {a['test']['hr@10']:.4f} | "
                f"{a['test']['fit_seconds']:.1f} |"
            )
    for protocol, report in result.get("protocols", {}).items():
        split = report["split"]
        lines += [
            "",
            f"## {protocol} protocol (seed {OTHER_SEED}; {split['test users']} test users)",
            "",
            "| model | HR@10 | NDCG@10 | recall@10 | fit s |",
            "|---|---|---|---|---|",
        ]
        for label, r in report["models"].items():
            lines.append(
                f"| {label} | {r['hr@10']:.4f} | {r['ndcg@10']:.4f} | {r['recall@10']:.4f} | "
                f"{r['fit_seconds']:.1f} |"
            )
    lines += ["", f"Whole benchmark: {result['benchmark_seconds']:.0f} s."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--no-ablations", action="store_true")
    parser.add_argument("--no-protocols", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        task = json.loads(args.child)
        if task["kind"] == "evaluate":
            answer = child_evaluate(task["seed"], task["models"], task["protocol"])
        else:
            answer = child_ablation(task["params"], task["seed"])
        print(json.dumps(answer))
        return
    started = time.perf_counter()
    result: dict[str, Any] = {"loadavg_start": loadavg()}
    result.update(run_seeds(args.seeds))
    save(result, started)
    if not args.no_ablations:
        result["ablations"] = run_ablations()
        save(result, started)
    if not args.no_protocols:
        result["protocols"] = run_protocols()
        save(result, started)
    print(to_markdown(result))


def save(result: dict[str, Any], started: float) -> None:
    """Write what has been measured so far (each stage takes minutes)."""
    result["loadavg_end"] = loadavg()
    result["benchmark_seconds"] = time.perf_counter() - started
    result["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count()}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{NAME}.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / f"{NAME}.md").write_text(to_markdown(result))


if __name__ == "__main__":
    main()
