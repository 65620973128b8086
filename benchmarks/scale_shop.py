"""A seeded synthetic shop at scale for the customer benchmarks, written straight into a store.

Realistic skew, all from one seed:

- a catalogue of ``n_items`` in 30 top-level categories with 6 subcategories each
  (``Home/Kitchen``), 15% of items in a second category too (``A/x|B/y``), log-normal prices
  per category and Zipf-like popularity (weight 1 / rank^0.9, ranks shuffled);
- customers whose activity follows a power law (Pareto, shape 1.2: most have a handful of
  events, a few have thousands), each with a favourite top category (60% of their events),
  a time zone (8% none, 1% not a zone), a purchase propensity (30% never buy) and a first
  visit spread over the year;
- events in sessions of about six, at hours that follow a daily curve in the customer's local
  time, over one year; views >> clicks > add-to-carts > purchases (about 72/12/8/2%, plus
  ratings and searches); a purchase's value is its price times a quantity of 1-3.

Rows go in with the project's bulk writer (``recmind.data.bulk.BulkWriter``: ``executemany``
on SQLite, ``COPY`` on PostgreSQL), one transaction per chunk of customers, in (user, time)
order as the import writes them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from recmind.data.bulk import BulkWriter
from recmind.data.import_write import EVENT_STORE_COLUMNS
from recmind.data.store import Store

START = pd.Timestamp("2025-01-01T00:00:00Z").timestamp()
DAY = 86_400.0
YEAR = 365 * DAY
END = START + YEAR
"""Events fall in ``[START, END)``: the benchmark's ``as_of`` is ``END``."""

TOPS = (
    *("Books", "Music", "Movies", "Games", "Toys", "Baby", "Home", "Kitchen", "Garden"),
    *("Tools", "Pets", "Sports", "Outdoors", "Fitness", "Beauty", "Health", "Grocery"),
    *("Drinks", "Fashion", "Shoes", "Jewelry", "Watches", "Bags", "Electronics", "Phones"),
    *("Computers", "Cameras", "Audio", "Office", "Auto"),
)
SUBS = ("New", "Classics", "Premium", "Kids", "Gifts", "Sale")
ZONES = (
    ("America/New_York", 0.2),
    ("America/Chicago", 0.08),
    ("America/Los_Angeles", 0.1),
    ("America/Sao_Paulo", 0.05),
    ("Europe/London", 0.1),
    ("Europe/Berlin", 0.1),
    ("Europe/Paris", 0.06),
    ("Asia/Shanghai", 0.1),
    ("Asia/Kolkata", 0.05),
    ("Asia/Tokyo", 0.04),
    ("Australia/Sydney", 0.03),
    (None, 0.08),
    ("Mars/Olympus_Mons", 0.01),
)
KINDS = np.array(["view", "click", "add_to_cart", "purchase", "rating", "search"])
KIND_SHARES = np.array([0.72, 0.12, 0.08, 0.02, 0.02, 0.04])
HOUR_CURVE = np.array(
    [
        *(1, 0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 1.5, 2, 2.2, 2.3, 2.4),
        *(2.8, 2.6, 2.4, 2.4, 2.5, 2.8, 3.2, 3.8, 4.2, 4, 3, 1.8),
    ]
)
"""Relative activity by local hour: a lunch bump and an evening peak."""
QUERIES = np.array(["gift for dad", "running shoes", "摇滚 唱片", "linen dress", "usb c cable"])
SESSION = 6
USER_COLUMNS = ("user_id", "created_at", "email", "consent_email", "timezone", "attributes")


@dataclass(frozen=True)
class Catalogue:
    item_ids: np.ndarray
    categories: list[str]
    prices: np.ndarray
    top: np.ndarray
    popularity: np.ndarray


def catalogue(rng: np.random.Generator, n_items: int) -> Catalogue:
    names = [f"{top}/{sub}" for top in TOPS for sub in SUBS]
    primary = rng.integers(0, len(names), n_items)
    second = rng.integers(0, len(names), n_items)
    multi = (rng.random(n_items) < 0.15) & (second != primary)
    categories = [
        f"{names[p]}|{names[s]}" if m else names[p]
        for p, s, m in zip(primary.tolist(), second.tolist(), multi.tolist(), strict=True)
    ]
    level = rng.lognormal(3.0, 0.6, len(TOPS))[primary // len(SUBS)]
    prices = np.round(level * rng.lognormal(0.0, 0.5, n_items), 2)
    ranks = rng.permutation(n_items) + 1
    popularity = 1.0 / ranks**0.9
    return Catalogue(
        item_ids=np.array([f"sku-{n:06d}" for n in range(n_items)]),
        categories=categories,
        prices=prices,
        top=primary // len(SUBS),
        popularity=popularity / popularity.sum(),
    )


@dataclass(frozen=True)
class Customers:
    ids: np.ndarray
    counts: np.ndarray
    zones: list[str | None]
    offsets: np.ndarray
    first: np.ndarray
    favourite: np.ndarray
    buyer: np.ndarray


def _standard_offsets(zones: list[str | None]) -> np.ndarray:
    """Each zone's UTC offset in mid-January (seconds; 0 for none or a bad name)."""
    january = pd.Timestamp("2025-01-15T12:00:00Z")
    offsets = {}
    for name in {z for z in zones if z}:
        try:
            local = january.tz_convert(name)
            offsets[name] = local.utcoffset().total_seconds()
        except Exception:  # not a zone: UTC
            offsets[name] = 0.0
    return np.array([offsets.get(z, 0.0) if z else 0.0 for z in zones])


def customers(rng: np.random.Generator, n_customers: int, n_events: int) -> Customers:
    activity = rng.pareto(1.2, n_customers) + 1.0
    counts = 1 + rng.multinomial(n_events - n_customers, activity / activity.sum())
    names = [z for z, _ in ZONES]
    shares = np.array([w for _, w in ZONES])
    zones = [names[k] for k in rng.choice(len(names), n_customers, p=shares / shares.sum())]
    return Customers(
        ids=np.array([f"c{n:07d}" for n in range(n_customers)]),
        counts=counts,
        zones=zones,
        offsets=_standard_offsets(zones),
        first=START + rng.uniform(0.0, 0.95, n_customers) * YEAR,
        favourite=rng.integers(0, len(TOPS), n_customers),
        buyer=rng.random(n_customers) >= 0.3,
    )


def users_frame(rng: np.random.Generator, people: Customers) -> list[tuple[object, ...]]:
    n = len(people.ids)
    consent = rng.choice(np.array([True, False, None], dtype=object), n, p=[0.6, 0.3, 0.1])
    created = people.first - rng.uniform(0, 30 * DAY, n)
    return [
        (user, float(at), f"{user}@example.com", c, zone, None)
        for user, at, c, zone in zip(
            people.ids.tolist(), created, consent, people.zones, strict=True
        )
    ]


def _pick_items(rng: np.random.Generator, shop: Catalogue, favourite: np.ndarray) -> np.ndarray:
    """Item positions: 60% from the customer's favourite top category, the rest from the
    whole catalogue, by popularity."""
    n = len(favourite)
    chosen = rng.choice(len(shop.item_ids), n, p=shop.popularity)
    loyal = rng.random(n) < 0.6
    for top in np.unique(favourite[loyal]):
        members = np.flatnonzero(shop.top == top)
        if not len(members):
            continue
        weights = shop.popularity[members] / shop.popularity[members].sum()
        rows = np.flatnonzero(loyal & (favourite == top))
        chosen[rows] = rng.choice(members, len(rows), p=weights)
    return chosen


def event_rows(
    rng: np.random.Generator,
    shop: Catalogue,
    people: Customers,
    span: tuple[int, int],
    first_id: int,
) -> list[tuple[object, ...]]:
    """The events of customers ``span[0]..span[1]-1``, in (user, time) order."""
    lo, hi = span
    counts = people.counts[lo:hi]
    owner = np.repeat(np.arange(lo, hi), counts)
    n = len(owner)
    position = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts)
    session = position // SESSION
    n_sessions = (counts + SESSION - 1) // SESSION
    session_key = np.repeat(np.cumsum(n_sessions) - n_sessions, counts) + session
    total_sessions = int(n_sessions.sum())
    session_owner = np.repeat(np.arange(lo, hi), n_sessions)
    first = people.first[session_owner]
    day = np.floor(first / DAY + rng.random(total_sessions) * (END - first) / DAY) * DAY
    hour = rng.choice(24, total_sessions, p=HOUR_CURVE / HOUR_CURVE.sum())
    begin = day + hour * 3600.0 + rng.uniform(0, 3600.0, total_sessions)
    begin = begin - people.offsets[session_owner]
    stamp = begin[session_key] + (position % SESSION) * rng.uniform(20, 300, n)
    stamp = np.round(np.clip(stamp, first[session_key], END - 1.0), 3)
    kinds = rng.choice(len(KINDS), n, p=KIND_SHARES)
    kinds[(kinds == 3) & ~people.buyer[owner]] = 0
    items = _pick_items(rng, shop, people.favourite[owner])
    quantity = rng.choice(3, n, p=[0.85, 0.12, 0.03]) + 1
    value = np.where(kinds == 3, np.round(shop.prices[items] * quantity, 2), np.nan)
    value = np.where(kinds == 4, rng.integers(1, 6, n).astype(float), value)
    order = np.lexsort((stamp, owner))
    search = kinds == 5
    item_ids = np.where(search, None, shop.item_ids[items].astype(object))
    queries = np.where(search, QUERIES[rng.integers(0, len(QUERIES), n)].astype(object), None)
    values = value.astype(object)
    values[np.isnan(value)] = None
    ids = [f"e{k:010d}" for k in range(first_id, first_id + n)]
    columns = (
        people.ids[owner[order]].tolist(),
        item_ids[order].tolist(),
        KINDS[kinds[order]].tolist(),
        stamp[order].tolist(),
        values[order].tolist(),
        queries[order].tolist(),
    )
    return list(zip(ids, *columns, strict=True))


def write_shop(
    stores: Sequence[Store],
    *,
    n_customers: int,
    n_events: int,
    n_items: int,
    seed: int,
    chunk_customers: int = 5_000,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Generate the shop once and write it into each migrated, empty store, a transaction
    per chunk; returns the seconds spent generating, and per store (by dialect) the
    seconds spent writing and the rows written."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    shop = catalogue(rng, n_items)
    people = customers(rng, n_customers, n_events)
    item_rows = [
        (item, f"Product {n}", category, float(price), 100)
        for n, (item, category, price) in enumerate(
            zip(shop.item_ids.tolist(), shop.categories, shop.prices, strict=True)
        )
    ]
    user_rows = users_frame(rng, people)
    generating = time.perf_counter() - started
    report = {s.dialect: {"seconds": 0.0, "items": 0, "users": 0, "events": 0} for s in stores}

    def write(store: Store, table: str, columns: Sequence[str], rows: list[Any]) -> None:
        began = time.perf_counter()
        with store.raw_connection() as connection:
            done = BulkWriter(connection, store.dialect).insert_ignore(table, columns, rows)
        report[store.dialect][table] += done
        report[store.dialect]["seconds"] += time.perf_counter() - began

    for store in stores:
        write(store, "items", ("item_id", "title", "category", "price", "stock"), item_rows)
        write(store, "users", USER_COLUMNS, user_rows)
    next_id = 0
    for lo, hi in _ranges(n_customers, chunk_customers):
        began = time.perf_counter()
        rows = event_rows(rng, shop, people, (lo, hi), next_id)
        generating += time.perf_counter() - began
        next_id += len(rows)
        for store in stores:
            write(store, "events", EVENT_STORE_COLUMNS, rows)
        if progress is not None:
            progress(next_id, n_events)
    return {"generate_seconds": generating, "stores": report}


def _ranges(n: int, size: int) -> Iterator[tuple[int, int]]:
    for lo in range(0, n, size):
        yield lo, min(lo + size, n)
