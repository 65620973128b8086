"""CSV and TSV files: Arrow's parser while every record is well formed, Python's after.

Arrow's streaming CSV reader is several times faster than the ``csv`` module but cannot say
*which* record it skipped when one has the wrong number of fields. So the file is parsed
with Arrow until the first such record (or the first read error); from there on, starting
at the first row not yet handed out, the ``csv`` module takes over and reports every bad
record by its number. Both paths skip blank lines without counting them.
"""

from __future__ import annotations

import csv
import io
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from recmind.data.readers_base import (
    DEFAULT_CHUNK_SIZE,
    MALFORMED_ROW,
    BadLine,
    FileReader,
    RawChunk,
    SourceError,
)


class _UseExactReaderError(Exception):
    """Arrow met a malformed record or a read error: the ``csv`` module takes over to
    report it exactly (which record, or after which row the file breaks)."""


def _frame_from_records(names: list[str], records: list[list[str]]) -> pd.DataFrame:
    columns = list(zip(*records, strict=True)) if records else [() for _ in names]
    return pd.DataFrame(
        {name: pd.Series(values, dtype=object) for name, values in zip(names, columns, strict=True)}
    )


class CsvReader(FileReader):
    """Comma- (``.csv``) or tab-separated (``.tsv``) text with a header row, UTF-8."""

    block_bytes = 1 << 24
    """How much text Arrow parses at a time."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        stem = path.name.lower().removesuffix(".gz")
        self.delimiter = "\t" if stem.endswith(".tsv") else ","

    def _open_text(self) -> IO[str]:
        return io.TextIOWrapper(self._open_binary(), encoding="utf-8-sig", newline="")

    def columns(self) -> list[str]:
        try:
            with self._open_text() as handle:
                header = next(csv.reader(handle, delimiter=self.delimiter), None)
        except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error) as exc:
            raise SourceError(f"{self.path}: unreadable CSV ({exc})") from exc
        if not header or not any(name.strip() for name in header):
            raise SourceError(f"{self.path}: no header row")
        names = [name.strip() for name in header]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise SourceError(f"{self.path}: duplicate column names {duplicated}")
        return names

    def total_rows(self) -> int | None:
        lines = super().total_rows()
        return None if lines is None else max(lines - 1, 0)

    def chunks(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[RawChunk]:
        names = self.columns()
        emitted = 0
        try:
            for frame in self._arrow_frames(names, chunk_size):
                yield RawChunk(frame, np.arange(emitted + 1, emitted + len(frame) + 1))
                emitted += len(frame)
        except _UseExactReaderError:
            yield from self._python_chunks(names, chunk_size, skip=emitted)
            return
        if emitted == 0:
            yield RawChunk(_frame_from_records(names, []), np.zeros(0, dtype=int))

    def _arrow_frames(self, names: list[str], chunk_size: int) -> Iterator[pd.DataFrame]:
        """Frames of ``chunk_size`` rows; raises :class:`_UseExactReaderError` before handing
        out a frame if any record so far had the wrong number of fields."""
        malformed: list[Any] = []

        def on_invalid(row: Any) -> str:
            malformed.append(row)
            return "skip"

        pending: list[pa.RecordBatch] = []
        pending_rows = 0
        try:
            stream = pa.input_stream(
                str(self.path), compression="gzip" if self.compressed else None
            )
            with stream, self._arrow_reader(stream, names, on_invalid) as reader:
                for batch in reader:
                    if malformed:
                        raise _UseExactReaderError
                    pending.append(batch)
                    pending_rows += batch.num_rows
                    while pending_rows >= chunk_size:
                        table = pa.Table.from_batches(pending)
                        yield table.slice(0, chunk_size).to_pandas()
                        rest = table.slice(chunk_size)
                        pending, pending_rows = rest.to_batches(), rest.num_rows
        except (pa.ArrowInvalid, OSError, EOFError, zlib.error) as exc:
            raise _UseExactReaderError from exc
        if malformed:
            raise _UseExactReaderError
        if pending_rows:
            yield pa.Table.from_batches(pending).to_pandas()

    def _arrow_reader(self, stream: Any, names: list[str], on_invalid: Any) -> Any:
        return pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1, block_size=self.block_bytes
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=self.delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    def _python_chunks(self, names: list[str], chunk_size: int, skip: int) -> Iterator[RawChunk]:
        """Every record after the first ``skip``, numbered, the malformed ones as bad lines."""
        width = len(names)
        records: list[list[str]] = []
        rows: list[int] = []
        bad: list[BadLine] = []
        number = 0
        try:
            with self._open_text() as handle:
                reader = csv.reader(handle, delimiter=self.delimiter)
                next(reader, None)
                for record in reader:
                    if not record:
                        continue
                    number += 1
                    if number <= skip:
                        continue
                    if len(record) == width:
                        records.append(record)
                        rows.append(number)
                    else:
                        message = f"expected {width} fields, found {len(record)}"
                        text = self.delimiter.join(record)
                        bad.append(BadLine(number, text, MALFORMED_ROW, message))
                    if len(records) + len(bad) >= chunk_size:
                        yield RawChunk(_frame_from_records(names, records), np.array(rows), bad)
                        records, rows, bad = [], [], []
        except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error) as exc:
            raise SourceError(f"{self.path}: unreadable after data row {number} ({exc})") from exc
        if records or bad:
            yield RawChunk(_frame_from_records(names, records), np.array(rows, dtype=int), bad)
