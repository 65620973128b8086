"""Benchmark: how long one segment count takes over 100k customers and 10M events, on
SQLite and PostgreSQL, for every built-in segment and one rule of each kind.

Generates a seeded shop (items with categories and prices; customers with log-normal
activity; six event types over a year, each customer active over a span of it), writes it
straight into a migrated store (events sorted by user and time), fills
``customer_features`` with SQL aggregates and ``customer_predictions`` with seeded values
(the features and clv helpers fill them for real; here only their shape matters), then
times ``SELECT count(*)`` of each compiled rule: ``--repeats`` runs, median reported, with
the query plan's use of indexes.

    .venv/bin/python benchmarks/segments_count.py [--users 100000] [--events 10000000]
        [--pg postgresql+psycopg://...] [--repeats 3] [--keep DIR]

Writes ``benchmarks/results/segments_count.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import inspect, text

from figures import write_results
from harness import finished, loadavg, provenance
from recmind.data.store import Store
from recmind.marketing.segments import count_query, parse_rule
from recmind.marketing.segments.builtins import BUILTINS
from recmind.marketing.segments.preview import count_members

TYPES = np.array(["view", "click", "add_to_cart", "purchase", "rating", "search"])
SHARES = np.array([0.62, 0.15, 0.1, 0.06, 0.04, 0.03])
CATEGORIES = np.array(
    ["Books/Fiction", "Books/History", "Music", "Home|Garden", "Toys", "Shoes", "Tops|Sale"]
)
END = 1_750_000_000.0
DAY = 86_400.0
CHUNK = 200_000
KINDS: dict[str, dict[str, Any]] = {
    "feature field": {"field": "monetary_total", "op": ">=", "value": 100},
    "derived days": {"field": "days_since_last_purchase", "op": ">", "value": 60},
    "count in window": {
        "event": {"type": "view", "within_days": 30},
        "measure": "count",
        "op": ">=",
        "value": 3,
    },
    "count < n (zero counts)": {
        "event": {"type": "purchase", "within_days": 90},
        "measure": "count",
        "op": "<",
        "value": 1,
    },
    "sum in category": {
        "event": {"type": "purchase", "category": "Books", "within_days": 90},
        "measure": "sum",
        "op": ">",
        "value": 50,
    },
    "funnel": {
        "funnel": {
            "did": {"type": "add_to_cart"},
            "then_not": {"type": "purchase"},
            "within_hours": 2,
            "within_days": 7,
        }
    },
    "attribute": {"field": "attributes.tier", "op": "=", "value": "gold"},
    "nested": {
        "all": [
            {"segment": "champions"},
            {"not": {"event": {"type": "view", "within_days": 7}, "measure": "exists"}},
            {"consent": "email"},
        ]
    },
}


def _events(
    rng: np.random.Generator, n_users: int, n_events: int, n_items: int
) -> Iterator[list[tuple[Any, ...]]]:
    activity = rng.lognormal(0.0, 1.3, n_users)
    counts = rng.multinomial(n_events, activity / activity.sum())
    starts = END - rng.uniform(30, 365, n_users) * DAY
    popularity = 1.0 / np.arange(1, n_items + 1) ** 0.9
    popularity /= popularity.sum()
    batch: list[tuple[Any, ...]] = []
    for user in range(n_users):
        k = int(counts[user])
        if k == 0:
            continue
        stamps = np.sort(rng.uniform(starts[user], END, k)).round(3)
        kinds = rng.choice(TYPES, k, p=SHARES)
        items = rng.choice(n_items, k, p=popularity)
        uid = f"c{user:06d}"
        for n in range(k):
            kind = str(kinds[n])
            value = float(items[n] % 97 + 3) if kind == "purchase" else None
            item = None if kind == "search" else f"i{items[n]:05d}"
            batch.append((f"{uid}-{n}", uid, item, kind, float(stamps[n]) + n * 1e-3, value))
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


FEATURES_SQL = """
INSERT INTO customer_features (user_id, computed_at, as_of, first_event_at, last_event_at,
  first_purchase_at, last_purchase_at, recency_days, tenure_days, purchase_count,
  order_count, monetary_total, views_7d, views_30d, views_90d, carts_7d, carts_30d,
  carts_90d, purchases_7d, purchases_30d, purchases_90d, events_7d, events_30d, events_90d)
SELECT user_id, {end}, {end}, MIN(timestamp), MAX(timestamp),
  MIN(CASE WHEN event_type = 'purchase' THEN timestamp END),
  MAX(CASE WHEN event_type = 'purchase' THEN timestamp END),
  ({end} - MAX(CASE WHEN event_type = 'purchase' THEN timestamp END)) / 86400.0,
  ({end} - MIN(timestamp)) / 86400.0,
  SUM(CASE WHEN event_type = 'purchase' THEN 1 ELSE 0 END),
  COUNT(DISTINCT CASE WHEN event_type = 'purchase' THEN CAST(timestamp / 86400 AS INTEGER) END),
  COALESCE(SUM(CASE WHEN event_type = 'purchase' THEN value END), 0),
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM events GROUP BY user_id
"""


def fill(store: Store, n_users: int, n_events: int, seed: int) -> dict[str, float]:
    """Write the shop into ``store``; seconds per step."""
    rng = np.random.default_rng(seed)
    n_items = 10_000
    took: dict[str, float] = {}
    started = time.perf_counter()
    item_rows = [
        (f"i{n:05d}", f"Item {n}", str(CATEGORIES[n % len(CATEGORIES)]), float(n % 97 + 3))
        for n in range(n_items)
    ]
    tiers = np.array(['{"tier": "gold"}', '{"tier": "silver"}', '{"tier": "none"}', None])
    user_rows = [
        (
            f"c{n:06d}",
            END - 400 * DAY,
            f"c{n}@example.com",
            bool(n % 3),
            str(tiers[n % 4]) if n % 4 != 3 else None,
        )
        for n in range(n_users)
    ]
    with store.raw_connection() as connection:
        cursor = connection.cursor()
        mark = "?" if store.dialect == "sqlite" else "%s"
        cursor.executemany(
            f"INSERT INTO items (item_id, title, category, price) VALUES ({', '.join([mark] * 4)})",
            item_rows,
        )
        cursor.executemany(
            "INSERT INTO users (user_id, created_at, email, consent_email, attributes) "
            f"VALUES ({', '.join([mark] * 5)})",
            user_rows,
        )
        for batch in _events(rng, n_users, n_events, n_items):
            if store.dialect == "postgresql":
                columns = "event_id, user_id, item_id, event_type, timestamp, value"
                with cursor.copy(f"COPY events ({columns}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                cursor.executemany(
                    "INSERT INTO events (event_id, user_id, item_id, event_type, timestamp, value) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    batch,
                )
        cursor.close()
    took["events"] = time.perf_counter() - started
    started = time.perf_counter()
    with store.raw_connection() as connection:
        cursor = connection.cursor()
        cursor.execute(FEATURES_SQL.format(end=END))
        cursor.execute(
            "INSERT INTO customer_predictions (user_id, computed_at, as_of, horizon_days, model, "
            "p_active, expected_purchases, expected_spend, churn_risk) "
            f"SELECT user_id, {END}, {END}, 90, 'bench', 1.0 / (1 + recency_days / 60.0), "
            "order_count / 4.0, monetary_total / 4.0, recency_days / (recency_days + 60.0) "
            "FROM customer_features WHERE recency_days IS NOT NULL"
        )
        cursor.execute("ANALYZE")
        cursor.close()
    took["features"] = time.perf_counter() - started
    return took


PROPOSED_INDEXES = {
    "ix_events_event_type_timestamp_user_id": "events (event_type, timestamp, user_id)",
    "ix_events_user_id_event_type_timestamp": "events (user_id, event_type, timestamp)",
}
"""The indexes this benchmark proposes for migration 0005 (created here when missing)."""


def has_indexes(store: Store) -> bool:
    names = {ix["name"] for ix in inspect(store.engine).get_indexes("events")}
    return set(PROPOSED_INDEXES) <= names


def add_indexes(store: Store) -> float:
    """Create the proposed indexes (and refresh the planner's statistics); seconds."""
    started = time.perf_counter()
    with store.raw_connection() as connection:
        cursor = connection.cursor()
        for name, target in PROPOSED_INDEXES.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
        cursor.execute("ANALYZE")
        cursor.close()
    return time.perf_counter() - started


def has_events(store: Store) -> bool:
    with store.engine.connect() as connection:
        return connection.execute(text("SELECT 1 FROM events LIMIT 1")).first() is not None


def plan(store: Store, sql: str) -> str:
    """How the store runs the query (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN)."""
    with store.raw_connection() as connection:
        cursor = connection.cursor()
        if store.dialect == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            lines = [str(row[-1]) for row in cursor.fetchall()]
        else:
            cursor.execute("EXPLAIN " + sql)
            lines = [str(row[0]) for row in cursor.fetchall()]
        cursor.close()
    return "\n".join(lines)


def measure(store: Store, repeats: int) -> dict[str, Any]:
    """Per rule: the median wall and CPU seconds of one count (``count_members``, what
    the CLI, the API and the drafter call), the count, and the plan."""
    rules = {f"builtin {k}": rule for k, (_, _, rule) in BUILTINS.items()} | KINDS
    stored = {k: parse_rule(rule) for k, (_, _, rule) in BUILTINS.items()}
    out: dict[str, Any] = {}
    for name, data in rules.items():
        rule = parse_rule(data)
        query = count_query(rule, as_of=END, dialect=store.dialect, rules_of=stored.get)
        sql = str(query.compile(store.engine, compile_kwargs={"literal_binds": True}))
        walls, cpus, count = [], [], 0
        for _ in range(repeats):
            started, cpu = time.perf_counter(), time.process_time()
            count = count_members(store, rule, as_of=END, rules_of=stored.get)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
        out[name] = {
            "seconds": statistics.median(walls),
            "cpu_seconds": statistics.median(cpus),
            "runs": [round(t, 4) for t in walls],
            "count": count,
            "loadavg": loadavg(),
            "plan": plan(store, sql),
        }
        print(f"{store.dialect:10s} {name:32s} {out[name]['seconds']:7.3f}s  {count}", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--pg", help="a PostgreSQL URL (an empty database) to measure too")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", type=Path, help="keep the SQLite file in this folder")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--skip-sqlite", action="store_true", help="measure PostgreSQL only")
    parser.add_argument(
        "--reuse", action="store_true", help="measure a store filled by an earlier run as it is"
    )
    parser.add_argument(
        "--only-indexed", action="store_true", help="skip the run without the proposed indexes"
    )
    args = parser.parse_args()
    record: dict[str, Any] = {
        "provenance": provenance(),
        "users": args.users,
        "events": args.events,
        "repeats": args.repeats,
        "backends": {},
    }
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        urls = {} if args.skip_sqlite else {"sqlite": f"sqlite:///{folder / 'segments.db'}"}
        if args.pg:
            urls["postgresql"] = args.pg
        for backend, url in urls.items():
            with Store.from_url(url) as store:
                store.migrate()
                result: dict[str, Any] = {}
                if not (args.reuse and has_events(store)):
                    result["fill_seconds"] = fill(store, args.users, args.events, args.seed)
                    print(f"{backend}: filled in {result['fill_seconds']}", flush=True)
                if not has_indexes(store) and not args.only_indexed:
                    result["without_indexes"] = measure(store, args.repeats)
                result["index_seconds"] = add_indexes(store)
                result["rules"] = measure(store, args.repeats)
                record["backends"][backend] = result
    record["provenance"] = finished(record["provenance"])
    if not args.no_write:
        write_results("segments_count", record)


if __name__ == "__main__":
    main()
