"""Online event ingestion on a real store: verdict per row, importer-identical ids,
duplicates decided by the store itself (SQLite and PostgreSQL)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text

from recmind.config import Settings
from recmind.data.bundle import DataBundle
from recmind.data.event_writes import ingest_events, prepare_events, write_prepared
from recmind.data.importer import import_bundle
from recmind.data.store import Store

T0 = 1_704_103_200.0


def _items(store: Store, *ids: str) -> None:
    with store.engine.begin() as connection:
        for item in ids:
            connection.execute(
                text("INSERT INTO items (item_id, title) VALUES (:i, :t)"), {"i": item, "t": item}
            )


def test_ids_match_the_importers(store: Store, settings: Settings, tmp_path: object) -> None:
    _items(store, "i1")
    event = {"user_id": "u1", "item_id": "i1", "event_type": "view", "timestamp": T0}
    online = ingest_events(store, [event], settings)
    imported = import_bundle(
        store,
        DataBundle(name="same", events=pd.DataFrame([event])),
        quarantine_dir=settings.quarantine_dir,
        settings=settings,
    )
    assert online.accepted == [0]
    assert imported.sources[0].duplicates == 1  # the importer derived the same id


def test_users_are_created_with_their_first_time(store: Store, settings: Settings) -> None:
    _items(store, "i1", "i2")
    outcome = ingest_events(
        store,
        [
            {"user_id": "new", "item_id": "i2", "event_type": "view", "timestamp": T0 + 50},
            {"user_id": "new", "item_id": "i1", "event_type": "view", "timestamp": T0},
        ],
        settings,
    )
    assert (outcome.users_created, outcome.user_ids) == (1, ["new"])
    created = store.load_users().set_index("user_id")["created_at"]
    assert created["new"] == T0


def test_same_event_under_two_ids_is_one_event(store: Store, settings: Settings) -> None:
    _items(store, "i1")
    event = {"user_id": "u", "item_id": "i1", "event_type": "view", "timestamp": T0}
    outcome = ingest_events(
        store, [{**event, "event_id": "a"}, {**event, "event_id": "b"}], settings
    )
    assert (outcome.accepted, outcome.duplicates) == ([0], [1])
    later = ingest_events(store, [{**event, "event_id": "c"}], settings)
    assert later.duplicates == [0]  # the store's unique key says so
    assert store.counts()["events"] == 1


def test_batches_written_together_keep_their_own_verdicts(store: Store, settings: Settings) -> None:
    _items(store, "i1")
    first = prepare_events(
        store,
        [{"event_id": "x", "user_id": "u", "item_id": "i1", "event_type": "view", "timestamp": T0}],
        settings,
    )
    second = prepare_events(
        store,
        [
            {
                "event_id": "x",
                "user_id": "u",
                "item_id": "i1",
                "event_type": "view",
                "timestamp": T0,
            },
            {
                "event_id": "y",
                "user_id": "v",
                "item_id": "missing",
                "event_type": "view",
                "timestamp": T0,
            },
        ],
        settings,
    )
    write_prepared(store, [first, second])
    assert (first.outcome.accepted, first.outcome.users_created) == ([0], 1)
    assert second.outcome.duplicates == [0]
    assert [(r.index, r.reason) for r in second.outcome.rejected] == [(1, "unknown_item")]
    assert store.counts()["events"] == 1


def test_every_column_round_trips_whatever_the_mix_of_values(
    store: Store, settings: Settings
) -> None:
    """Integers next to floats, values and queries present in some rows only, a batch where
    none has a value: stored exactly (PostgreSQL writes each column as one array)."""
    _items(store, "i1", "i2")
    mixed = [
        {"event_id": "a", "user_id": "u1", "item_id": "i1", "event_type": "purchase",
         "timestamp": 1_704_103_200, "value": 3},
        {"event_id": "b", "user_id": "u1", "item_id": "i2", "event_type": "view",
         "timestamp": T0 + 1.5},
        {"event_id": "c", "user_id": "u2", "event_type": "search", "timestamp": T0 + 2,
         "query": "red shirt", "value": 2.25},
    ]  # fmt: skip
    assert ingest_events(store, mixed, settings).accepted == [0, 1, 2]
    no_values = [{"event_id": "d", "user_id": "u3", "item_id": "i2", "event_type": "view",
                  "timestamp": T0 + 3}]  # fmt: skip
    assert ingest_events(store, no_values, settings).accepted == [0]
    stored = store.load_events().set_index("event_id")
    assert stored.loc["a", ["timestamp", "value"]].tolist() == [T0, 3.0]
    assert stored.loc["b", "timestamp"] == T0 + 1.5
    assert pd.isna(stored.loc["b", "value"]) and pd.isna(stored.loc["d", "value"])
    assert stored.loc["c", "query"] == "red shirt"
    assert stored.loc["c", "item_id"] is None
    assert stored.loc["c", "value"] == 2.25
    created = store.load_users().set_index("user_id")["created_at"]
    assert created.to_dict() == {"u1": T0, "u2": T0 + 2, "u3": T0 + 3}
