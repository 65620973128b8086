"""Chunked readers: formats, row numbers, rows the parser rejects, unreadable files."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from recmind.data.readers import (
    CsvReader,
    FrameReader,
    JsonLinesReader,
    ParquetReader,
    RawChunk,
    SourceError,
    open_source,
)


def _all(chunks: list[RawChunk]) -> tuple[pd.DataFrame, list[int], list[tuple[int, str]]]:
    frame = pd.concat([c.frame for c in chunks], ignore_index=True)
    rows = [int(r) for c in chunks for r in c.rows]
    bad = [(b.row, b.reason) for c in chunks for b in c.bad_lines]
    return frame, rows, bad


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.csv", CsvReader),
        ("a.TSV", CsvReader),
        ("a.csv.gz", CsvReader),
        ("a.jsonl", JsonLinesReader),
        ("a.ndjson.gz", JsonLinesReader),
        ("a.json", JsonLinesReader),
        ("a.parquet", ParquetReader),
        ("a.pq.gz", ParquetReader),
    ],
)
def test_format_follows_the_extension(name: str, kind: type, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    assert isinstance(open_source(path), kind)


def test_missing_folder_and_unknown_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        open_source(tmp_path / "absent.csv")
    with pytest.raises(SourceError, match="not a file"):
        open_source(tmp_path)
    (tmp_path / "data.xlsx").write_bytes(b"PK")
    with pytest.raises(SourceError, match=r"unknown format '\.xlsx'"):
        open_source(tmp_path / "data.xlsx")


def test_csv_rows_quoting_bom_and_bad_records(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text(
        '\ufeffitem_id, title\ni1,"A, quoted"\n\ni2,"two\nlines"\ni3,too,many\ni4\ni5,last',
        encoding="utf-8",
    )
    reader = open_source(path)
    assert reader.columns() == ["item_id", "title"]
    assert reader.total_rows() == 7  # an estimate from line breaks, for progress bars
    frame, rows, bad = _all(list(reader.chunks(chunk_size=2)))
    assert frame["item_id"].tolist() == ["i1", "i2", "i5"]
    assert frame["title"].tolist() == ["A, quoted", "two\nlines", "last"]
    assert rows == [1, 2, 5]
    assert bad == [(3, "malformed_row"), (4, "malformed_row")]


def test_csv_without_header_or_with_duplicate_names(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(SourceError, match="no header"):
        open_source(tmp_path / "empty.csv").columns()
    (tmp_path / "twice.csv").write_text("a,b,a\n1,2,3\n")
    with pytest.raises(SourceError, match="duplicate column names"):
        open_source(tmp_path / "twice.csv").columns()


def test_header_only_csv_gives_an_empty_chunk(tmp_path: Path) -> None:
    (tmp_path / "items.csv").write_text("item_id,title\n")
    chunks = list(open_source(tmp_path / "items.csv").chunks())
    assert [c.n_read for c in chunks] == [0]
    assert list(chunks[0].frame.columns) == ["item_id", "title"]


def test_non_utf8_csv_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "latin.csv").write_bytes("item_id,title\ni1,caf\xe9\n".encode("latin-1"))
    with pytest.raises(SourceError, match="unreadable"):
        list(open_source(tmp_path / "latin.csv").chunks())


def test_json_lines_numbers_lines_and_rejects_non_objects(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl.gz"
    lines = [
        '{"user_id": "u1", "timestamp": 1, "attributes": {"a": 1}}',
        "",
        '{"user_id": "u2", ',
        "[1, 2]",
        '{"user_id": "u3", "extra": true}',
    ]
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    reader = open_source(path)
    assert reader.columns() == ["user_id", "timestamp", "attributes"]
    frame, rows, bad = _all(list(reader.chunks(chunk_size=10)))
    assert frame["user_id"].tolist() == ["u1", "u3"]
    assert frame.loc[0, "attributes"] == {"a": 1}
    assert rows == [1, 5]
    assert bad == [(3, "malformed_json"), (4, "malformed_json")]


def test_parquet_keeps_native_types_and_counts_rows(tmp_path: Path) -> None:
    table = pa.table({"item_id": ["a", "b", "c"], "price": [1.5, None, 3.0]})
    pq.write_table(table, tmp_path / "items.parquet")
    reader = open_source(tmp_path / "items.parquet")
    assert reader.columns() == ["item_id", "price"]
    assert reader.total_rows() == 3
    frame, rows, bad = _all(list(reader.chunks(chunk_size=2)))
    assert rows == [1, 2, 3]
    assert frame["price"].dtype == "float64"
    assert bad == []


def test_broken_gzip_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "items.csv.gz").write_bytes(b"this is not gzip")
    with pytest.raises(SourceError):
        open_source(tmp_path / "items.csv.gz").columns()


def test_frame_reader_numbers_rows_by_position() -> None:
    frame = pd.DataFrame({"item_id": list("abcde")}, index=[10, 11, 12, 13, 14])
    reader = FrameReader(frame, "bundle/items")
    chunks = list(reader.chunks(chunk_size=2))
    assert [c.rows.tolist() for c in chunks] == [[1, 2], [3, 4], [5]]
    assert reader.total_rows() == 5


def test_csv_switches_to_the_exact_reader_after_arrow_blocks(tmp_path: Path) -> None:
    lines = [f"u{n},i{n % 7},view,{1704103200 + n}" for n in range(1, 3001)]
    lines[2499] = "u2500,i1,view,1704105700,extra"
    lines[2799] = "u2800"
    path = tmp_path / "events.csv"
    path.write_text("user_id,item_id,event_type,timestamp\n" + "\n".join(lines) + "\n")
    reader = CsvReader(path)
    reader.block_bytes = 4096  # many Arrow blocks before the first bad record
    frame, rows, bad = _all(list(reader.chunks(chunk_size=100)))
    assert bad == [(2500, "malformed_row"), (2800, "malformed_row")]
    assert rows == [n for n in range(1, 3001) if n not in (2500, 2800)]
    assert frame["user_id"].tolist() == [f"u{n}" for n in rows]
