"""Generated portraits cached on disk, one small JSON file per person.

A file is named by the sha256 of the person's id and holds the portrait, the key of the
facts it was written from (a change of tags or titles makes it stale) and when. Writes and
erasures take one file lock (other processes included), and a write first asks whether the
person still may be written about: a portrait whose generation began before the person's
erasure is never stored after it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import orjson

from recmind.data.file_lock import exclusive

PORTRAIT_KIND: Final = "portrait"
LOCK_FILE = ".lock"


class PortraitCache:
    """Portraits under ``root``, by person."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, user_id: str) -> Path:
        digest = hashlib.sha256(user_id.encode()).hexdigest()
        return self.root / f"{digest}.json"

    def read(self, user_id: str) -> dict[str, Any] | None:
        """The cached entry (``text``, ``facts``, ``kind``, ``created_at``) or None."""
        try:
            data = orjson.loads(self._path(user_id).read_bytes())
        except (FileNotFoundError, orjson.JSONDecodeError):
            return None
        return data if isinstance(data, dict) and data.get("user_id") == user_id else None

    def write(
        self,
        user_id: str,
        facts: str,
        text: str,
        *,
        allowed: Callable[[], bool] | None = None,
    ) -> bool:
        """Store a portrait written from ``facts``, unless ``allowed`` (asked under the
        lock, just before writing) says the person may no longer be written about; True
        when stored."""
        path = self._path(user_id)
        payload = orjson.dumps(
            {
                "user_id": user_id,
                "kind": PORTRAIT_KIND,
                "facts": facts,
                "text": text,
                "created_at": time.time(),
            }
        )
        with exclusive(self.root / LOCK_FILE):
            if allowed is not None and not allowed():
                return False
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.root)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(payload)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return True

    def texts(self, user_id: str) -> list[dict[str, Any]]:
        """Every generated text cached about the person (for export)."""
        cached = self.read(user_id)
        if cached is None:
            return []
        return [
            {
                "kind": str(cached.get("kind", PORTRAIT_KIND)),
                "text": str(cached["text"]),
                "created_at": float(cached.get("created_at", 0.0)),
            }
        ]

    def forget(self, user_id: str) -> int:
        """Delete everything cached about the person; how many texts were deleted."""
        with exclusive(self.root / LOCK_FILE):
            try:
                self._path(user_id).unlink()
            except FileNotFoundError:
                return 0
        return 1
