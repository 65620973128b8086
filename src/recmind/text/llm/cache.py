"""A disk cache of generations, and a Generator wrapper that uses it.

The key is the sha256 of the model identity and every output-shaping field of the request
(seed resolved), so a hit is exactly what the model would produce again. Entries are small
JSON files (``<root>/<key[:2]>/<key>.json``) written atomically; a damaged entry reads as a
miss. Only complete generations are stored: a timeout depends on the clock, not the request.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from recmind.text.llm.protocol import (
    GenerationRequest,
    GenerationResult,
    Generator,
    TextStream,
    request_key,
)

logger = logging.getLogger(__name__)


class GenerationCache:
    """Results on disk, keyed by ``request_key``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

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

    def put(self, key: str, result: GenerationResult) -> None:
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

    def __len__(self) -> int:
        return sum(1 for _ in self.root.glob("*/*.json")) if self.root.is_dir() else 0

    def clear(self) -> None:
        for path in self.root.glob("*/*.json"):
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
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        result = self.inner.generate(request)
        if _cacheable(result):
            self.cache.put(key, result)
        return result

    def stream(self, request: GenerationRequest) -> TextStream:
        if not request.use_cache:
            return self.inner.stream(request)
        key = self.key(request)
        hit = self.cache.get(key)
        if hit is not None:
            return TextStream(_replay(hit))
        return TextStream(self._stream_and_store(key, request))

    def _stream_and_store(
        self, key: str, request: GenerationRequest
    ) -> Iterator[str | GenerationResult]:
        inner = self.inner.stream(request)
        try:
            yield from inner
        finally:
            inner.close()
        if inner.result is not None:
            if _cacheable(inner.result):
                self.cache.put(key, inner.result)
            yield inner.result


def _replay(result: GenerationResult) -> Iterator[str | GenerationResult]:
    if result.text:
        yield result.text
    yield result
