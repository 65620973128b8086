"""Benchmark: the model a client is served, measured from outside over HTTP on the temporal
split, against the evaluation harness's tuned baselines on the same split.

1. The dataset's item events are cut at the 0.8 quantile of their times (what
   ``recmind.eval.splits.temporal_split`` does). The events before the cut and the whole
   catalogue are written as CSV files and imported into a fresh store under a temporary
   ``RECMIND_HOME`` with ``recmind import``; a read key is made with ``recmind keys create``.
2. Per seed: ``recmind train --model MODEL --seed SEED`` (a subprocess) publishes a model,
   ``recmind serve`` starts on a free loopback port, and once ``/readyz`` answers 200 every
   person with training history who touched an item after the cut that they had not touched
   before gets ``GET /v1/users/{id}/recommendations?k=10``. Those new items are the targets
   (the harness's own temporal test set); NDCG@10 and recall@10 come from
   ``recmind.eval.metrics``.
3. Per seed, the baselines: ``evaluate(bundle, models=["ease", "popular"],
   protocol="temporal", seed=SEED)`` on the whole dataset (tuned on the validation cut).

    .venv/bin/python benchmarks/served_temporal.py [--dataset ml-100k] [--seeds 42 43 44]
        [--quick] [--model hybrid] [--output benchmarks/results]

Writes ``served_temporal.json`` and ``.md`` in ``--output`` (default
``benchmarks/results``): one entry per dataset (a run replaces its dataset's entry and
keeps the others), with per-seed figures, mean ± sd, ratios, wins, users evaluated,
import/train seconds and the load average at the start and end.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import numpy as np
import pandas as pd

from figures import RESULTS, write_results
from harness import finished, provenance, recmind_env

NAME = "served_temporal"
K = 10
QUANTILE = 0.8
METRICS = ("ndcg@10", "recall@10", "hr@10")
BASELINES = ("ease", "popular")
RECMIND = Path(sys.executable).with_name("recmind")
READY_TIMEOUT_S = 1800.0
TRAIN_TIMEOUT_S = 7200.0


def recmind_command() -> list[str]:
    """The ``recmind`` console script next to this Python, or the same entry point run by
    this Python where the script is not installed."""
    if RECMIND.exists():
        return [str(RECMIND)]
    return [sys.executable, "-c", "from recmind.cli.entry import run; run()"]


def environment(home: Path, secret: str) -> dict[str, str]:
    """This process's environment without any RECMIND_ setting, plus the benchmark's home
    and secret (the store is SQLite under the home)."""
    return recmind_env(home, secret, OMP_NUM_THREADS="1", COLUMNS="200")


def run_cli(args: Sequence[str], env: dict[str, str], timeout: float) -> tuple[str, float]:
    """Run ``recmind ARGS``; its stdout and wall seconds (RuntimeError when it fails)."""
    started = time.perf_counter()
    done = subprocess.run(
        [*recmind_command(), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(
            f"recmind {' '.join(args)} failed ({done.returncode}):\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done.stdout, seconds


# -- the split ---------------------------------------------------------------------------


def time_cut(bundle: Any) -> float:
    """The test cut of the temporal protocol: the quantile of the item events' times."""
    from recmind.eval.runner import item_events

    times = item_events(bundle)["timestamp"].to_numpy(dtype=np.float64)
    return float(np.quantile(times, QUANTILE))


def import_before_cut(bundle: Any, cut: float, folder: Path, env: dict[str, str]) -> dict[str, Any]:
    """Write the catalogue and the events before ``cut`` as CSV files and ``recmind
    import`` them into the store of ``env``'s home; what was written, stored and how long
    the import took."""
    from recmind.config import Settings
    from recmind.data.store import Store

    items = bundle.items.copy()
    if "attributes" in items:
        items["attributes"] = [
            json.dumps(a, default=str) if isinstance(a, dict) and a else None
            for a in items["attributes"]
        ]
    items = items.dropna(axis=1, how="all")
    times = bundle.events["timestamp"].to_numpy(dtype=np.float64)
    events = bundle.events.loc[times < cut].dropna(axis=1, how="all")
    items_path, events_path = folder / "items.csv", folder / "events.csv"
    items.to_csv(items_path, index=False)
    events.to_csv(events_path, index=False)
    output, seconds = run_cli(
        ["import", "--items", str(items_path), "--events", str(events_path)], env, 3600.0
    )
    settings = Settings(home=Path(env["RECMIND_HOME"]), db_url=None)
    with Store.from_settings(settings) as store:
        counts = store.counts()
    return {
        "seconds": seconds,
        "items_written": len(items),
        "events_written": len(events),
        "items_stored": counts["items"],
        "events_stored": counts["events"],
        "output_tail": output[-1500:],
    }


# -- serving -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    """``recmind serve`` on a free loopback port; returns once ``/readyz`` answers 200
    (the process, its URL and the seconds it took)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with open(log, "ab") as sink:
        process = subprocess.Popen(
            [*recmind_command(), "serve", "--port", str(port), "--log-level", "warning"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + READY_TIMEOUT_S
    with httpx.Client(timeout=5.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"recmind serve exited ({process.returncode}):\n{_tail(log)}")
            try:
                if client.get(f"{url}/readyz").status_code == 200:
                    return process, url, time.perf_counter() - started
            except httpx.TransportError:
                pass
            time.sleep(0.25)
    stop_server(process)
    raise RuntimeError(f"recmind serve was not ready after {READY_TIMEOUT_S:.0f} s:\n{_tail(log)}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop the server this benchmark started (SIGTERM, then SIGKILL after 30 s)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


def served_lists(url: str, key: str, users: Sequence[str]) -> dict[str, Any]:
    """Every person's top ``K`` over HTTP (429 is retried after its Retry-After)."""
    lists: list[list[str]] = []
    failed = not_personalized = retries = 0
    versions: set[str] = set()
    started = time.perf_counter()
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60.0) as client:
        for user in users:
            path = f"/v1/users/{quote(str(user), safe='')}/recommendations"
            for _ in range(20):
                response = client.get(path, params={"k": K})
                if response.status_code != 429:
                    break
                retries += 1
                time.sleep(float(response.headers.get("Retry-After", "1")))
            if response.status_code != 200:
                failed += 1
                lists.append([])
                continue
            body = response.json()
            versions.add(f"{body['model']} {body['version']}")
            not_personalized += not body["personalized"]
            lists.append([str(item["item_id"]) for item in body["items"]])
    return {
        "lists": lists,
        "failed": failed,
        "not_personalized": not_personalized,
        "retries_429": retries,
        "versions": sorted(versions),
        "query_seconds": time.perf_counter() - started,
    }


# -- one seed ------------------------------------------------------------------------------


def scores(lists: Sequence[Sequence[str]], item_ids: np.ndarray, targets: Any) -> dict[str, float]:
    """NDCG@10, recall@10 and HR@10 of lists of item ids against the holdout's targets
    (rows aligned); an id outside the harness's item space is never a hit."""
    from recmind.eval import metrics

    index = pd.Index(item_ids)
    recs = np.full((len(lists), K), -1, dtype=np.int64)
    for row, ids in enumerate(lists):
        found = index.get_indexer(list(ids)[:K])
        recs[row, : len(found)] = found
    result = metrics.accuracy(recs, targets, [K])
    return {name: float(result[name]) for name in METRICS}


def one_seed(
    seed: int, model: str, bundle: Any, home: Path, *, env: dict[str, str], key: str
) -> dict[str, Any]:
    """Train and serve ``model`` with ``seed``, score its lists over HTTP; the harness's
    tuned baselines on the same split."""
    from recmind.eval.runner import evaluate, item_space, split_bundle

    load_before = os.getloadavg()
    output, train_seconds = run_cli(
        ["train", "--model", model, "--seed", str(seed)], env, TRAIN_TIMEOUT_S
    )
    published = [line for line in output.splitlines() if line.startswith("Published")]
    print(f"  seed {seed}: trained in {train_seconds:.0f} s: {published}", flush=True)
    items = item_space(bundle)
    test = split_bundle(bundle, items, "temporal", seed).test
    users = [str(u) for u in test.train.user_ids[test.users]]
    process, url, ready_seconds = start_server(env, home / f"serve-{seed}.log")
    try:
        served = served_lists(url, key, users)
    finally:
        stop_server(process)
    served_scores = scores(served.pop("lists"), items, test.targets)
    print(
        f"  seed {seed}: served ndcg@10 {served_scores['ndcg@10']:.4f} over {len(users)} "
        f"people ({served['failed']} failed)",
        flush=True,
    )
    report = evaluate(bundle, models=list(BASELINES), protocol="temporal", ks=(K,), seed=seed)
    baselines: dict[str, dict[str, Any]] = {
        row.label: {
            **{name: float(row.metrics[name]) for name in METRICS},
            "best_params": row.best_params,
            "val_ndcg@10": row.val_ndcg,
            "fit_seconds": row.fit_seconds,
        }
        for row in report.rows
    }
    ease, popular = baselines["ease"]["ndcg@10"], baselines["popular"]["ndcg@10"]
    print(f"  seed {seed}: harness ease {ease:.4f}, popular {popular:.4f}", flush=True)
    return {
        "seed": seed,
        "served": {
            **served_scores,
            "users": len(users),
            "requests": len(users),
            **served,
            "train_seconds": train_seconds,
            "ready_seconds": ready_seconds,
            "published": published,
        },
        **baselines,
        "harness_test_users": int(test.n_users),
        "loadavg_before": list(load_before),
        "loadavg_after": list(os.getloadavg()),
    }


def summary(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Mean ± sd per model and metric over seeds, ratios of the served mean to the
    baselines' and the served model's wins per seed."""
    out: dict[str, Any] = {}
    for who in ("served", *BASELINES):
        out[who] = {}
        for name in METRICS:
            values = [float(run[who][name]) for run in runs]
            sd = statistics.stdev(values) if len(values) > 1 else 0.0
            out[who][name] = {"mean": statistics.fmean(values), "sd": sd, "values": values}
    served = out["served"]["ndcg@10"]["mean"]
    for who in BASELINES:
        base = out[who]["ndcg@10"]["mean"]
        out[f"ratio_{who}"] = served / base if base > 0 else None
        out[f"wins_{who}"] = sum(run["served"]["ndcg@10"] > run[who]["ndcg@10"] for run in runs)
    out["seeds"] = len(runs)
    return out


def run_dataset(dataset: str, seeds: Sequence[int], model: str) -> dict[str, Any]:
    """Every seed of one dataset, in one fresh home (imported once)."""
    from recmind.data.datasets import load_dataset, resolve_name

    record = provenance()
    name = resolve_name(dataset)
    bundle = load_dataset(name)
    cut = time_cut(bundle)
    with tempfile.TemporaryDirectory(prefix="recmind-served-temporal-") as folder:
        home = Path(folder) / "home"
        env = environment(home, secrets.token_hex(32))
        imported = import_before_cut(bundle, cut, Path(folder), env)
        print(
            f"{name}: cut {pd.Timestamp(cut, unit='s', tz='UTC')}; imported "
            f"{imported['events_stored']:,} of {imported['events_written']:,} events in "
            f"{imported['seconds']:.1f} s",
            flush=True,
        )
        output, _ = run_cli(["keys", "create", "--scope", "read", "--name", NAME], env, 120.0)
        key = [line.strip() for line in output.splitlines() if line.strip()][-1]
        runs = [one_seed(seed, model, bundle, home, env=env, key=key) for seed in seeds]
    return {
        "dataset": name,
        "model": model,
        "k": K,
        "seeds": list(seeds),
        "split": {
            "quantile": QUANTILE,
            "cut": cut,
            "cut_utc": pd.Timestamp(cut, unit="s", tz="UTC").strftime("%Y-%m-%d %H:%M:%S"),
            "events": len(bundle.events),
            "items": len(bundle.items),
        },
        "import": imported,
        "per_seed": runs,
        "summary": summary(runs),
        "recmind_command": recmind_command()[0],
        "provenance": finished(record),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="movielens-100k", help="a bundled dataset")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 43, 44])
    parser.add_argument("--quick", action="store_true", help="the first seed only")
    parser.add_argument(
        "--model", default=None, help="passed to `recmind train --model` (default: its default)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="folder of the results files")
    args = parser.parse_args(argv)
    seeds = args.seeds[:1] if args.quick else args.seeds
    model = args.model
    if model is None:  # what `recmind train` chooses where no RECMIND_ setting is made
        from recmind.config import Settings

        model = str(Settings.model_fields["default_model"].default)
    entry = run_dataset(args.dataset, seeds, model)
    path = args.output / f"{NAME}.json"
    data: dict[str, Any] = json.loads(path.read_text()) if path.is_file() else {}
    datasets = dict(data.get("datasets", {}))
    datasets[entry["dataset"]] = entry
    data = {"datasets": datasets, "provenance": entry["provenance"]}
    print(write_results(NAME, data, folder=args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
