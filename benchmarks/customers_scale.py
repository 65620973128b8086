"""Benchmark: customer features (and predictions) for 100,000 customers and 10,000,000 events,
then segment counts over them, on SQLite and on PostgreSQL.

The shop comes from ``scale_shop.py`` (seeded; power-law activity, popularity skew,
categories, prices, time zones, a year of events; views >> carts >> purchases) and is written
once into a fresh SQLite file and a scratch PostgreSQL database on 127.0.0.1:5432 (created
and dropped here). Each phase runs in its own child process, so its peak resident memory is
its own:

1. load: generate and bulk-write the shop (generation and each store's writes timed apart),
   then create the two event indexes the segment counts propose for migration 0005;
2. build: what ``recmind customers build --full`` does (features, then lifetime-value
   predictions, ``recmind.customers.predictions``), as of the end of the year;
3. refresh: 1,000 new events for 500 customers through the real import, then what
   ``recmind customers build --incremental`` does an hour later;
4. segments: a few segment counts (``recmind.marketing.segments``), each the median of
   three runs.

    .venv/bin/python benchmarks/customers_scale.py [--customers 100000] [--events 10000000]
        [--backends sqlite,postgresql] [--workers 2] [--results DIR]

Writes ``benchmarks/results/customers_scale.json``, ``.md`` and ``.png`` (a quick run at
other sizes should pass ``--results`` elsewhere).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from figures import RESULTS, write_results
from harness import finished, provenance

NAME = "customers_scale"
PG = {"host": "127.0.0.1", "port": 5432}
PG_LOGINS = (("postgres", "test"), ("postgres", "postgres"), ("root", "test"), ("root", "postgres"))
HOUR = 3600.0
SEGMENT_RULES: dict[str, Any] = {
    "lapsed repeat buyers, consent (features)": {
        "all": [
            {"field": "recency_days", "op": ">", "value": 90},
            {"field": "order_count", "op": ">=", "value": 2},
            {"consent": "email"},
        ]
    },
    "champions (built-in, RFM)": {"segment": "champions"},
    "3+ Books views in 30 d (events)": {
        "event": {"type": "view", "category": "Books", "within_days": 30},
        "measure": "count",
        "op": ">=",
        "value": 3,
    },
    "window shoppers (built-in, events)": {"segment": "window-shoppers"},
    "cart, no purchase in 2 h (funnel)": {
        "funnel": {
            "did": {"type": "add_to_cart"},
            "then_not": {"type": "purchase"},
            "within_hours": 2,
            "within_days": 7,
        }
    },
}


PROPOSED_INDEXES = {
    "ix_events_event_type_timestamp_user_id": "events (event_type, timestamp, user_id)",
    "ix_events_user_id_event_type_timestamp": "events (user_id, event_type, timestamp)",
}
"""The segment counts' proposal for migration 0005 (``benchmarks/segments_count.py``); the
feature refresh's time ranges use the first. Created after the load unless
``--no-proposed-indexes`` (a no-op once a migration has them)."""


def add_indexes(store: Any) -> float:
    began = time.perf_counter()
    with store.engine.begin() as connection:
        for name, target in PROPOSED_INDEXES.items():
            connection.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
    return time.perf_counter() - began


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_load(urls: list[str], shop: dict[str, int], indexes: bool) -> dict[str, Any]:
    from recmind.data.store import Store
    from scale_shop import write_shop

    stores = [Store.from_url(url) for url in urls]
    for store in stores:
        store.migrate()
    report = write_shop(
        stores,
        n_customers=shop["customers"],
        n_events=shop["events"],
        n_items=shop["items"],
        seed=shop["seed"],
    )
    for store in stores:
        if indexes:
            report["stores"][store.dialect]["index_seconds"] = add_indexes(store)
        if store.dialect == "postgresql":  # fresh statistics, as autovacuum would make them
            began = time.perf_counter()
            with store.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
            report["stores"]["postgresql"]["analyze_seconds"] = time.perf_counter() - began
        report["stores"][store.dialect]["counts"] = store.counts()
        store.close()
    report["peak_rss_mb"] = _peak_mb()
    return report


def child_build(url: str, as_of: float, workers: int | None) -> dict[str, Any]:
    from recmind.cli.customers_cmd import run_build
    from recmind.customers.build import default_workers
    from recmind.customers.predictions import build_predictions
    from recmind.data.store import Store

    store = Store.from_url(url)
    store.migrate()
    began, cpu = time.perf_counter(), _cpu()
    report = run_build(store, as_of, True, lambda *_: None, workers=workers)
    threads = default_workers(store) if workers is None else workers
    features_seconds = time.perf_counter() - began
    began = time.perf_counter()
    outcome = build_predictions(store, as_of, 90.0, progress=lambda *_: None)
    predictions = {
        "seconds": time.perf_counter() - began,
        "outcome": str(outcome),
        "model": outcome.model,
        "customers": outcome.customers,
    }
    store.close()
    return {
        "features_seconds": features_seconds,
        "workers": threads,
        "customers": report.customers,
        "predictions": predictions,
        "total_seconds": features_seconds + float(predictions.get("seconds", 0.0)),
        "cpu_seconds": _cpu() - cpu,
        "peak_rss_mb": _peak_mb(),
    }


def child_refresh(url: str, as_of: float, workers: int | None) -> dict[str, Any]:
    import numpy as np
    import pandas as pd

    from recmind.cli.customers_cmd import run_build
    from recmind.data.bundle import DataBundle
    from recmind.data.importer import import_bundle
    from recmind.data.store import Store

    store = Store.from_url(url)
    rng = np.random.default_rng(7)
    with store.engine.connect() as connection:
        people = [r[0] for r in connection.exec_driver_sql("SELECT user_id FROM users LIMIT 5000")]
        goods = [r[0] for r in connection.exec_driver_sql("SELECT item_id FROM items LIMIT 2000")]
    chosen = rng.choice(people, 500, replace=False)
    new = pd.DataFrame(
        {
            "user_id": np.repeat(chosen, 2),
            "item_id": rng.choice(goods, 1000),
            "event_type": rng.choice(
                ["view", "add_to_cart", "purchase"], 1000, p=[0.8, 0.15, 0.05]
            ),
            "timestamp": as_of + rng.uniform(0, HOUR / 2, 1000),
        }
    )
    with tempfile.TemporaryDirectory() as quarantine:
        bundle = DataBundle(name="new", items=pd.DataFrame(), users=pd.DataFrame(), events=new)
        import_bundle(store, bundle, quarantine_dir=Path(quarantine))
    began = time.perf_counter()
    report = run_build(store, as_of + HOUR, None, lambda *_: None, workers=workers)
    seconds = time.perf_counter() - began
    store.close()
    return {
        "new_events": len(new),
        "mode": report.mode,
        "seconds": seconds,
        "computed": report.computed,
        "shifted": report.shifted,
        "peak_rss_mb": _peak_mb(),
    }


def child_segments(url: str, as_of: float) -> dict[str, Any]:
    try:
        from recmind.marketing.segments import parse_rule
        from recmind.marketing.segments.builtins import install_builtins
        from recmind.marketing.segments.preview import count_members
        from recmind.marketing.segments.repository import rules_lookup
    except ModuleNotFoundError:
        return {"status": "TODO: recmind.marketing.segments is not on main yet"}
    from recmind.data.store import Store

    store = Store.from_url(url)
    install_builtins(store)
    lookup = rules_lookup(store)
    counts = {}
    for label, rule in SEGMENT_RULES.items():
        parsed = parse_rule(rule)
        runs = []
        for _ in range(3):
            began = time.perf_counter()
            members = count_members(store, parsed, as_of=as_of, rules_of=lookup)
            runs.append(time.perf_counter() - began)
        counts[label] = {
            "members": members,
            "seconds_median": statistics.median(runs),
            "runs": runs,
        }
    store.close()
    return {"counts": counts, "peak_rss_mb": _peak_mb()}


def in_child(*args: object) -> dict[str, Any]:
    """Run ``--child ARGS`` in a fresh interpreter; its last stdout line is its JSON."""
    command = [sys.executable, __file__, "--child", json.dumps(list(args))]
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _admin() -> Any:
    import psycopg

    for user, dbname in PG_LOGINS:
        try:
            return psycopg.connect(**PG, user=user, dbname=dbname, autocommit=True), user
        except psycopg.OperationalError:
            continue
    raise RuntimeError("PostgreSQL is not reachable on 127.0.0.1:5432")


@contextmanager
def scratch_postgres() -> Iterator[str]:
    """A new PostgreSQL database's URL, dropped afterwards."""
    name = f"recmind_bench_{uuid.uuid4().hex[:12]}"
    admin, user = _admin()
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{user}@{PG['host']}:{PG['port']}/{name}"
    finally:
        admin, _ = _admin()
        with admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    backends = list(result["backends"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
    phases = ("features", "predictions", "refresh")
    for k, phase in enumerate(phases):
        values = []
        for backend in backends:
            data = result["backends"][backend]
            values.append(
                {
                    "features": data["build"]["features_seconds"],
                    "predictions": data["build"]["predictions"].get("seconds", 0.0),
                    "refresh": data["refresh"]["seconds"],
                }[phase]
            )
        left.bar([x + k * 0.25 for x in range(len(backends))], values, 0.25, label=phase)
    left.axhline(300, color="red", linestyle="--", label="bar: 300 s (features + predictions)")
    left.set_xticks([x + 0.25 for x in range(len(backends))], backends)
    left.set_ylabel("seconds")
    left.set_title(f"{result['customers']:,} customers, {result['events']:,} events")
    left.legend(fontsize=8)
    labels = list(
        dict.fromkeys(
            label
            for backend in backends
            for label in result["backends"][backend]["segments"].get("counts", {})
        )
    )
    for k, backend in enumerate(backends):
        counts = result["backends"][backend]["segments"].get("counts", {})
        seconds = [counts.get(label, {}).get("seconds_median", 0.0) for label in labels]
        right.barh([y + k * 0.4 for y in range(len(labels))], seconds, 0.4, label=backend)
    right.axvline(1.0, color="red", linestyle="--", label="bar: 1 s")
    right.set_yticks([y + 0.2 for y in range(len(labels))], labels)
    right.set_xlabel("seconds per segment count (median of 3)")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--workers", type=int, default=None, help="threads (default: 1 on SQLite, 2 on PostgreSQL)"
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument(
        "--no-proposed-indexes",
        dest="indexes",
        action="store_false",
        help="do not create the indexes proposed for migration 0005",
    )
    parser.add_argument("--replot", type=Path, help="only redraw the PNG of a results JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replot:
        plot(json.loads(args.replot.read_text()), args.replot.with_suffix(".png"))
        return
    if args.child:
        name, *rest = json.loads(args.child)
        handler = {
            "load": child_load,
            "build": child_build,
            "refresh": child_refresh,
            "segments": child_segments,
        }[name]
        print(json.dumps(handler(*rest)))
        return
    from scale_shop import END

    record = provenance()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    result: dict[str, Any] = {
        "benchmark": NAME,
        "customers": args.customers,
        "events": args.events,
        "items": args.items,
        "seed": args.seed,
        "workers": args.workers,
        "proposed_indexes": list(PROPOSED_INDEXES.values()) if args.indexes else [],
        "as_of_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime(END)),
        "bars": {"build_seconds": 300.0, "peak_rss_mb": 4096.0, "segment_count_seconds": 1.0},
        "backends": {},
    }
    with tempfile.TemporaryDirectory(prefix="recmind-scale-") as tmp, scratch_postgres() as pg:
        urls = {"sqlite": f"sqlite:///{Path(tmp) / 'shop.db'}", "postgresql": pg}
        chosen = [urls[b] for b in backends]
        shop = {"customers": args.customers, "events": args.events, "items": args.items}
        load = in_child("load", chosen, {**shop, "seed": args.seed}, args.indexes)
        print(f"loaded: {json.dumps(load)}", flush=True)
        result["generate_seconds"] = load["generate_seconds"]
        result["load_peak_rss_mb"] = load["peak_rss_mb"]
        for backend in backends:
            url = urls[backend]
            entry: dict[str, Any] = {"load": load["stores"][backend]}
            entry["load"]["loadavg_before_build"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
            entry["build"] = in_child("build", url, END, args.workers)
            print(f"{backend} build: {json.dumps(entry['build'])}", flush=True)
            entry["segments"] = in_child("segments", url, END)
            print(f"{backend} segments: {json.dumps(entry['segments'])}", flush=True)
            entry["refresh"] = in_child("refresh", url, END, args.workers)
            print(f"{backend} refresh: {json.dumps(entry['refresh'])}", flush=True)
            entry["loadavg_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
            result["backends"][backend] = entry
    result["provenance"] = finished(record)
    args.results.mkdir(parents=True, exist_ok=True)
    plot(result, args.results / f"{NAME}.png")
    print(write_results(NAME, result, folder=args.results))


if __name__ == "__main__":
    main()
