"""An exclusive lock on a file, held against every other thread and process.

Caches under ``RECMIND_HOME`` that hold people's data (generated portraits, generations)
take it around writes and erasures, so an erasure in one process and a write finishing in
another cannot interleave. ``flock`` locks belong to an open file description, so each
acquisition opens the file anew: two threads of one process exclude each other too.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created, with its folder, if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
