"""Embeddings kept on disk, so a text is encoded once per model.

One SQLite file per encoder model (``<cache_dir>/<name>@<revision>.sqlite``) maps
``sha256(kind, text)`` to the float32 vector. The file runs in WAL mode: any number of
processes read while one writes, and a crash loses at most the batch being written.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path

import numpy as np

from recmind.config import get_settings
from recmind.text.encoders.base import Encoder, Progress, TextKind

logger = logging.getLogger(__name__)

_LOOKUP_CHUNK = 500
"""Keys per ``IN (...)`` query (SQLite's variable limit is far above this)."""
_WRITE_CHUNK = 256
"""Texts encoded and committed together: a crash loses at most this many."""


def default_cache_dir() -> Path:
    """``<settings.home>/cache/embeddings``."""
    return get_settings().home / "cache" / "embeddings"


def text_key(text: str, kind: TextKind) -> str:
    """Hex sha256 of the kind and the text (the kind matters for prefix models like e5)."""
    return hashlib.sha256(f"{kind}\x00{text}".encode()).hexdigest()


def cache_file_name(encoder: Encoder) -> str:
    """``name@revision.sqlite`` with anything unsafe in a file name replaced."""
    revision = getattr(encoder, "revision", "")
    stem = f"{encoder.name}@{revision}" if revision else encoder.name
    return re.sub(r"[^A-Za-z0-9._@+=-]", "_", stem) + ".sqlite"


class EmbeddingStore:
    """The vectors of one encoder in one SQLite file."""

    def __init__(self, path: Path, dim: int) -> None:
        self.path = path
        self.dim = dim
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)"
            )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=60.0)) as db, db:
            yield db

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors among ``keys`` (missing keys are simply absent)."""
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        with self._connect() as db:
            for start in range(0, len(unique), _LOOKUP_CHUNK):
                chunk = unique[start : start + _LOOKUP_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk)
                for key, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.size == self.dim:
                        found[key] = vector
        return found

    def put(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        """Store vectors (a key already present keeps its vector)."""
        rows = [
            (key, np.ascontiguousarray(v, dtype=np.float32).tobytes())
            for key, v in zip(keys, vectors, strict=True)
        ]
        with self._connect() as db:
            db.executemany("INSERT OR IGNORE INTO vectors (key, vec) VALUES (?, ?)", rows)

    def __len__(self) -> int:
        with self._connect() as db:
            (count,) = db.execute("SELECT COUNT(*) FROM vectors").fetchone()
        return int(count)


class CachedEncoder:
    """An :class:`Encoder` that reads known texts from disk and encodes only the rest.

    When every text is cached the wrapped encoder is never called, so its model is never
    loaded.
    """

    def __init__(self, encoder: Encoder, cache_dir: Path | None = None) -> None:
        self.encoder = encoder
        self.cache_dir = cache_dir if cache_dir is not None else default_cache_dir()
        self.store = EmbeddingStore(self.cache_dir / cache_file_name(encoder), encoder.dim)
        self.hits = 0
        self.misses = 0

    @property
    def name(self) -> str:
        return self.encoder.name

    @property
    def dim(self) -> int:
        return self.encoder.dim

    @property
    def revision(self) -> str:
        return str(getattr(self.encoder, "revision", ""))

    def encode(
        self,
        texts: Sequence[str],
        *,
        kind: TextKind = "passage",
        batch_size: int = 64,
        progress: Progress | None = None,
    ) -> np.ndarray:
        """See :class:`~recmind.text.encoders.Encoder`; ``progress`` counts cached texts as
        done at once."""
        items = [str(t) for t in texts]
        keys = [text_key(t, kind) for t in items]
        cached = self.store.get(keys)
        wanted = Counter(k for k in keys if k not in cached)
        missing = list(wanted)
        text_of = dict(zip(keys, items, strict=True))
        n_known = len(items) - wanted.total()
        self.hits += n_known
        self.misses += len(items) - n_known
        if progress is not None and n_known:
            progress(n_known, len(items))
        done = 0
        for start in range(0, len(missing), _WRITE_CHUNK):
            chunk = missing[start : start + _WRITE_CHUNK]
            vectors = self.encoder.encode(
                [text_of[k] for k in chunk], kind=kind, batch_size=batch_size
            )
            self.store.put(chunk, vectors)
            cached.update(zip(chunk, vectors, strict=True))
            done += sum(wanted[k] for k in chunk)
            if progress is not None:
                progress(n_known + done, len(items))
        if missing:
            logger.info("%s: encoded %d new texts, %d from cache", self.name, len(missing), n_known)
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = cached[key]
        return out
