"""Benchmark: a campaign to 100,000 people, end to end, on one machine.

A seeded synthetic shop (``--people`` people with an address and consent, 2,000 items in
20 categories with prices and stock, about 8 events a person over 90 days) is written into a
migrated store (SQLite by default, ``--pg URL`` for PostgreSQL) and a model is trained on it
and published (``--model``, EASE by default). Then, timed stage by stage, exactly what
``recmind campaigns send`` and ``recmind worker`` do:

1. **audience**: a stored segment (bought in the last year, email consent) is refreshed;
2. **recommender**: the serving engine loads the published model and warms its list cache
   (``open_recommender``: what the worker does at start);
3. **compose**: a campaign (segment audience, ``newsletter``, 4 personal recommendations) is
   created and sent; ``run_due_campaigns`` streams the segment in batches: recommendations
   (the batch path), facts from the store, rendering, the outbox;
4. **deliver**: ``deliver_due`` passes until nothing is due: the send-time rules (consent,
   suppression, holdout, caps, quiet hours) and SMTP to a loopback aiosmtpd server in its
   own process, which counts every message by its idempotency key.

Reported: wall seconds and messages/s per stage, the campaign's total (stages 1-4) against
the 10-minute bar, this process's peak memory (the SMTP server's separately), the load
average after every stage, and the SMTP server's count per key (every key exactly once).

    .venv/bin/python benchmarks/campaign_send.py [--people 100000] [--pg URL] [--keep DIR]

Writes ``benchmarks/results/campaign_send.json`` and ``.md`` (``--no-write``: print only).
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
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

import figures.campaigns  # noqa: F401  (registers its renderer wherever the README lists it)
from figures import write_results
from harness import finished, loadavg, peak_rss_mb, provenance

SECRET = "campaign-benchmark-secret-0123456789"
DAY = 86_400.0
ITEMS = 2_000
CATEGORIES = [f"Dept{n:02d}" for n in range(20)]
EVENTS_PER_PERSON = 8
KEY = re.compile(rb"^X-Recmind-Idempotency-Key: *(.+?)\r?$", re.MULTILINE | re.IGNORECASE)
BAR_SECONDS = 600.0


# --- the SMTP server, in a process of its own -----------------------------------------------


def sink(stats_path: str) -> None:
    """Accept every message on a free loopback port (printed first), count them per
    idempotency key, and write the counts to ``stats_path`` on SIGTERM."""
    from aiosmtpd.controller import Controller

    counts: Counter[str] = Counter()
    started: list[float] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            found = KEY.search(envelope.original_content or envelope.content)
            counts[found.group(1).decode() if found else "(none)"] += 1
            if not started:
                started.append(time.time())
            return "250 OK"

    class FreePort(Controller):  # port 0: read the bound port back before the self-check
        def _trigger_server(self) -> None:
            self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()

    controller = FreePort(Handler(), hostname="127.0.0.1", port=0)
    controller.start()
    print(controller.port, flush=True)

    def stop(*_: Any) -> None:
        controller.stop()
        duplicates = {k: n for k, n in counts.items() if n > 1}
        Path(stats_path).write_text(
            json.dumps(
                {
                    "messages": sum(counts.values()),
                    "keys": len(counts),
                    "duplicates": len(duplicates),
                    "without_key": counts.get("(none)", 0),
                    "peak_rss_mb": round(peak_rss_mb(), 1),
                }
            )
        )
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    while True:
        time.sleep(3600)


# --- the shop --------------------------------------------------------------------------------


def fill(store: Any, people: int, seed: int, now: float) -> int:
    """Write items, people and events; returns the number of events."""
    rng = np.random.default_rng(seed)
    mark = "?" if store.dialect == "sqlite" else "%s"
    items = [
        (
            f"i{n:05d}",
            f"{CATEGORIES[n % 20]} item {n}",
            CATEGORIES[n % 20],
            round(float(rng.uniform(3, 120)), 2),
            0 if n % 20 == 7 else int(rng.integers(1, 200)),
            "{}",
        )
        for n in range(ITEMS)
    ]
    users = [
        (f"u{n:06d}", now - 400 * DAY, f"u{n:06d}@example.com", True, f'{{"first_name": "P{n}"}}')
        for n in range(people)
    ]
    popularity = 1.0 / np.arange(1, ITEMS // 20 + 1) ** 0.8
    popularity /= popularity.sum()
    events: list[tuple[Any, ...]] = []
    favourite = rng.integers(0, 20, people)
    kinds = np.array(["view", "view", "add_to_cart", "purchase"])
    for person in range(people):
        count = int(rng.integers(EVENTS_PER_PERSON // 2, EVENTS_PER_PERSON * 3 // 2 + 1))
        stamps = np.sort(rng.uniform(now - 90 * DAY, now - DAY, count))
        ranks = rng.choice(len(popularity), count, p=popularity)
        other = rng.random(count) < 0.25
        cats = np.where(other, rng.integers(0, 20, count), favourite[person])
        chosen = rng.choice(kinds, count)
        chosen[-1] = "purchase"  # everyone bought once: the segment holds everyone
        uid = f"u{person:06d}"
        for n in range(count):
            item = f"i{int(ranks[n]) * 20 + int(cats[n]):05d}"
            events.append((f"{uid}-{n}", uid, item, str(chosen[n]), float(stamps[n])))
    with store.raw_connection() as connection:
        cursor = connection.cursor()
        cursor.executemany(
            "INSERT INTO items (item_id, title, category, price, stock, attributes) "
            f"VALUES ({', '.join([mark] * 6)})",
            items,
        )
        cursor.executemany(
            "INSERT INTO users (user_id, created_at, email, consent_email, attributes) "
            f"VALUES ({', '.join([mark] * 5)})",
            users,
        )
        columns = "event_id, user_id, item_id, event_type, timestamp"
        if store.dialect == "postgresql":
            with cursor.copy(f"COPY events ({columns}) FROM STDIN") as copy:
                for row in events:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO events ({columns}) VALUES (?, ?, ?, ?, ?)", events)
        cursor.execute("ANALYZE")
        cursor.close()
    return len(events)


# --- the stages ------------------------------------------------------------------------------


def stage(record: dict[str, Any], name: str, started: float, **extra: Any) -> None:
    seconds = time.perf_counter() - started
    record["stages"][name] = {"seconds": round(seconds, 2), "loadavg": loadavg(), **extra}
    print(f"{name:12s} {seconds:8.1f} s  {extra}  load {loadavg()}", flush=True)


def outbox_counts(store: Any) -> tuple[dict[str, int], dict[str, int]]:
    """The outbox's rows by status, and the skipped ones by reason."""
    from sqlalchemy import func, select

    from recmind.data.schema import outbox

    query = select(outbox.c.status, outbox.c.skip_reason, func.count()).group_by(
        outbox.c.status, outbox.c.skip_reason
    )
    statuses: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    with store.engine.connect() as connection:
        for status, reason, count in connection.execute(query):
            statuses[str(status)] += int(count)
            if reason:
                reasons[str(reason)] += int(count)
    return dict(statuses), dict(reasons)


def prepare(
    store: Any, settings: Any, args: argparse.Namespace, record: dict[str, Any], now: float
) -> None:
    """The shop and its published model (not part of the campaign)."""
    from recmind.rec.artifacts import ModelStore
    from recmind.training import train_model, training_bundle

    started = time.perf_counter()
    record["events"] = fill(store, args.people, args.seed, now)
    stage(record, "shop", started, events=record["events"])
    started = time.perf_counter()
    train_model(
        training_bundle(store, SECRET),
        model_name=args.model,
        model_store=ModelStore(settings.models_dir),
        seed=args.seed,
    )
    stage(record, "train", started)


BUYERS_RULE = {
    "all": [
        {"consent": "email"},
        {"event": {"type": "purchase", "within_days": 365}, "measure": "exists"},
    ]
}
"""The campaign's audience: bought in the last year, with email consent."""


def audience_stage(
    store: Any, record: dict[str, Any], clock: Callable[[], float], started: float
) -> str:
    """Stage 1: the stored segment of this year's buyers with email consent, refreshed;
    returns its id."""
    from recmind.marketing.segments.membership import refresh_segment
    from recmind.marketing.segments.repository import create_segment

    segment = create_segment(store, "Buyers this year", BUYERS_RULE, now=clock())
    members = refresh_segment(store, segment.segment_id, as_of=clock()).members
    stage(record, "audience", started, members=members)
    return segment.segment_id


def campaign(
    store: Any, settings: Any, args: argparse.Namespace, record: dict[str, Any], today: datetime
) -> None:
    """Stages 1 to 4, on a clock that starts at noon UTC today and runs with the stages."""
    from recmind.marketing.campaigns.definition import CampaignDefinition
    from recmind.marketing.campaigns.repository import create_campaign
    from recmind.marketing.campaigns.runner import run_due_campaigns
    from recmind.marketing.content.compose import OutboxComposer
    from recmind.serving.message_recommender import open_recommender

    campaign_started = time.perf_counter()

    def clock() -> float:
        return today.timestamp() + (time.perf_counter() - campaign_started)

    segment_id = audience_stage(store, record, clock, campaign_started)
    started = time.perf_counter()
    recommender = open_recommender(settings, store)
    stage(record, "recommender", started, model_version=recommender.engine.version)
    started = time.perf_counter()
    definition = CampaignDefinition.model_validate(
        {
            "name": "Benchmark newsletter",
            "audience": {"type": "segment", "segment": segment_id},
            "template": "newsletter",
            "recommendations": {"source": "personal", "count": 4},
            "context": {"headline": "New this week", "intro": "Picked for you."},
            "schedule_at": today.isoformat(),
        }
    )
    create_campaign(store, settings, definition, now=clock())
    composer = OutboxComposer(store, settings, recommender)
    written = run_due_campaigns(store, settings, composer, worker_id="bench", now=clock())
    rate = round(written / (time.perf_counter() - started), 1)
    stage(record, "compose", started, messages=written, per_second=rate)
    recommender.close()
    deliver(store, settings, args, record, clock)
    record["campaign_seconds"] = round(time.perf_counter() - campaign_started, 2)


def deliver(
    store: Any, settings: Any, args: argparse.Namespace, record: dict[str, Any], clock: Any
) -> None:
    """``deliver_due`` passes until nothing is due."""
    from recmind.marketing.outbox.delivery import deliver_due

    started = time.perf_counter()
    passes = 1
    while deliver_due(store, settings, worker_id="bench", now=clock(), limit=args.deliver_batch):
        passes += 1
    counts, reasons = outbox_counts(store)
    sent = counts.get("sent", 0)
    rate = round(sent / (time.perf_counter() - started), 1)
    stage(record, "deliver", started, messages=sent, passes=passes, per_second=rate)
    record["outbox"] = counts
    record["skipped_by_reason"] = reasons


def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    from recmind.config import Settings
    from recmind.data.store import Store

    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    stats_path = folder / "smtp.json"
    server = subprocess.Popen(
        [sys.executable, __file__, "--sink", str(stats_path)], stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    port = int(server.stdout.readline())
    settings = Settings(
        home=folder / "home",
        db_url=args.pg or f"sqlite:///{folder / 'campaign.db'}",
        encoder="minilm-onnx",
        api={"secret": SECRET},
        marketing={"smtp": {"host": "127.0.0.1", "port": port}, "batch_size": args.batch},
    )
    record: dict[str, Any] = {
        "provenance": provenance(),
        "people": args.people,
        "items": ITEMS,
        "backend": "postgresql" if args.pg else "sqlite",
        "model": args.model,
        "batch_size": args.batch,
        "deliver_batch": args.deliver_batch,
        "smtp_connections": settings.marketing.smtp.connections,
        "stages": {},
    }
    try:
        with Store.from_url(settings.resolved_db_url) as store:
            store.migrate()
            prepare(store, settings, args, record, today.timestamp())
            campaign(store, settings, args, record, today)
            record["peak_rss_mb"] = round(peak_rss_mb(), 1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    record["smtp"] = json.loads(stats_path.read_text())
    record["provenance"] = finished(record["provenance"])
    print(json.dumps({k: v for k, v in record.items() if k != "provenance"}, indent=1))
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--model", default="ease")
    parser.add_argument("--batch", type=int, default=500, help="campaign batch size")
    parser.add_argument("--deliver-batch", type=int, default=1000, help="messages per pass")
    parser.add_argument("--pg", help="a PostgreSQL URL (an empty database) instead of SQLite")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", type=Path, help="keep the store and model in this folder")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--sink", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        sink(args.sink)
        return
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    with tempfile.TemporaryDirectory(prefix="recmind-campaign-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        record = run(args, folder)
    if not args.no_write:
        write_results("campaign_send", record)


if __name__ == "__main__":
    main()
