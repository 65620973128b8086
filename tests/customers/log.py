"""A small hand-made shop whose customer features are worked out by hand in the tests.

``AS_OF`` is 2025-06-01 00:00 UTC. New York is UTC-5 in January and UTC-4 from 9 March
2025 (daylight saving); Kolkata is UTC+5:30 all year.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from recmind.data.bundle import DataBundle
from recmind.data.importer import import_bundle
from recmind.data.store import Store

DAY = 86_400.0


def utc(text: str) -> float:
    return pd.Timestamp(text, tz="UTC").timestamp()


AS_OF = utc("2025-06-01 00:00")

ITEMS = pd.DataFrame(
    {
        "item_id": ["b1", "t1", "m1", "b2", "c1", "c2", "c3", "c4", "c5", "c6"],
        "title": [f"Item {n}" for n in range(10)],
        "category": ["Books|Gifts", "Toys", None, "Books/Fiction", "A", "B", "C", "D", "E", "F"],
        "price": [10.0, 4.0, 7.0, 20.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    }
)

USERS = pd.DataFrame(
    {
        "user_id": ["alice", "bob", "carol", "dave", "erin", "frank"],
        "created_at": [
            AS_OF - 200 * DAY,
            AS_OF - 30 * DAY,
            AS_OF - 5 * DAY,
            AS_OF + DAY,
            None,
            None,
        ],
        "timezone": ["America/New_York", "Asia/Kolkata", None, "UTC", "Not/AZone", "Europe/Paris"],
        "consent_email": [True, False, True, True, None, False],
    }
)

_EVENTS = [
    # alice, New York: local times in the comments.
    ("alice", "b1", "view", "2025-01-15 14:30", None),  # Wed 09:30 (UTC-5)
    ("alice", "b1", "purchase", "2025-01-15 15:00", None),  # Wed 10:00, no value: price 10
    ("alice", "t1", "view", "2025-05-10 13:10", None),  # Sat 09:10 (UTC-4)
    ("alice", "t1", "add_to_cart", "2025-05-28 13:20", None),  # Wed 09:20
    ("alice", "t1", "purchase", "2025-05-28 13:40", 4.5),  # Wed 09:40
    ("alice", "b2", "purchase", "2025-05-28 20:00", 20.0),  # Wed 16:00, same order day
    ("alice", None, "search", "2025-05-30 01:00", None),  # Thu 29 May 21:00
    ("alice", "b1", "view", "2025-06-01 00:00", None),  # at as_of: not before it
    ("alice", "b1", "purchase", "2025-06-02 09:00", 10.0),  # after as_of
    # bob, Kolkata: UTC evenings are the next local day's small hours.
    ("bob", "t1", "view", "2025-05-19 18:50", None),  # Tue 00:20
    ("bob", "t1", "view", "2025-05-26 19:00", None),  # Tue 00:30
    ("bob", "m1", "click", "2025-05-27 03:00", None),  # Tue 08:30
    # dave exists only after as_of.
    ("dave", "t1", "view", "2025-06-03 10:00", None),
    # erin's zone is not a zone: UTC.
    ("erin", "m1", "purchase", "2025-03-03 10:00", 7.0),  # Mon 10:00
    # frank: six categories, A twice.
    *[("frank", f"c{n}", "view", f"2025-04-0{n} 12:00", None) for n in range(1, 7)],
    ("frank", "c1", "view", "2025-04-07 12:00", None),
]

EVENTS = pd.DataFrame(
    {
        "user_id": [e[0] for e in _EVENTS],
        "item_id": [e[1] for e in _EVENTS],
        "event_type": [e[2] for e in _EVENTS],
        "timestamp": [utc(e[3]) for e in _EVENTS],
        "value": [e[4] for e in _EVENTS],
        "query": ["gift" if e[2] == "search" else None for e in _EVENTS],
    }
)


def load(store: Store, tmp_path: Path, events: pd.DataFrame = EVENTS) -> None:
    """Import the shop through the real import path."""
    bundle = DataBundle(name="shop", items=ITEMS, users=USERS, events=events)
    import_bundle(store, bundle, quarantine_dir=tmp_path / "quarantine")
