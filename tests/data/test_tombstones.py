"""Tombstones: a keyed hash per erased person, and what counts as their history."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recmind.data.bundle import DataBundle
from recmind.data.store import Store
from recmind.data.tombstones import (
    Erasures,
    load_erasures,
    record_erasure,
    subject_of,
    without_erased,
)

SECRET = "tombstone-test-secret"


def test_subject_is_a_keyed_hash() -> None:
    subject = subject_of("alice", SECRET)
    assert len(subject) == 64 and "alice" not in subject
    assert subject == subject_of("alice", SECRET)
    assert subject != subject_of("alice", "other-secret")
    assert subject != subject_of("alice2", SECRET)


def test_record_erasure_upserts(store: Store) -> None:
    subject = subject_of("bob", SECRET)
    with store.engine.begin() as connection:
        record_erasure(connection, subject, 100.0)
    with store.engine.begin() as connection:
        record_erasure(connection, subject, 250.0)
    erasures = load_erasures(store, SECRET)
    assert erasures.by_subject == {subject: 250.0}
    assert erasures.erased_at("bob") == 250.0 and erasures.erased_at("carol") is None


def test_held_rows_are_the_history_up_to_the_erasure() -> None:
    erasures = Erasures(SECRET, {subject_of("gone", SECRET): 100.0})
    users = ["gone", "gone", "gone", "gone", "kept"]
    times = np.asarray([50.0, 100.0, 101.0, np.nan, 50.0])
    held = erasures.held(users, times)
    # before, at and undated: the erased history; after: a new person; others: untouched
    assert held.tolist() == [True, True, False, True, False]
    assert Erasures(SECRET, {}).held(users, times).tolist() == [False] * 5
    limits = erasures.limits(["kept", "gone"])
    assert np.isnan(limits[0]) and limits[1] == 100.0


def test_without_erased_keeps_a_returning_id_as_a_new_person() -> None:
    erasures = Erasures(SECRET, {subject_of("u1", SECRET): 1_000.0})
    bundle = DataBundle(
        name="t",
        users=pd.DataFrame(
            {
                "user_id": ["u1", "u2"],
                "created_at": [2_000.0, 10.0],
                "email": [None, None],
                "consent_email": [None, None],
                "timezone": [None, None],
                "attributes": [{}, {}],
            }
        ),
        events=pd.DataFrame(
            {
                "event_id": ["e1", "e2", "e3", "e4"],
                "user_id": ["u1", "u1", "u2", "u1"],
                "item_id": ["a", "b", "a", "c"],
                "event_type": ["view"] * 4,
                "timestamp": [500.0, 1_000.0, 600.0, 1_500.0],
                "value": [np.nan] * 4,
            }
        ),
        reviews=pd.DataFrame(
            {
                "review_id": ["r1", "r2"],
                "user_id": ["u1", "u2"],
                "item_id": ["a", "a"],
                "rating": [5.0, 4.0],
                "text": ["x", "y"],
                "timestamp": [np.nan, 10.0],
            }
        ),
    )
    kept, dropped = without_erased(bundle, erasures)
    assert dropped == 3
    assert kept.events["event_id"].tolist() == ["e3", "e4"]
    assert kept.reviews["review_id"].tolist() == ["r2"]
    assert kept.users["user_id"].tolist() == ["u1", "u2"]  # u1 re-created after the erasure
    assert without_erased(bundle, Erasures(SECRET, {})) == (bundle, 0)
