"""The online quarantine stays within its byte cap: the oldest rows go first (earlier
days' files, then the oldest lines of today's), what was dropped is counted, and files of
import runs are never touched."""

from __future__ import annotations

import os
from pathlib import Path

from recmind.data.event_writes import Rejection
from recmind.data.online_quarantine import quarantine_rejections
from recmind.data.quarantine import read_quarantine


def rejected(n: int, start: int = 0) -> list[Rejection]:
    return [
        Rejection(
            index=i,
            field="timestamp",
            value="yesterday",
            reason="wrong_type",
            message="timestamp is not a time",
            record={"user_id": f"u{start + i:04d}", "event_type": "view"},
        )
        for i in range(n)
    ]


def size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.glob("*-api-*.jsonl"))


def test_without_a_cap_everything_is_kept(tmp_path: Path) -> None:
    for batch in range(3):
        outcome = quarantine_rejections(tmp_path, "events", f"r{batch}", rejected(50))
        assert outcome.dropped_rows == 0
    assert outcome.path is not None and len(read_quarantine(outcome.path)) == 150


def test_the_oldest_rows_go_first_and_are_counted(tmp_path: Path) -> None:
    import_run = tmp_path / "20240101T000000_000000Z-events.jsonl"
    import_run.write_bytes(b'{"row": 1}\n' * 1000)  # an import's file: never dropped
    yesterday = tmp_path / "20240101-api-events.jsonl"
    first = quarantine_rejections(tmp_path, "events", "old", rejected(20))
    assert first.path is not None
    first.path.rename(yesterday)
    os.utime(yesterday, (1, 1))  # older than anything written next
    old_size = size(tmp_path)
    cap = 3 * old_size

    dropped = 0
    for batch in range(1, 6):
        outcome = quarantine_rejections(
            tmp_path, "events", f"r{batch}", rejected(20, 100 * batch), max_bytes=cap
        )
        dropped += outcome.dropped_rows
        assert size(tmp_path) <= cap
    assert not yesterday.exists()  # the earlier day went first, whole
    assert outcome.path is not None
    today = read_quarantine(outcome.path)
    users = [e["record"]["user_id"] for e in today]
    assert users[-20:] == [f"u{500 + i:04d}" for i in range(20)]  # the newest batch is kept
    assert users == sorted(users)  # what is left is the newest, in order
    assert dropped == 20 + 5 * 20 - len(today)
    assert import_run.stat().st_size == 11_000


def test_a_batch_larger_than_the_cap_keeps_its_newest_rows(tmp_path: Path) -> None:
    outcome = quarantine_rejections(tmp_path, "events", "big", rejected(200), max_bytes=4096)
    assert size(tmp_path) <= 4096 // 2
    assert outcome.path is not None
    kept = read_quarantine(outcome.path)
    assert outcome.dropped_rows == 200 - len(kept) > 0
    assert kept[-1]["record"]["user_id"] == "u0199"
