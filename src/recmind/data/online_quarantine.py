"""The quarantine of the online API: rejected rows appended to one file per day and source
(``<quarantine_dir>/<YYYYMMDD>-api-<source>.jsonl``), in the importer's line format.

Its growth is bounded: when the online files together pass ``max_bytes``, the oldest rows
go first (whole files of earlier days, then the oldest lines of the current file, down to
half the limit, so the next rejections do not trim again at once). What was dropped is
counted (:class:`QuarantineOutcome`, and the API's ``recmind_quarantine_rows_dropped``
counter) and logged. Files of ``recmind import`` runs are not touched.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from recmind.data.event_writes import Rejection
from recmind.data.privacy import quarantine_lock
from recmind.data.quarantine import QuarantineWriter

logger = logging.getLogger(__name__)

ONLINE_FILE = re.compile(r"^\d{8}-api-[A-Za-z0-9._-]+\.jsonl$")
"""The online quarantine's files (import runs write ``<YYYYMMDDTHHMMSS_ffffffZ>-<source>``)."""


@dataclass(frozen=True)
class QuarantineOutcome:
    """Where the rejected rows went, and how many older rows the cap dropped."""

    path: Path | None
    dropped_rows: int = 0
    dropped_bytes: int = 0


class _AppendingWriter(QuarantineWriter):
    """A quarantine writer that appends to its day's file instead of starting a new one."""

    def _open(self) -> IO[bytes]:
        if self._handle is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self.path = self.directory / f"{self._stem}.jsonl"
            self._handle = self.path.open("ab")
        return self._handle


def _storable(value: Any) -> Any:
    """JSON-safe for orjson: integers past 64 bits become their digits."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        return str(value)
    if isinstance(value, dict):
        return {str(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


def quarantine_rejections(
    directory: Path,
    entity: str,
    source: str,
    rejections: Sequence[Rejection],
    *,
    max_bytes: int | None = None,
) -> QuarantineOutcome:
    """Append the rejected rows of ``entity`` (``row``: 1-based position in the request;
    ``source``: which request), then keep the online files within ``max_bytes``."""
    if not rejections:
        return QuarantineOutcome(None)
    day = dt.datetime.now(dt.UTC).strftime("%Y%m%d")
    with quarantine_lock:
        path = _append(directory, day, entity, source, rejections)
        dropped = (0, 0) if max_bytes is None else _trim(directory, path, max_bytes)
    if dropped[0]:
        logger.warning(
            "online quarantine over %d bytes: dropped its %d oldest rows (%d bytes)",
            max_bytes,
            *dropped,
        )
    return QuarantineOutcome(path, *dropped)


def _append(
    directory: Path, day: str, entity: str, source: str, rejections: Sequence[Rejection]
) -> Path | None:
    with _AppendingWriter(directory, day, source, f"api-{entity}") as writer:
        for rejection in rejections:
            writer.write(
                row=rejection.index + 1,
                field=rejection.field,
                value=_storable(rejection.value),
                reason=rejection.reason,
                message=rejection.message,
                record=_storable(rejection.record)
                if isinstance(rejection.record, dict)
                else str(rejection.record),
            )
        writer.flush()
        return writer.path


def _lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


def _trim(directory: Path, current: Path | None, max_bytes: int) -> tuple[int, int]:
    """Drop the oldest online rows until the files hold at most ``max_bytes`` (down to
    half of it once trimming starts); ``(rows, bytes)`` dropped. The caller holds the
    quarantine lock."""
    online = [p for p in directory.glob("*.jsonl") if ONLINE_FILE.match(p.name)]
    files = sorted(online, key=lambda p: (p.stat().st_mtime, p.name))
    sizes = {p: p.stat().st_size for p in files}
    total = sum(sizes.values())
    if total <= max_bytes:
        return 0, 0
    target = max_bytes // 2
    rows = dropped = 0
    for path in files:
        if total <= target:
            break
        if path == current or total - sizes[path] < target:
            rows_cut, bytes_cut = _cut_oldest_lines(path, total - target)
        else:
            rows_cut, bytes_cut = _lines(path), sizes[path]
            path.unlink()
        rows, dropped, total = rows + rows_cut, dropped + bytes_cut, total - bytes_cut
    return rows, dropped


def _cut_oldest_lines(path: Path, at_least: int) -> tuple[int, int]:
    """Remove whole lines from the start of ``path`` until ``at_least`` bytes are gone."""
    with path.open("rb") as handle:
        lines = handle.readlines()
    cut = removed = 0
    while cut < len(lines) and removed < at_least:
        removed += len(lines[cut])
        cut += 1
    kept = lines[cut:]
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.writelines(kept)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sum(1 for line in lines[:cut] if line.strip()), removed
