"""Benchmark: import a 1-million-event CSV (plus its catalogue) into a fresh SQLite store.

Generates a seeded, realistic event log (about 10k items with power-law popularity, 50k
users with skewed activity, six event types, ISO 8601 timestamps over a year, a few
duplicates and bad rows), then imports it with ``recmind.data.importer.import_files`` (the
code behind ``recmind import``) in a child process, three times, each into a new SQLite
file. Reports median seconds, events per second and the child's peak resident memory.

    .venv/bin/python benchmarks/import_events.py [--events 1000000] [--repeats 3]

Writes ``benchmarks/results/import_events.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from figures import write_results
from harness import finished, provenance

EVENT_TYPES = np.array(["view", "click", "add_to_cart", "purchase", "rating", "search"])
TYPE_SHARES = np.array([0.66, 0.15, 0.07, 0.04, 0.05, 0.03])
QUERIES = np.array(["red shirt", "running shoes", "gift for dad", "摇滚 唱片", "linen dress"])
START = pd.Timestamp("2025-01-01T00:00:00Z").timestamp()
YEAR = 365 * 24 * 3600.0


def generate(
    folder: Path, *, n_events: int, n_items: int, n_users: int, seed: int
) -> dict[str, Path]:
    """Write ``items.csv`` and ``events.csv`` into ``folder``; returns their paths."""
    rng = np.random.default_rng(seed)
    item_ids = np.array([f"sku-{n:06d}" for n in range(n_items)])
    prices = np.round(rng.lognormal(3.0, 0.8, n_items), 2)
    items = pd.DataFrame(
        {
            "item_id": item_ids,
            "title": [f"Product {n}" for n in range(n_items)],
            "category": rng.choice(["Tops", "Shoes", "Music", "Home", "Toys"], n_items),
            "price": prices,
            "stock": rng.integers(0, 500, n_items),
        }
    )
    popularity = 1.0 / np.arange(1, n_items + 1) ** 0.9
    item_pos = rng.choice(n_items, n_events, p=popularity / popularity.sum())
    activity = rng.lognormal(0.0, 1.2, n_users)
    user_pos = rng.choice(n_users, n_events, p=activity / activity.sum())
    kinds = rng.choice(EVENT_TYPES, n_events, p=TYPE_SHARES)
    seconds = np.sort(START + rng.random(n_events) * YEAR).round(3)
    value = np.full(n_events, np.nan)
    value[kinds == "purchase"] = prices[item_pos[kinds == "purchase"]]
    value[kinds == "rating"] = rng.integers(2, 11, int((kinds == "rating").sum())) / 2
    events = pd.DataFrame(
        {
            "user_id": np.char.add("user-", user_pos.astype(str)),
            "item_id": item_ids[item_pos],
            "event_type": kinds,
            "timestamp": pd.to_datetime(seconds, unit="s", utc=True).strftime(
                "%Y-%m-%dT%H:%M:%S.%fZ"
            ),
            "value": value,
            "query": np.where(kinds == "search", rng.choice(QUERIES, n_events), ""),
        }
    )
    events.loc[kinds == "search", "item_id"] = ""
    noise = rng.random(n_events)
    events.loc[noise < 0.001, "item_id"] = "sku-unknown"
    events.loc[(noise >= 0.001) & (noise < 0.0015), "timestamp"] = "not a time"
    duplicates = events.sample(frac=0.005, random_state=seed)
    events = pd.concat([events, duplicates]).sort_index(kind="stable").iloc[:n_events]
    paths = {"items": folder / "items.csv", "events": folder / "events.csv"}
    items.to_csv(paths["items"], index=False)
    events.to_csv(paths["events"], index=False)
    return paths


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(db: Path, items: Path, events: Path, quarantine: Path) -> None:
    """Import into a fresh store and print timings and peak memory as JSON."""
    from recmind.data.importer import import_files
    from recmind.data.store import Store

    started = time.perf_counter()
    store = Store.from_url(f"sqlite:///{db}")
    store.migrate()
    catalogue = import_files(store, items=items, quarantine_dir=quarantine)
    mid, cpu_mid = time.perf_counter(), _cpu_seconds()
    summary = import_files(store, events=events, quarantine_dir=quarantine)
    done, cpu_done = time.perf_counter(), _cpu_seconds()
    counts = store.counts()
    store.close()
    source = summary.sources[0]
    report = {
        "seconds_total": done - started,
        "seconds_events": done - mid,
        "cpu_seconds_events": cpu_done - cpu_mid,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "items_imported": catalogue.total_imported,
        "events_read": source.read,
        "events_imported": source.imported,
        "events_duplicates": source.duplicates,
        "events_quarantined": source.quarantined,
        "users_created": source.users_created,
        "stored": counts,
    }
    print(json.dumps(report))


def run_once(paths: dict[str, Path], work: Path, repeat: int) -> dict[str, object]:
    db = work / f"bench-{repeat}.db"
    command = [
        sys.executable,
        __file__,
        "--child",
        str(db),
        str(paths["items"]),
        str(paths["events"]),
        str(work / f"quarantine-{repeat}"),
    ]
    started = time.perf_counter()
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - started
    report: dict[str, object] = json.loads(output.strip().splitlines()[-1])
    report["seconds_process"] = wall
    report["children_max_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--child", nargs=4, metavar=("DB", "ITEMS", "EVENTS", "QUARANTINE"))
    args = parser.parse_args()
    if args.child:
        child(*(Path(p) for p in args.child))
        return
    record = provenance()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="recmind-bench-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        paths = generate(
            work, n_events=args.events, n_items=args.items, n_users=args.users, seed=args.seed
        )
        print(f"generated {args.events:,} events in {time.perf_counter() - started:.1f}s")
        runs = []
        for repeat in range(args.repeats):
            report = run_once(paths, work, repeat)
            report["events_per_second"] = args.events / float(report["seconds_events"])
            runs.append(report)
            print(
                f"run {repeat + 1}: {report['seconds_events']:.1f}s for events, "
                f"{report['events_per_second']:,.0f} events/s, peak {report['peak_rss_mb']:.0f} MB"
            )
    keys = (
        "seconds_events",
        "cpu_seconds_events",
        "seconds_total",
        "seconds_process",
        "events_per_second",
        "peak_rss_mb",
    )
    last = runs[-1]
    result: dict[str, object] = {
        "benchmark": "import_events",
        "events": args.events,
        "items": args.items,
        "users": args.users,
        "repeats": args.repeats,
        "seed": args.seed,
        "cpus": os.cpu_count(),
        "load_average_1min_before_after": [load_before, os.getloadavg()[0]],
        "platform": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "median": {k: statistics.median(float(r[k]) for r in runs) for k in keys},
        "max_peak_rss_mb": max(float(r["peak_rss_mb"]) for r in runs),
        "events_imported": last["events_imported"],
        "events_duplicates": last["events_duplicates"],
        "events_quarantined": last["events_quarantined"],
        "users_created": last["users_created"],
        "runs": runs,
        "provenance": finished(record),
    }
    print(write_results("import_events", result))


if __name__ == "__main__":
    main()
