"""Benchmark: POST /v1/events in batches of 100 over loopback, sustained.

The server (``recmind serve``, a real subprocess) is pinned to CPU 0 and the load generator
(this process: several client threads) to CPU 1 with ``os.sched_setaffinity``, so the two
share the machine's two cores as in production on a small box. Every batch holds 100 new
events (random ``event_id``) of 5,000 users on a 1,000-item catalogue; a batch counts as
acknowledged when the server answered 200 with all 100 accepted. Afterwards the store is
opened afresh and counted: it must hold exactly the acknowledged events.

    .venv/bin/python benchmarks/api_ingest.py [--seconds 60] [--clients 4] [--db-url URL]

Writes ``benchmarks/results/api_ingest.json`` and ``.md`` (with ``--db-url``:
``api_ingest_<backend>.*``).
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import orjson
from sqlalchemy import text

from figures import render, write_results
from harness import finished, provenance, recmind_env
from recmind.config import Settings
from recmind.data.api_keys import create_key
from recmind.data.store import Store

SECRET = "benchmark-secret-not-the-default"
BATCH = 100
N_ITEMS = 1000
N_USERS = 5000
TYPES = ("view", "view", "view", "click", "add_to_cart", "purchase")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _prepare(settings: Settings) -> str:
    with Store.from_settings(settings) as store:
        store.migrate()
        with store.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO items (item_id, title, category) VALUES (:i, :t, :c)"),
                [
                    {"i": f"sku-{n:05d}", "t": f"Product {n}", "c": ("Tops", "Shoes")[n % 2]}
                    for n in range(N_ITEMS)
                ],
            )
        return create_key(store, SECRET, ["ingest"]).key


def _start_server(home: Path, db_url: str | None, port: int) -> subprocess.Popen[bytes]:
    env = recmind_env(
        home,
        SECRET,
        RECMIND_API__LOG_REQUESTS="false",
        RECMIND_API__RATE_LIMIT_PER_SECOND="100000",
    )
    if db_url:
        env["RECMIND_DB_URL"] = db_url
    recmind = str(Path(sys.executable).parent / "recmind")
    process = subprocess.Popen(
        [recmind, "serve", "--port", str(port), "--log-level", "warning"], env=env
    )
    # Set before the interpreter has started any thread: every thread it starts inherits it.
    os.sched_setaffinity(process.pid, {0})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


class Load:
    """Client threads posting batches until told to stop; what was acknowledged, when."""

    def __init__(self, url: str, key: str, clients: int, seed: int) -> None:
        self.url = url
        self.key = key
        self.clients = clients
        self.seed = seed
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acked: list[str] = []
        self.done: list[tuple[float, float]] = []
        """(time the answer came, latency in s) of every acknowledged batch."""
        self.errors: list[str] = []

    def _client(self, n: int) -> None:
        rng = np.random.default_rng(self.seed + n)
        base = time.time() - 7 * 24 * 3600
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=60) as client:
            while not self.stop.is_set():
                users = rng.integers(0, N_USERS, BATCH)
                items = rng.integers(0, N_ITEMS, BATCH)
                kinds = rng.integers(0, len(TYPES), BATCH)
                ids = [uuid.uuid4().hex for _ in range(BATCH)]
                events = [
                    {
                        "event_id": ids[i],
                        "user_id": f"user-{users[i]}",
                        "item_id": f"sku-{items[i]:05d}",
                        "event_type": TYPES[kinds[i]],
                        "timestamp": base + float(rng.random()) * 6 * 24 * 3600,
                    }
                    for i in range(BATCH)
                ]
                body = orjson.dumps({"events": events})
                start = time.perf_counter()
                try:
                    response = client.post("/v1/events", content=body)
                except httpx.HTTPError as exc:
                    self.errors.append(repr(exc))
                    continue
                latency = time.perf_counter() - start
                if response.status_code != 200 or response.json()["accepted"] != BATCH:
                    self.errors.append(f"{response.status_code}: {response.text[:200]}")
                    continue
                with self.lock:
                    self.acked.extend(ids)
                    self.done.append((time.monotonic(), latency))

    def run(self, seconds: float) -> float:
        threads = [threading.Thread(target=self._client, args=(n,)) for n in range(self.clients)]
        start = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        self.stop.set()
        for thread in threads:
            thread.join()
        return start


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stored(settings: Settings) -> tuple[int, int]:
    with Store.from_settings(settings) as store, store.engine.connect() as connection:
        total = connection.execute(text("SELECT COUNT(*) FROM events")).scalar_one()
        distinct = connection.execute(
            text("SELECT COUNT(DISTINCT event_id) FROM events")
        ).scalar_one()
    return int(total), int(distinct)


def measure(seconds: float, clients: int, db_url: str | None, seed: int) -> dict[str, Any]:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="recmind-ingest-bench-") as folder:
        home = Path(folder) / "home"
        settings = Settings(home=home, db_url=db_url)
        key = _prepare(settings)
        port = _free_port()
        server = _start_server(home, db_url, port)
        os.sched_setaffinity(0, {1})
        try:
            load = Load(f"http://127.0.0.1:{port}", key, clients, seed)
            cpu_before = time.process_time()
            server_before = _cpu_seconds(server.pid)
            start = load.run(seconds)
            client_cpu = time.process_time() - cpu_before
            server_cpu = _cpu_seconds(server.pid) - server_before
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        load_after = os.getloadavg()
        stored, distinct = _stored(settings)
    per_second = np.zeros(int(seconds) + 1)
    for when, _ in load.done:
        slot = int(when - start)
        if slot < len(per_second):
            per_second[slot] += BATCH
    steady = per_second[2 : int(seconds)]  # skip the first two seconds (warm-up)
    latencies = np.array([latency for _, latency in load.done]) * 1000.0
    return {
        "seconds": seconds,
        "clients": clients,
        "batch": BATCH,
        "backend": "postgresql" if db_url else "sqlite",
        "acknowledged_events": len(load.acked),
        "stored_events": stored,
        "stored_distinct_event_ids": distinct,
        "lost": len(set(load.acked)) - min(distinct, len(set(load.acked))),
        "events_per_second_median": float(np.median(steady)),
        "events_per_second_min": float(steady.min()),
        "events_per_second_overall": len(load.acked) / seconds,
        "batch_latency_ms_p50": float(np.percentile(latencies, 50)),
        "batch_latency_ms_p99": float(np.percentile(latencies, 99)),
        "server_cpu_share": server_cpu / seconds,
        "load_generator_cpu_share": client_cpu / seconds,
        "errors": len(load.errors),
        "first_errors": load.errors[:5],
        "load_average_before": list(load_before),
        "load_average_after": list(load_after),
        "cpus": os.cpu_count(),
        "split": "server pinned to CPU 0, load generator to CPU 1 (os.sched_setaffinity)",
        "platform": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "per_second": per_second.tolist(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--db-url", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-write", action="store_true", help="print, do not write results")
    args = parser.parse_args()
    record = provenance()
    result = measure(args.seconds, args.clients, args.db_url, args.seed)
    result["provenance"] = finished(record)
    stem = "api_ingest" if args.db_url is None else "api_ingest_postgresql"
    if args.no_write:
        print(render(stem, result))
        return
    print(write_results(stem, result))


if __name__ == "__main__":
    main()
