"""A disk cache of generations, and a Generator wrapper that uses it.

The key is the sha256 of the model identity and every output-shaping field of the request
(seed resolved), so a hit is exactly what the model would produce again. Entries are small
JSON files (``<root>/<key[:2]>/<key>.json``) written atomically; a damaged entry reads as a
miss. Only complete generations are stored: a timeout depends on the clock, not the request.

Generations whose prompt holds a person's data run inside :func:`about` (the keyed hash of
their id, see :mod:`recmind.data.tombstones`): every entry written or read there is listed
under ``<root>/subjects/<subject>``, so erasing the person finds and deletes those entries
(:meth:`GenerationCache.forget`). Writes and erasures take one lock (a file lock, so other
processes are excluded too) and a subject's check, run under it just before a write, keeps
a generation that finishes after the person's erasure from being stored.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from recmind.data.file_lock import exclusive
from recmind.text.llm.protocol import (
    GenerationRequest,
    GenerationResult,
    Generator,
    TextStream,
    request_key,
)

logger = logging.getLogger(__name__)

SUBJECTS_DIR = "subjects"
LOCK_FILE = ".lock"


@dataclass(frozen=True)
class Subject:
    """A person a generation is about.

    Attributes:
        tag: The keyed hash of their id (never the id itself).
        present: Checked under the cache lock just before an entry about them is written:
            False (they were erased meanwhile) keeps it from being stored.
    """

    tag: str
    present: Callable[[], bool] | None = None

    def allows_write(self) -> bool:
        return self.present is None or self.present()


_subjects: ContextVar[tuple[Subject, ...]] = ContextVar("recmind_llm_subjects", default=())


@contextmanager
def about(*subjects: Subject) -> Iterator[None]:
    """Generations in this block (this thread or task) are about ``subjects``: cache
    entries they write or hit are listed under each subject's tag."""
    token = _subjects.set(_subjects.get() + subjects)
    try:
        yield
    finally:
        _subjects.reset(token)


def current_subjects() -> tuple[Subject, ...]:
    """The subjects of the enclosing :func:`about` blocks."""
    return _subjects.get()


class GenerationCache:
    """Results on disk, keyed by ``request_key``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def _subject_path(self, tag: str) -> Path:
        if not tag or not all(c in "0123456789abcdef" for c in tag):
            raise ValueError(f"a subject tag is a lowercase hex digest, got {tag!r}")
        return self.root / SUBJECTS_DIR / tag

    def _locked(self) -> AbstractContextManager[None]:
        """Excludes every other writer and eraser, in this process or another."""
        return exclusive(self.root / LOCK_FILE)

    def _list_under(self, key: str, subjects: tuple[Subject, ...]) -> None:
        for subject in subjects:
            path = self._subject_path(subject.tag)
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="ascii") as handle:
                handle.write(key + "\n")

    def get(self, key: str) -> GenerationResult | None:
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return GenerationResult.from_dict(data, cached=True)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning("ignoring unreadable cache entry %s: %s", path, exc)
            return None

    def put(self, key: str, result: GenerationResult, subjects: tuple[Subject, ...] = ()) -> bool:
        """Store ``result`` under ``key``, listed under each subject; False (nothing
        stored) when a subject's check says they were erased meanwhile."""
        with self._locked():
            if not all(s.allows_write() for s in subjects):
                return False
            path = self._path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(result.to_dict(), handle, ensure_ascii=False)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self._list_under(key, subjects)
        return True

    def tag(self, key: str, subjects: tuple[Subject, ...]) -> None:
        """List the existing entry ``key`` under ``subjects`` too (a hit about them)."""
        if not subjects:
            return
        with self._locked():
            if self._path(key).is_file():
                self._list_under(key, tuple(s for s in subjects if s.allows_write()))

    def forget(self, tag: str) -> int:
        """Delete every entry listed under the subject ``tag`` (and the list); how many
        entries were deleted."""
        path = self._subject_path(tag)
        with self._locked():
            try:
                keys = set(path.read_text(encoding="ascii").split())
            except FileNotFoundError:
                return 0
            removed = 0
            for key in keys:
                try:
                    self._path(key).unlink()
                    removed += 1
                except FileNotFoundError:
                    pass
            path.unlink()
        return removed

    def __len__(self) -> int:
        return sum(1 for _ in self.root.glob("*/*.json")) if self.root.is_dir() else 0

    def clear(self) -> None:
        with self._locked():
            for path in self.root.glob("*/*.json"):
                path.unlink(missing_ok=True)
            for path in self.root.glob(f"{SUBJECTS_DIR}/*"):
                path.unlink(missing_ok=True)


def _cacheable(result: GenerationResult) -> bool:
    return result.finish_reason != "timeout"


class CachingGenerator:
    """Any Generator, with results served from (and saved to) a ``GenerationCache``.

    A request with ``use_cache=False`` goes straight to the wrapped generator and is not
    stored.
    """

    def __init__(self, inner: Generator, cache: GenerationCache) -> None:
        self.inner = inner
        self.cache = cache

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def default_seed(self) -> int:
        return self.inner.default_seed

    def key(self, request: GenerationRequest) -> str:
        seed = self.default_seed if request.seed is None else request.seed
        return request_key(self.model_id, request, seed)

    def generate(self, request: GenerationRequest) -> GenerationResult:
        if not request.use_cache:
            return self.inner.generate(request)
        key = self.key(request)
        subjects = current_subjects()
        hit = self.cache.get(key)
        if hit is not None:
            self.cache.tag(key, subjects)
            return hit
        result = self.inner.generate(request)
        if _cacheable(result):
            self.cache.put(key, result, subjects)
        return result

    def stream(self, request: GenerationRequest) -> TextStream:
        if not request.use_cache:
            return self.inner.stream(request)
        key = self.key(request)
        subjects = current_subjects()
        hit = self.cache.get(key)
        if hit is not None:
            self.cache.tag(key, subjects)
            return TextStream(_replay(hit))
        return TextStream(self._stream_and_store(key, request, subjects))

    def _stream_and_store(
        self, key: str, request: GenerationRequest, subjects: tuple[Subject, ...]
    ) -> Iterator[str | GenerationResult]:
        inner = self.inner.stream(request)
        try:
            yield from inner
        finally:
            inner.close()
        if inner.result is not None:
            if _cacheable(inner.result):
                self.cache.put(key, inner.result, subjects)
            yield inner.result


def _replay(result: GenerationResult) -> Iterator[str | GenerationResult]:
    if result.text:
        yield result.text
    yield result
