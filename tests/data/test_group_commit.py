"""Group commit under concurrency: every caller gets its own exact verdict."""

from __future__ import annotations

import threading

from sqlalchemy import text

from recmind.config import Settings
from recmind.data.event_writes import EventsOutcome, Rejection
from recmind.data.group_commit import GroupCommitter, split_outcome
from recmind.data.store import Store

T0 = 1_704_103_200.0


def test_split_outcome_maps_rows_back_to_their_batch() -> None:
    whole = EventsOutcome(
        received=5,
        event_ids=["a", "b", None, "d", "e"],
        accepted=[0, 3],
        duplicates=[1, 4],
        rejected=[Rejection(2, "user_id", None, "missing_required", "m", {})],
        users_created=2,
        user_ids=["u", "w"],
        row_users=["u", "u", None, "w", "u"],
        created_user_ids=["u", "w"],
    )
    first, second = split_outcome(whole, [2, 3])
    assert (first.accepted, first.duplicates, first.users_created) == ([0], [1], 1)
    assert (second.accepted, second.duplicates, second.users_created) == ([1], [2], 1)
    assert [(r.index, r.field) for r in second.rejected] == [(0, "user_id")]
    assert second.event_ids == [None, "d", "e"] and second.user_ids == ["w"]


def test_concurrent_batches(store: Store, settings: Settings) -> None:
    with store.engine.begin() as connection:
        connection.execute(text("INSERT INTO items (item_id, title) VALUES ('i', 'i')"))
    committer = GroupCommitter(store, settings)
    shared = [
        {
            "event_id": f"s{n}",
            "user_id": "u",
            "item_id": "i",
            "event_type": "view",
            "timestamp": T0 + n,
        }
        for n in range(30)
    ]
    results: list[EventsOutcome] = []

    def send(n: int) -> None:
        own = [
            {
                "event_id": f"t{n}-{k}",
                "user_id": f"user{n}",
                "item_id": "i",
                "event_type": "click",
                "timestamp": T0 + k,
            }
            for k in range(20)
        ]
        results.append(committer.ingest([*shared, *own, {"user_id": f"user{n}"}]))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(len(r.accepted) for r in results) == 30 + 8 * 20
    assert all(len(r.rejected) == 1 and r.rejected[0].index == 50 for r in results)
    assert sum(r.users_created for r in results) == 1 + 8  # "u" is created once, by one
    assert sorted(r.users_created for r in results) == [1] * 7 + [2]
    assert store.counts()["events"] == 30 + 8 * 20
