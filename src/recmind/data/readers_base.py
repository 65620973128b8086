"""What every reader yields: chunks of rows with their numbers, and rows that did not parse."""

from __future__ import annotations

import gzip
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

import numpy as np
import pandas as pd

DEFAULT_CHUNK_SIZE = 200_000
MALFORMED_ROW = "malformed_row"
MALFORMED_JSON = "malformed_json"


class SourceError(Exception):
    """A source file is missing, unreadable, or not in a format recmind reads."""


@dataclass(frozen=True)
class BadLine:
    """A row that did not parse: its number, raw text and why."""

    row: int
    text: str
    reason: str
    message: str


@dataclass
class RawChunk:
    """Up to ``chunk_size`` parsed rows, their row numbers, and the rows that did not parse."""

    frame: pd.DataFrame
    rows: np.ndarray
    bad_lines: list[BadLine] = field(default_factory=list)

    @property
    def n_read(self) -> int:
        return len(self.frame) + len(self.bad_lines)


class SourceReader(ABC):
    """One input, read chunk by chunk."""

    label: str
    """Human name of the source (the file path as given, or ``bundle/entity``)."""

    @abstractmethod
    def columns(self) -> list[str]:
        """The column names (reads only the header); raises :class:`SourceError`."""

    @abstractmethod
    def total_rows(self) -> int | None:
        """The number of data rows, or an estimate, for progress bars."""

    @abstractmethod
    def chunks(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[RawChunk]:
        """The rows, ``chunk_size`` at a time; raises :class:`SourceError` on I/O errors."""


class FileReader(SourceReader):
    """A file on disk, optionally gzip-compressed (``.gz``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = str(path)
        self.compressed = path.name.lower().endswith(".gz")

    def _open_binary(self) -> IO[bytes]:
        try:
            if self.compressed:
                return cast(IO[bytes], gzip.open(self.path, "rb"))
            return open(self.path, "rb")
        except OSError as exc:
            raise SourceError(f"{self.path}: cannot open ({exc.strerror or exc})") from exc

    def total_rows(self) -> int | None:
        lines, last = 0, b"\n"
        try:
            with self._open_binary() as handle:
                while block := handle.read(1 << 22):
                    lines += block.count(b"\n")
                    last = block[-1:]
        except (OSError, EOFError, zlib.error):
            return None
        return lines + (last != b"\n")
