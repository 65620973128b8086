"""Benchmark: how fast the outbox delivers to a loopback SMTP server, and that it delivers
each message exactly once, at 10k and 100k messages, on SQLite and PostgreSQL.

For each backend and size: a fresh store with that many people (consent given), one rendered
campaign message each (text and HTML, about 4 KB) written with ``enqueue`` (timed), then
``deliver_due`` passes (the rules at send time, the SMTP channel over
``--connections`` kept-open connections, hand-offs, batched outcomes) until nothing is due,
timed with this process's CPU and the load average. The SMTP server is aiosmtpd in a
process of its own; it counts every message per ``X-Recmind-Idempotency-Key``, and the
benchmark fails if any key arrives twice or goes missing.

    .venv/bin/python benchmarks/outbox_delivery.py [--sizes 10000,100000]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--connections 4]

Writes ``benchmarks/results/outbox_delivery.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import figures.outbox  # noqa: F401  (registers the renderer)
from figures import write_results
from harness import finished, loadavg, peak_rss_mb, provenance

KEY = re.compile(rb"^X-Recmind-Idempotency-Key: *(.+?)\r?$", re.MULTILINE | re.IGNORECASE)
NOW_OFFSET = 60.0
BATCH = 500
TEXT = (
    "Hello {name},\n\nWe picked these for you this week:\n\n"
    + "".join(f"- Blue teapot no. {n}: $12.50 https://shop.example/c/TOKEN{n}\n" for n in range(4))
    + "\nSee you soon,\nThe shop\n"
)
HTML = (
    "<html><body style='font-family: sans-serif'><p>Hello {name},</p><table>"
    + "".join(
        f"<tr><td><img src='https://shop.example/img/{n}.jpg' width='120'></td><td>"
        f"<a href='https://shop.example/c/TOKEN{n}'>Blue teapot no. {n}</a> "
        "<strong>$12.50</strong><br>Hand-thrown stoneware, holds a litre.</td></tr>"
        for n in range(4)
    )
    + "</table><p>See you soon,<br>The shop</p></body></html>"
)


def sink(stats_path: str) -> None:
    """The SMTP server: accept everything on a free loopback port (printed first), count
    per idempotency key, write the counts to ``stats_path`` on SIGTERM."""
    from aiosmtpd.controller import Controller

    counts: Counter[str] = Counter()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            found = KEY.search(envelope.original_content or b"")
            counts[found.group(1).decode() if found else "(none)"] += 1
            return "250 OK"

    class FreePort(Controller):
        def _trigger_server(self) -> None:
            self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()

    controller = FreePort(Handler(), hostname="127.0.0.1", port=0)
    controller.start()
    print(controller.port, flush=True)

    def stop(*_: Any) -> None:
        controller.stop()
        Path(stats_path).write_text(
            json.dumps(
                {
                    "messages": sum(counts.values()),
                    "keys": len(counts),
                    "duplicates": sum(1 for n in counts.values() if n > 1),
                    "peak_rss_mb": round(peak_rss_mb(), 1),
                }
            )
        )
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    while True:
        time.sleep(3600)


def _fresh_store(backend: str, pg: str | None, folder: Path) -> tuple[Any, Any]:
    """``(store, drop)``: a migrated empty store and how to remove it."""
    import psycopg
    from sqlalchemy.engine import make_url

    from recmind.data.store import Store

    if backend == "sqlite":
        store = Store.from_url(f"sqlite:///{folder / f'outbox-{uuid.uuid4().hex[:8]}.db'}")
        store.migrate()
        return store, store.close
    assert pg is not None
    url = make_url(pg)
    name = f"recmind_bench_outbox_{uuid.uuid4().hex[:8]}"
    admin = dict(host=url.host, port=url.port or 5432, user=url.username, autocommit=True)
    with psycopg.connect(dbname=url.database or "postgres", **admin) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    store = Store.from_url(url.set(database=name).render_as_string(hide_password=False))
    store.migrate()

    def drop() -> None:
        store.close()
        with psycopg.connect(dbname=url.database or "postgres", **admin) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return store, drop


def _people(store: Any, count: int, now: float) -> None:
    mark = "?" if store.dialect == "sqlite" else "%s"
    rows = [(f"u{n:06d}", now - 86_400, f"u{n:06d}@example.com", True) for n in range(count)]
    with store.raw_connection() as connection:
        cursor = connection.cursor()
        cursor.executemany(
            "INSERT INTO users (user_id, created_at, email, consent_email) "
            f"VALUES ({', '.join([mark] * 4)})",
            rows,
        )
        cursor.close()


def _messages(count: int) -> list[Any]:
    from recmind.marketing.messages import OutboxMessage, RenderedMessage, campaign_key

    out = []
    for n in range(count):
        user = f"u{n:06d}"
        name = f"Person {n}"
        rendered = RenderedMessage(
            subject=f"{name}, four picks for this week",
            body_text=TEXT.format(name=name),
            body_html=HTML.format(name=name),
            payload={"title": "Four picks"},
            items=[f"i{k}" for k in range(4)],
        )
        out.append(
            OutboxMessage(
                idempotency_key=campaign_key("bench", user),
                user_id=user,
                channel="email",
                source_kind="campaign",
                source_id="bench",
                recipient=f"{user}@example.com",
                rendered=rendered,
            )
        )
    return out


def run_one(backend: str, size: int, pg: str | None, connections: int) -> dict[str, Any]:
    from recmind.config import Settings
    from recmind.marketing.outbox.delivery import deliver_due
    from recmind.marketing.outbox.queries import outbox_stats
    from recmind.marketing.outbox.store import enqueue

    folder = Path(tempfile.mkdtemp(prefix="recmind-outbox-bench-"))
    stats_path = folder / "smtp.json"
    server = subprocess.Popen(
        [sys.executable, __file__, "--sink", str(stats_path)], stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    port = int(server.stdout.readline())
    store, drop = _fresh_store(backend, pg, folder)
    try:
        now = time.time() - NOW_OFFSET
        _people(store, size, now)
        messages = _messages(size)
        started = time.perf_counter()
        written = enqueue(store, messages, now=now)
        enqueue_seconds = time.perf_counter() - started
        assert written == size
        settings = Settings(
            home=folder,
            api={"secret": "benchmark-secret-not-the-default"},
            marketing={
                "quiet_start_hour": 0,
                "quiet_end_hour": 0,
                "caps": [],
                "holdout_percent": 0,
                "public_url": "https://shop.example",
                "smtp": {"port": port, "connections": connections},
            },
        )
        load_start = loadavg()
        cpu_start = time.process_time()
        started = time.perf_counter()
        passes = 0
        while deliver_due(store, settings, worker_id="bench", now=time.time(), limit=BATCH):
            passes += 1
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_start
        load_end = loadavg()
        outbox = outbox_stats(store, now=time.time())["by_status"]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        drop()
    smtp = json.loads(stats_path.read_text())
    exactly_once = smtp["duplicates"] == 0 and smtp["keys"] == size == outbox["sent"]
    result = {
        "backend": backend,
        "messages": size,
        "connections": connections,
        "enqueue_seconds": round(enqueue_seconds, 2),
        "deliver_seconds": round(seconds, 2),
        "per_second": round(size / seconds, 1),
        "worker_cpu_seconds": round(cpu, 2),
        "passes": passes,
        "loadavg_start": load_start,
        "loadavg_end": load_end,
        "outbox": {k: v for k, v in outbox.items() if v},
        "smtp": smtp,
        "exactly_once": exactly_once,
    }
    print(json.dumps(result), flush=True)
    if not exactly_once:
        raise SystemExit(f"not exactly once: {result}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--pg", default=None, help="A PostgreSQL server URL (adds that backend).")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--sink", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        sink(args.sink)
        return
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    record: dict[str, Any] = {"provenance": provenance(), "runs": []}
    backends = ["sqlite", *(["postgresql"] if args.pg else [])]
    for backend in backends:
        for size in (int(s) for s in args.sizes.split(",")):
            record["runs"].append(run_one(backend, size, args.pg, args.connections))
    record["peak_rss_mb"] = round(peak_rss_mb(), 1)
    record["provenance"] = finished(record["provenance"])
    print(write_results("outbox_delivery", record))


if __name__ == "__main__":
    main()
