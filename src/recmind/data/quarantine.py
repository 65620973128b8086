"""Quarantine files: every rejected row, with where it came from and why, as JSON Lines.

One file per import run and source, ``<quarantine_dir>/<run-id>-<source name>.jsonl``. Each
line holds ``source``, ``row`` (1-based data row), ``field``, ``value``, ``reason`` (a code
from :data:`recmind.data.validate.REASONS`), ``message`` and the original ``record``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import numpy as np
import orjson

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def new_run_id(now: dt.datetime | None = None) -> str:
    """A sortable id for one import run, e.g. ``20261122T141238_123456Z``."""
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%S_%fZ")


def _default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _clean(value: Any) -> Any:
    """JSON-safe cell: NaN and pandas' missing markers become null."""
    if value is None:
        return None
    if isinstance(value, float | np.floating) and np.isnan(value):
        return None
    if value.__class__.__name__ in ("NAType", "NaTType"):
        return None
    return value


class QuarantineWriter:
    """Appends rejected rows of one source to its quarantine file, created on first use."""

    def __init__(self, directory: Path, run_id: str, source: str, name: str) -> None:
        self.directory = directory
        self.source = source
        self._stem = f"{run_id}-{_UNSAFE.sub('_', name)}"
        self._handle: IO[bytes] | None = None
        self.path: Path | None = None
        self.count = 0

    def _open(self) -> IO[bytes]:
        if self._handle is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / f"{self._stem}.jsonl"
            suffix = 1
            while path.exists():
                suffix += 1
                path = self.directory / f"{self._stem}-{suffix}.jsonl"
            self.path = path
            self._handle = path.open("xb")
        return self._handle

    def write(
        self,
        *,
        row: int,
        field: str | None,
        value: Any,
        reason: str,
        message: str,
        record: dict[str, Any] | str,
    ) -> None:
        """Quarantine one row."""
        if isinstance(record, dict):
            record = {str(k): _clean(v) for k, v in record.items()}
        line = {
            "source": self.source,
            "row": int(row),
            "field": field,
            "value": _clean(value),
            "reason": reason,
            "message": message,
            "record": record,
        }
        option = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_APPEND_NEWLINE
        self._open().write(orjson.dumps(line, default=_default, option=option))
        self.count += 1

    def flush(self) -> None:
        if self._handle is not None:
            self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def read_quarantine(path: Path) -> list[dict[str, Any]]:
    """Every entry of a quarantine file."""
    with path.open("rb") as handle:
        return [orjson.loads(line) for line in handle if line.strip()]
