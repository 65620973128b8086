"""Import with validation and quarantine: planted bad rows of every kind, in every format."""

from __future__ import annotations

import gzip
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from recmind.data.bundle import DataBundle
from recmind.data.importer import ImportSummary, SourceError, import_bundle, import_files
from recmind.data.quarantine import read_quarantine
from recmind.data.store import Store


def _import(store: Store, files: dict[str, Path], tmp_path: Path, **kwargs: Any) -> ImportSummary:
    return import_files(store, **files, quarantine_dir=tmp_path / "quarantine", **kwargs)


def _check_summary(summary: ImportSummary, planted: Any, fmt: str, *, again: bool) -> None:
    assert [s.entity for s in summary.sources] == ["items", "users", "events", "reviews"]
    for source in summary.sources:
        want = planted.expected(source.entity, fmt)
        assert source.read == want.read, source
        assert source.quarantined == want.quarantined, source
        if again:
            assert source.imported == 0, source
            assert source.duplicates == want.imported + want.duplicates, source
            assert source.users_created == 0, source
        else:
            assert source.imported == want.imported, source
            assert source.duplicates == want.duplicates, source
            assert source.users_created == want.users_created, source
        assert source.quarantine_file is not None
        entries = read_quarantine(source.quarantine_file)
        assert len(entries) == len(want.entries)  # each rejected row exactly once
        assert {(e["row"], e["field"], e["reason"]) for e in entries} == want.entries
        assert {e["source"] for e in entries} == {source.source}


def _check_contents(store: Store) -> None:
    assert store.counts() == {"items": 4, "users": 7, "events": 7, "reviews": 3, "orders": 0}
    items = store.load_items().set_index("item_id")
    assert items.loc["i1", "price"] == pytest.approx(19.99)
    assert items.loc["i1", "stock"] == 5
    assert items.loc["i1", "attributes"] == {"size": "M", "color": "red"}
    assert items.loc["i1", "language"] == "en"
    assert math.isnan(items.loc["i3", "price"])
    assert items.loc["i4", "price"] == 0
    assert items.loc["i4", "description"] == "Warm"
    users = store.load_users().set_index("user_id")
    assert users.loc["u1", "consent_email"] is True
    assert users.loc["u1", "created_at"] == 1672531200.0
    assert users.loc["u1", "attributes"] == {"plan": "gold"}
    assert users.loc["u1", "timezone"] == "Europe/Paris"
    assert users.loc["u2", "consent_email"] is False
    assert users.loc["u3", "consent_email"] is True
    assert users.loc["u4", "consent_email"] is None
    assert users.loc["u9", "created_at"] == 1704326400.0  # first seen: its search
    events = store.load_events()
    assert set(events["event_type"]) == {
        "view",
        "click",
        "add_to_cart",
        "purchase",
        "rating",
        "search",
    }
    by_type = events.set_index("event_type")
    assert by_type.loc["add_to_cart", "timestamp"] == 1704182400.0  # +02:00 converted to UTC
    assert by_type.loc["purchase", "value"] == pytest.approx(19.99)
    assert by_type.loc["search", "item_id"] is None
    assert by_type.loc["search", "query"] == "red shirt"
    assert "e1" in set(events["event_id"])
    assert events["event_id"].is_unique
    reviews = store.load_reviews().set_index("user_id")
    assert reviews.loc["u1", "review_id"] == "r1"
    assert reviews.loc["u1", "text"] == "Great"
    assert math.isnan(reviews.loc["u7", "rating"])


def test_planted_rows_in_every_format(
    sqlite_store: Store, planted: Any, planted_format: str, tmp_path: Path
) -> None:
    files = planted.write_all(planted_format, tmp_path / "input")
    _check_summary(_import(sqlite_store, files, tmp_path), planted, planted_format, again=False)
    _check_contents(sqlite_store)
    _check_summary(_import(sqlite_store, files, tmp_path), planted, planted_format, again=True)
    _check_contents(sqlite_store)


def test_planted_rows_on_each_backend(store: Store, planted: Any, tmp_path: Path) -> None:
    files = planted.write_all("csv", tmp_path / "input")
    _check_summary(_import(store, files, tmp_path), planted, "csv", again=False)
    _check_contents(store)
    _check_summary(_import(store, files, tmp_path), planted, "csv", again=True)
    _check_contents(store)


def test_quarantine_keeps_the_original_record(
    sqlite_store: Store, planted: Any, tmp_path: Path
) -> None:
    files = planted.write_all("jsonl", tmp_path / "input")
    summary = _import(sqlite_store, files, tmp_path)
    items = summary.sources[0]
    assert items.quarantine_file is not None
    assert items.quarantine_file.name.endswith("-items.jsonl.jsonl")
    entries = {e["row"]: e for e in read_quarantine(items.quarantine_file)}
    price = entries[8]
    assert price["record"] == {"item_id": "i6", "title": "Bad price", "price": "abc"}
    assert price["value"] == "abc"
    assert price["message"] == "price has the wrong type"
    broken = entries[len(planted.rows["items"]) + 1]
    assert broken["record"] == '{"broken": '
    assert broken["field"] is None


def test_mapping_renames_columns_in_every_file(sqlite_store: Store, tmp_path: Path) -> None:
    (tmp_path / "movies.csv").write_text("movie_id,name\nm1,Alien\nm2,Heat\n")
    (tmp_path / "ratings.csv").write_text(
        "uid,movie_id,kind,ts,stars\n"
        "7,m1,rating,881250949,4\n"
        "7,m2,rating,881250950,5\n"
        "8,m3,rating,881250951,5\n"
    )
    mapping = {"movie_id": "item_id", "name": "title", "uid": "user_id", "kind": "event_type"}
    mapping |= {"ts": "timestamp", "stars": "value"}
    summary = _import(
        sqlite_store,
        {"items": tmp_path / "movies.csv", "events": tmp_path / "ratings.csv"},
        tmp_path,
        mapping=mapping,
    )
    assert [s.imported for s in summary.sources] == [2, 2]
    assert summary.sources[1].quarantined == {"unknown_item": 1}
    assert summary.sources[1].users_created == 1
    events = sqlite_store.load_events()
    assert sorted(events["item_id"]) == ["m1", "m2"]
    assert events["value"].tolist() == [4.0, 5.0]


def test_bad_mapping_or_unreadable_file_writes_nothing(sqlite_store: Store, tmp_path: Path) -> None:
    items = tmp_path / "items.csv"
    items.write_text("item_id,title,name\ni1,A,B\n")
    with pytest.raises(ValueError, match="unknown target field"):
        _import(sqlite_store, {"items": items}, tmp_path, mapping={"name": "nonsense"})
    with pytest.raises(SourceError, match="several columns are named"):
        _import(sqlite_store, {"items": items}, tmp_path, mapping={"name": "title"})
    broken = tmp_path / "events.parquet"
    broken.write_bytes(b"not parquet at all")
    with pytest.raises(SourceError, match="unreadable Parquet"):
        _import(sqlite_store, {"items": items, "events": broken}, tmp_path)
    spreadsheet = tmp_path / "events.xlsx"
    spreadsheet.write_bytes(b"PK")
    with pytest.raises(SourceError, match="unknown format"):
        _import(sqlite_store, {"items": items, "events": spreadsheet}, tmp_path)
    with pytest.raises(SourceError, match="no such file"):
        _import(sqlite_store, {"items": items, "events": tmp_path / "absent.csv"}, tmp_path)
    assert sqlite_store.counts()["items"] == 0


def test_duplicates_across_chunks_and_progress(sqlite_store: Store, tmp_path: Path) -> None:
    (tmp_path / "items.csv").write_text("item_id,title\ni1,A\ni2,B\n")
    rows = [f"u{n % 3},i{1 + n % 2},view,{1704103200 + n % 4}" for n in range(10)]
    (tmp_path / "events.csv").write_text("user_id,item_id,event_type,timestamp\n" + "\n".join(rows))
    calls: list[tuple[str, int, int | None]] = []
    summary = _import(
        sqlite_store,
        {"items": tmp_path / "items.csv", "events": tmp_path / "events.csv"},
        tmp_path,
        chunk_size=3,
        progress=lambda label, done, total: calls.append((label, done, total)),
    )
    events = summary.sources[1]
    unique = len({(n % 3, n % 2, n % 4) for n in range(10)})
    assert (events.read, events.imported, events.duplicates) == (10, unique, 10 - unique)
    assert sqlite_store.counts()["events"] == unique
    event_calls = [c for c in calls if c[0].endswith("events.csv")]
    assert [c[1] for c in event_calls] == [0, 3, 6, 9, 10]
    assert event_calls[-1][2] == 10


def test_each_committed_chunk_survives_a_later_failure(sqlite_store: Store, tmp_path: Path) -> None:
    (tmp_path / "items.csv").write_text("item_id,title\ni1,A\n")
    rows = "".join(f"u{n},i1,view,{1704103200 + n}\n" for n in range(5000))
    data = gzip.compress(("user_id,item_id,event_type,timestamp\n" + rows).encode())
    (tmp_path / "events.csv.gz").write_bytes(data[: len(data) - 200])
    with pytest.raises(SourceError, match="unreadable"):
        _import(
            sqlite_store,
            {"items": tmp_path / "items.csv", "events": tmp_path / "events.csv.gz"},
            tmp_path,
            chunk_size=500,
        )
    stored = sqlite_store.counts()["events"]
    assert stored >= 500
    assert stored % 500 == 0


def test_upsert_changes_only_what_differs(sqlite_store: Store, tmp_path: Path) -> None:
    first = tmp_path / "items.csv"
    first.write_text("item_id,title,price,stock\ni1,A,1.5,3\ni2,B,2,4\n")
    _import(sqlite_store, {"items": first}, tmp_path)
    second = tmp_path / "items2.csv"
    second.write_text("item_id,title,price\ni1,A,1.5\ni2,B,2.5\ni3,C,1\n")
    summary = _import(sqlite_store, {"items": second}, tmp_path)
    assert (summary.sources[0].imported, summary.sources[0].duplicates) == (2, 1)
    items = sqlite_store.load_items().set_index("item_id")
    assert items["price"].to_dict() == {"i1": 1.5, "i2": 2.5, "i3": 1.0}
    assert items.loc["i2", "stock"] == 4  # a column the file lacks keeps its stored value
    assert math.isnan(items.loc["i3", "stock"])


def _bundle() -> DataBundle:
    items = pd.DataFrame(
        {
            "item_id": [1, 2, 3],
            "title": ["A", "B", None],
            "price": [1.0, np.nan, 3.0],
            "stock": [1, 2, 3],
            "attributes": [{"genre": "x"}, {}, None],
        }
    )
    events = pd.DataFrame(
        {
            "event_id": [None, None, None, None],
            "user_id": ["u1", "u1", "u2", "u3"],
            "item_id": ["1", "2", "3", "1"],
            "event_type": ["rating", "rating", "view", "view"],
            "timestamp": [881250949.0, 881250950.0, 881250951.0, 4.0e10],
            "value": [4.0, 9.0, np.nan, np.nan],
        }
    )
    return DataBundle(name="tiny", items=items, events=events)


def test_import_bundle_uses_the_same_validation(store: Store, tmp_path: Path) -> None:
    quarantine = tmp_path / "quarantine"
    summary = import_bundle(store, _bundle(), quarantine_dir=quarantine)
    items, events = summary.sources
    assert (items.source, items.imported, items.quarantined) == (
        "tiny/items",
        2,
        {"missing_required": 1},
    )
    assert events.imported == 1
    assert events.quarantined == {
        "rating_out_of_range": 1,
        "unknown_item": 1,
        "future_timestamp": 1,
    }
    assert events.users_created == 1
    assert events.quarantine_file is not None
    assert events.quarantine_file.name.endswith("-tiny-events.jsonl")
    rows = {(e["row"], e["reason"]) for e in read_quarantine(events.quarantine_file)}
    assert rows == {(2, "rating_out_of_range"), (3, "unknown_item"), (4, "future_timestamp")}
    stored = store.load_items().set_index("item_id")
    assert stored.loc["1", "attributes"] == {"genre": "x"}
    again = import_bundle(store, _bundle(), quarantine_dir=quarantine)
    assert again.total_imported == 0
    assert again.total_valid == summary.total_valid == 3
