"""Benchmark: GET /v1/users/{id}/recommendations for the MovieLens 100K model, open loop.

1. A fresh home: MovieLens 100K imported into SQLite, the default model (``hybrid``)
   trained and published (v1), and a second version of it trained and kept aside.
2. The served model's own per-person scoring cost is measured first, in a child process
   pinned to CPU 0: ``score_histories`` for one person at a time (what a cache miss costs).
3. ``recmind serve`` (a real subprocess) is pinned to CPU 0 and this load generator to
   CPU 1 with ``os.sched_setaffinity``. Requests for random people (seeded) are sent at a
   fixed rate (default 200/s) for 60 s, open loop: request i is due at ``t0 + i / rate``
   whatever happened before, and its latency is measured from that due time (so queueing
   behind a slow request counts: no coordinated omission).
4. The same again while another process publishes the second version (``ModelStore.save``,
   the step that ends ``recmind train``) 15 s in: every failed request is counted, and the
   version in each answer shows when the server swapped.

    .venv/bin/python benchmarks/api_serving.py [--seconds 60] [--rate 200] [--model hybrid]

Writes ``benchmarks/results/api_serving.json`` and ``.md``. Load averages are recorded
before and after each phase (the machine is shared).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import asyncio
import json
import platform
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import orjson

from figures import write_results
from harness import finished, provenance, recmind_env

NAME = "api_serving"
SECRET = "benchmark-secret-not-the-default"
SERVER_CPU = 0
LOAD_CPU = 1
WARMUP_SECONDS = 3.0
PUBLISH_AT = 15.0
AFTER_SWAP = 5.0
"""Seconds after the first answer from the new version still counted as "around the swap"."""
CONNECTIONS = 32
BAR = {"p50_ms": 5.0, "p99_ms": 25.0}


def _loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _env(home: Path) -> dict[str, str]:
    return recmind_env(home, SECRET, OMP_NUM_THREADS="1")


# -- step 1: data and models ---------------------------------------------------------------


def prepare(home: Path, model: str) -> dict[str, Any]:
    """Import ml-100k, publish v1 of ``model``, keep a second fitted version aside."""
    os.environ["RECMIND_HOME"] = str(home)
    from recmind.config import get_settings
    from recmind.data.api_keys import create_key
    from recmind.data.datasets import load_dataset
    from recmind.data.importer import import_bundle
    from recmind.data.store import Store
    from recmind.rec.artifacts import ModelStore
    from recmind.training import train_model

    get_settings.cache_clear()
    settings = get_settings()
    out: dict[str, Any] = {}
    with Store.from_settings(settings) as store:
        store.migrate()
        started = time.perf_counter()
        import_bundle(
            store,
            load_dataset("movielens-100k"),
            quarantine_dir=settings.quarantine_dir,
            settings=settings,
        )
        out["import_s"] = time.perf_counter() - started
        bundle = store.load_bundle()
        out["key"] = create_key(store, SECRET, ["read"], name="benchmark").key
        out["users"] = sorted({str(u) for u in bundle.events["user_id"]})
    models = ModelStore(settings.models_dir)
    started = time.perf_counter()
    first = train_model(bundle, model_name=model, model_store=models, seed=settings.seed)
    out["train_s"] = time.perf_counter() - started
    out["v1"] = first.artifact.version
    # the second version: trained now, published during phase 2 by another process
    staging = ModelStore(home / "staging")
    second = train_model(bundle, model_name=model, model_store=staging, seed=settings.seed + 1)
    out["staged"] = str(second.artifact.path)
    return out


def publish_staged(home: Path, staged: str) -> None:
    """Another process publishes the staged version (what `recmind train` ends with)."""
    code = (
        "import json, pickle, sys\n"
        "from pathlib import Path\n"
        "from recmind.rec.artifacts import ModelStore\n"
        "path = Path(sys.argv[1])\n"
        "model = pickle.loads((path / 'model.pkl').read_bytes())\n"
        "meta = json.loads((path / 'meta.json').read_text())\n"
        "info = ModelStore(Path(sys.argv[2])).save(model, metrics=meta['metrics'],"
        " data_fingerprint=meta['data_fingerprint'])\n"
        "print(info.version)\n"
    )
    subprocess.Popen(
        [sys.executable, "-c", code, staged, str(home / "models")],
        env=_env(home),
        preexec_fn=lambda: os.sched_setaffinity(0, {LOAD_CPU}),  # noqa: PLW1509
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


def prepared_home(home: Path, model: str) -> dict[str, Any]:
    """Prepare ``home``, or reuse what an earlier run prepared there."""
    saved = home / "prepared.json"
    if saved.exists():
        prepared: dict[str, Any] = json.loads(saved.read_text())
        print(f"home {home}: reusing {prepared['v1']}", flush=True)
        _reset_registry(home, prepared["v1"])
        return prepared
    print(f"home {home}; preparing data and models ...", flush=True)
    prepared = prepare(home, model)
    saved.write_text(json.dumps(prepared))
    return prepared


def _reset_registry(home: Path, v1: str) -> None:
    """Drop versions an earlier run published, so v1 is served and the staged one is new."""
    import shutil

    models = home / "models"
    for entry in models.iterdir():
        if entry.is_dir() and entry.name.startswith("v") and entry.name != v1:
            shutil.rmtree(entry)
    (models / "LATEST").write_text(v1 + "\n")


# -- step 2: the model's own scoring cost -------------------------------------------------


def scoring_cost(home: Path, n_people: int = 200) -> dict[str, Any]:
    """Per-person cost of the served model (child process pinned to the server's core)."""
    code = """
import json, os, sys, time
import numpy as np
os.sched_setaffinity(0, {CPU})
from recmind.config import get_settings
from recmind.data.store import Store
from recmind.rec.artifacts import ModelStore
from recmind.serving.engine import ServingEngine
settings = get_settings()
model, info = ModelStore(settings.models_dir).load()
data = model.interactions_
rng = np.random.default_rng(0)
users = rng.choice(data.n_users, size=N_PEOPLE, replace=False)
order = np.lexsort((data.timestamps, data.user_index))
histories = [data.item_index[order][data.user_index[order] == u] for u in users]
model.score_histories(histories[:2])
one = []
for h in histories:
    t = time.perf_counter(); model.score_histories([h]); one.append(time.perf_counter() - t)
t = time.perf_counter(); model.score_histories(histories); batch = time.perf_counter() - t
settings = settings.model_copy(update={"serving": settings.serving.model_copy(
    update={"cache_users": 0, "precompute_users": 0})})
with Store.from_settings(settings) as store:
    engine = ServingEngine(settings, store)
    t = time.perf_counter(); engine.start(); load = time.perf_counter() - t
    ids = [str(data.user_ids[u]) for u in users]
    engine.recommend(ids[0])
    miss = []
    for u in ids:
        t = time.perf_counter(); engine.recommend(u, 10); miss.append(time.perf_counter() - t)
    engine.stop()
ms = lambda xs, q: float(np.percentile(xs, q) * 1000)
print(json.dumps({"model": info.name, "score_one_p50_ms": ms(one, 50),
    "score_one_p99_ms": ms(one, 99), "score_batch_per_person_ms": batch / len(users) * 1000,
    "engine_miss_p50_ms": ms(miss, 50), "engine_miss_p99_ms": ms(miss, 99),
    "engine_load_s": load}))
""".replace("CPU", str(SERVER_CPU)).replace("N_PEOPLE", str(n_people))
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(home),
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if done.returncode != 0:
        raise RuntimeError(f"scoring cost child failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- step 3: the server and the load ------------------------------------------------------


def start_server(home: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    recmind = str(Path(sys.executable).with_name("recmind"))
    return subprocess.Popen(
        [recmind, "serve", "--port", str(port), "--log-level", "info"],
        env=_env(home),
        preexec_fn=lambda: os.sched_setaffinity(0, {SERVER_CPU}),  # noqa: PLW1509
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )


def wait_ready(url: str, timeout: float = 600.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if httpx.get(f"{url}/readyz", timeout=2.0).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not ready after {timeout} s")


@dataclass(frozen=True)
class Load:
    """Where and what to send: the server, a read key, the people, requests per second."""

    url: str
    key: str
    users: list[str]
    rate: float


Sample = tuple[float, float, int, str | None]
"""(due offset s, latency s from the due time, HTTP status or -1, model version)."""


async def _connection(
    load: Load, queue: asyncio.Queue[tuple[float, str] | None], out: list[Sample], start: float
) -> None:
    """One keep-alive HTTP/1.1 connection taking due requests from ``queue``.

    A few lines of asyncio streams instead of an HTTP client library: httpx's async client
    spent ~7 ms of CPU per request here, more than the server, and would have measured
    itself (a plain uvicorn /healthz stalled at 100 requests/s behind it)."""
    host, port = load.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    loop = asyncio.get_running_loop()
    auth = f"Authorization: Bearer {load.key}\r\n"
    while True:
        job = await queue.get()
        if job is None:
            break
        due, path = job
        request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{auth}\r\n"
        status, version = -1, None
        try:
            writer.write(request.encode())
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            length = next(
                int(line.split(":", 1)[1])
                for line in lines
                if line.lower().startswith("content-length:")
            )
            body = await reader.readexactly(length)
            if status == 200:
                version = orjson.loads(body)["version"]
        except (OSError, asyncio.IncompleteReadError, ValueError, StopIteration):
            status = -1
            writer.close()
            reader, writer = await asyncio.open_connection(host, int(port))
        out.append((due - start, loop.time() - due, status, version))
    writer.close()


async def open_loop(
    load: Load, seconds: float, seed: int, at: tuple[float, Any] | None = None
) -> list[Sample]:
    """Send ``rate * seconds`` requests for random people, each at its due time."""
    rng = np.random.default_rng(seed)
    n = int(load.rate * seconds)
    chosen = rng.choice(len(load.users), size=n)
    queue: asyncio.Queue[tuple[float, str] | None] = asyncio.Queue()
    out: list[Sample] = []
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2
    workers = [
        asyncio.create_task(_connection(load, queue, out, start)) for _ in range(CONNECTIONS)
    ]
    fired = False
    for i in range(n):
        due = start + i / load.rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if at is not None and not fired and due - start >= at[0]:
            at[1]()
            fired = True
        queue.put_nowait((due, f"/v1/users/{load.users[chosen[i]]}/recommendations?k=10"))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    return out


def summarise(samples: list[Sample]) -> dict[str, Any]:
    latency = np.asarray([s[1] for s in samples]) * 1000.0
    failed = sum(1 for s in samples if s[2] != 200)
    span = max(s[0] for s in samples) - min(s[0] for s in samples)
    return {
        "requests": len(samples),
        "failed": failed,
        "rate_per_s": len(samples) / span if span > 0 else 0.0,
        "p50_ms": float(np.percentile(latency, 50)),
        "p95_ms": float(np.percentile(latency, 95)),
        "p99_ms": float(np.percentile(latency, 99)),
        "max_ms": float(latency.max()),
        "mean_ms": float(latency.mean()),
    }


def run_phase(
    load: Load, seconds: float, seed: int, at: tuple[float, Any] | None = None
) -> tuple[dict[str, Any], list[Sample]]:
    before = _loadavg()
    samples = asyncio.run(open_loop(load, seconds, seed, at))
    summary = summarise(samples)
    summary["loadavg_before"] = before
    summary["loadavg_after"] = _loadavg()
    return summary, samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--model", default="hybrid")
    parser.add_argument(
        "--home", type=Path, default=None, help="Keep the data here (reused when run again)."
    )
    args = parser.parse_args()
    record = provenance()
    home = args.home or Path(tempfile.mkdtemp(prefix="recmind-bench-serving-"))
    home.mkdir(parents=True, exist_ok=True)
    prepared = prepared_home(home, args.model)
    print(f"published {prepared['v1']}; measuring the model's scoring cost ...", flush=True)
    cost = scoring_cost(home)
    print(json.dumps(cost), flush=True)

    os.sched_setaffinity(0, {LOAD_CPU})
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(home, port, home / "server.log")
    try:
        started = time.monotonic()
        ready_s = wait_ready(url)
        print(f"server ready after {ready_s:.1f} s", flush=True)
        load = Load(url, prepared["key"], prepared["users"], args.rate)
        run_phase(load, WARMUP_SECONDS, seed=1)
        steady, _ = run_phase(load, args.seconds, seed=2)
        print("steady", json.dumps(steady), flush=True)
        published: dict[str, float] = {}

        def publish() -> None:
            published["at"] = time.monotonic() - started
            published["offset"] = PUBLISH_AT
            publish_staged(home, prepared["staged"])

        swap, samples = run_phase(load, args.seconds, seed=3, at=(PUBLISH_AT, publish))
        versions = [s[3] for s in samples if s[3]]
        new = [s for s in samples if s[3] and s[3] != prepared["v1"]]
        swap["versions_seen"] = sorted(set(versions))
        swap["swap_seen_after_publish_s"] = (
            min(s[0] + s[1] for s in new) - PUBLISH_AT if new else float("nan")
        )
        seen_at = PUBLISH_AT + swap["swap_seen_after_publish_s"] if new else PUBLISH_AT
        window = [s for s in samples if PUBLISH_AT <= s[0] <= seen_at + AFTER_SWAP]
        swap["around_swap"] = summarise(window)
        swap["around_swap_window_s"] = AFTER_SWAP
        print("swap", json.dumps(swap), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {
        "model": args.model,
        "rate": args.rate,
        "seconds": args.seconds,
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        ),
        "import_s": prepared["import_s"],
        "train_s": prepared["train_s"],
        "ready_s": ready_s,
        "scoring_cost": cost,
        "steady": steady,
        "swap": swap,
        "bar": BAR,
        "provenance": finished(record),
        "bar_met": steady["p50_ms"] <= BAR["p50_ms"] and steady["p99_ms"] <= BAR["p99_ms"],
        "zero_failures": steady["failed"] == 0 and swap["failed"] == 0,
    }
    print(write_results(NAME, result))


if __name__ == "__main__":
    main()
