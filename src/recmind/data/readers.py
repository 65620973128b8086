"""Read CSV, JSON Lines and Parquet files (optionally gzip-compressed) in chunks.

Every chunk keeps the source's own column names and the 1-based number of each data row
(CSV: the record number, header excluded; JSON Lines: the line number; Parquet and
in-memory frames: the row position). Rows the parser cannot make sense of (a CSV record
with the wrong number of fields, a JSON line that does not parse or is not an object) come
back as :class:`BadLine` so the caller can quarantine them.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow.parquet as pq

from recmind.data.readers_base import (
    DEFAULT_CHUNK_SIZE,
    MALFORMED_JSON,
    MALFORMED_ROW,
    BadLine,
    FileReader,
    RawChunk,
    SourceError,
    SourceReader,
)
from recmind.data.readers_csv import CsvReader

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "MALFORMED_JSON",
    "MALFORMED_ROW",
    "BadLine",
    "CsvReader",
    "FileReader",
    "FrameReader",
    "JsonLinesReader",
    "ParquetReader",
    "RawChunk",
    "SourceError",
    "SourceReader",
    "open_source",
]


class JsonLinesReader(FileReader):
    """One JSON object per line (``.jsonl``, ``.ndjson``, ``.json``), UTF-8."""

    def columns(self) -> list[str]:
        names: dict[str, None] = {}
        try:
            with self._open_binary() as handle:
                for line in handle:
                    if not line.strip():
                        continue
                    try:
                        parsed = orjson.loads(line)
                    except orjson.JSONDecodeError:
                        continue
                    if isinstance(parsed, dict):
                        names.update(dict.fromkeys(parsed))
                        break
        except (OSError, EOFError, zlib.error) as exc:
            raise SourceError(f"{self.path}: unreadable ({exc})") from exc
        return list(names)

    def chunks(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[RawChunk]:
        objects: list[dict[str, Any]] = []
        rows: list[int] = []
        bad: list[BadLine] = []
        number = 0
        try:
            with self._open_binary() as handle:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    parsed, problem = _parse_json_line(line)
                    if problem is None:
                        objects.append(parsed)
                        rows.append(number)
                    else:
                        text = line.decode("utf-8", errors="replace").rstrip("\r\n")
                        bad.append(BadLine(number, text, MALFORMED_JSON, problem))
                    if len(objects) + len(bad) >= chunk_size:
                        yield RawChunk(pd.DataFrame(objects), np.array(rows), bad)
                        objects, rows, bad = [], [], []
        except (OSError, EOFError, zlib.error) as exc:
            raise SourceError(f"{self.path}: unreadable after line {number} ({exc})") from exc
        if objects or bad or number == 0:
            yield RawChunk(pd.DataFrame(objects), np.array(rows, dtype=int), bad)


def _parse_json_line(line: bytes) -> tuple[dict[str, Any], str | None]:
    try:
        parsed = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return {}, f"not valid JSON ({exc})"
    if not isinstance(parsed, dict):
        return {}, f"a JSON {type(parsed).__name__}, not an object"
    return parsed, None


class ParquetReader(FileReader):
    """Apache Parquet (``.parquet``, ``.pq``); a gzip-compressed one is inflated in memory."""

    def _file(self) -> pq.ParquetFile:
        try:
            if self.compressed:
                with self._open_binary() as handle:
                    return pq.ParquetFile(io.BytesIO(handle.read()))
            return pq.ParquetFile(self.path)
        except SourceError:
            raise
        except Exception as exc:  # pyarrow raises several unrelated types
            raise SourceError(f"{self.path}: unreadable Parquet ({exc})") from exc

    def columns(self) -> list[str]:
        return list(self._file().schema_arrow.names)

    def total_rows(self) -> int | None:
        return int(self._file().metadata.num_rows)

    def chunks(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[RawChunk]:
        parquet = self._file()
        start = 0
        try:
            for batch in parquet.iter_batches(batch_size=chunk_size):
                frame = batch.to_pandas()
                yield RawChunk(frame, np.arange(start + 1, start + len(frame) + 1))
                start += len(frame)
        except Exception as exc:
            raise SourceError(f"{self.path}: unreadable after row {start} ({exc})") from exc
        if start == 0:
            empty = parquet.schema_arrow.empty_table().to_pandas()
            yield RawChunk(empty, np.zeros(0, dtype=int))


class FrameReader(SourceReader):
    """An in-memory DataFrame (a bundle's table) read like a file."""

    def __init__(self, frame: pd.DataFrame, label: str) -> None:
        self.frame = frame.reset_index(drop=True)
        self.label = label

    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def total_rows(self) -> int | None:
        return len(self.frame)

    def chunks(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[RawChunk]:
        for start in range(0, max(len(self.frame), 1), chunk_size):
            part = self.frame.iloc[start : start + chunk_size].reset_index(drop=True)
            yield RawChunk(part, np.arange(start + 1, start + len(part) + 1))


_FORMATS: dict[str, type[FileReader]] = {
    ".csv": CsvReader,
    ".tsv": CsvReader,
    ".jsonl": JsonLinesReader,
    ".ndjson": JsonLinesReader,
    ".json": JsonLinesReader,
    ".parquet": ParquetReader,
    ".pq": ParquetReader,
}


def open_source(path: Path | str) -> SourceReader:
    """A reader for ``path`` chosen by its extension (``.gz`` allowed on top).

    Raises:
        SourceError: the file is missing, is a folder, or has an unknown extension.
    """
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    if not path.is_file():
        raise SourceError(f"{path}: not a file")
    suffix = Path(path.name.lower().removesuffix(".gz")).suffix
    reader = _FORMATS.get(suffix)
    if reader is None:
        known = ", ".join(sorted(_FORMATS))
        raise SourceError(f"{path}: unknown format {suffix!r} (expected one of {known}, or .gz)")
    return reader(path)
