"""Quarantine files: created only when needed, one line per row, never overwritten."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from recmind.data.quarantine import QuarantineWriter, new_run_id, read_quarantine


def test_run_ids_sort_by_time() -> None:
    early = new_run_id(dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC))
    assert early == "20260102T030405_000006Z"
    assert early < new_run_id()


def test_nothing_written_means_no_file(tmp_path: Path) -> None:
    with QuarantineWriter(tmp_path / "q", "run", "events.csv", "events.csv") as writer:
        pass
    assert writer.path is None
    assert not (tmp_path / "q").exists()


def test_lines_hold_source_row_field_value_reason_and_record(tmp_path: Path) -> None:
    with QuarantineWriter(tmp_path, "run", "/data/events.csv", "events.csv") as writer:
        writer.write(
            row=3,
            field="value",
            value=np.float64("nan"),
            reason="wrong_type",
            message="value has the wrong type",
            record={"value": "abc", "n": np.int64(2), "when": dt.datetime(2024, 1, 1)},
        )
        writer.write(
            row=4, field=None, value=None, reason="malformed_row", message="m", record="a,b"
        )
    assert writer.path == tmp_path / "run-events.csv.jsonl"
    first, second = read_quarantine(writer.path)
    assert first == {
        "source": "/data/events.csv",
        "row": 3,
        "field": "value",
        "value": None,
        "reason": "wrong_type",
        "message": "value has the wrong type",
        "record": {"value": "abc", "n": 2, "when": "2024-01-01T00:00:00"},
    }
    assert second["record"] == "a,b"


def test_same_name_twice_gets_a_new_file(tmp_path: Path) -> None:
    paths = []
    for _ in range(2):
        with QuarantineWriter(tmp_path, "run", "x/a b.csv", "a b.csv") as writer:
            writer.write(row=1, field=None, value=None, reason="r", message="m", record="")
        paths.append(writer.path)
    assert [p.name for p in paths if p] == ["run-a_b.csv.jsonl", "run-a_b.csv-2.jsonl"]
