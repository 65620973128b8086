"""The quarantine of the online API: rejected rows appended to one file per day and source
(``<quarantine_dir>/<YYYYMMDD>-api-<source>.jsonl``), in the importer's line format."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from recmind.data.event_writes import Rejection
from recmind.data.privacy import quarantine_lock
from recmind.data.quarantine import QuarantineWriter


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
    directory: Path, entity: str, source: str, rejections: Sequence[Rejection]
) -> Path | None:
    """Append the rejected rows of ``entity`` (``row``: 1-based position in the request;
    ``source``: which request); returns the file."""
    if not rejections:
        return None
    day = dt.datetime.now(dt.UTC).strftime("%Y%m%d")
    with quarantine_lock, _AppendingWriter(directory, day, source, f"api-{entity}") as writer:
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
