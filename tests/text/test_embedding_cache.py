"""The on-disk embedding cache: hits, misses, keys, concurrency, and no model load on a
full hit (all with the real int8 MiniLM)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from recmind.config import Settings
from recmind.text.embedding_cache import (
    CachedEncoder,
    EmbeddingStore,
    cache_file_name,
    default_cache_dir,
    text_key,
)
from recmind.text.encoders import Encoder, Progress, TextKind, create_encoder

TEXTS = ["red summer dress", "wool winter coat", "sourdough bread", "red summer dress"]


class CountingSpy:
    """Wraps a real encoder and records which texts reach it."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.revision = "spy"
        self.seen: list[str] = []

    def encode(
        self,
        texts: Sequence[str],
        *,
        kind: TextKind = "passage",
        batch_size: int = 64,
        progress: Progress | None = None,
    ) -> np.ndarray:
        self.seen.extend(texts)
        return self.inner.encode(texts, kind=kind, batch_size=batch_size, progress=progress)


def test_only_missing_texts_are_encoded(tmp_path: Path, onnx_encoder: Encoder) -> None:
    spy = CountingSpy(onnx_encoder)
    cached = CachedEncoder(spy, tmp_path)
    first = cached.encode(TEXTS)
    assert spy.seen == ["red summer dress", "wool winter coat", "sourdough bread"]
    assert (cached.hits, cached.misses) == (0, 4)
    np.testing.assert_allclose(first, onnx_encoder.encode(TEXTS), atol=1e-6)
    second = cached.encode(["sourdough bread", "new text", "wool winter coat"])
    assert spy.seen[3:] == ["new text"]
    np.testing.assert_array_equal(second[[0, 2]], first[[2, 1]])
    assert (cached.hits, cached.misses) == (2, 5)
    assert len(cached.store) == 4


def test_kind_is_part_of_the_key(tmp_path: Path, onnx_encoder: Encoder) -> None:
    spy = CountingSpy(onnx_encoder)
    cached = CachedEncoder(spy, tmp_path)
    cached.encode(["summer dress"], kind="passage")
    cached.encode(["summer dress"], kind="query")
    assert spy.seen == ["summer dress", "summer dress"]
    assert text_key("x", "query") != text_key("x", "passage")


def test_full_hit_does_not_load_the_model(tmp_path: Path) -> None:
    warm = create_encoder("minilm-onnx")
    expected = CachedEncoder(warm, tmp_path).encode(TEXTS)
    cold = create_encoder("minilm-onnx")
    again = CachedEncoder(cold, tmp_path).encode(TEXTS[::-1])
    assert not cold.loaded
    np.testing.assert_array_equal(again, expected[::-1])


def test_progress_counts_hits_at_once(tmp_path: Path, onnx_encoder: Encoder) -> None:
    cached = CachedEncoder(onnx_encoder, tmp_path)
    cached.encode(TEXTS[:2])
    calls: list[tuple[int, int]] = []
    cached.encode(TEXTS, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(3, 4), (4, 4)]  # the repeated first text is a hit too


def test_encoders_keep_separate_files(tmp_path: Path, onnx_encoder: Encoder) -> None:
    CachedEncoder(onnx_encoder, tmp_path).encode(["a"])
    CachedEncoder(create_encoder("e5"), tmp_path).encode(["a"])
    names = sorted(p.name for p in tmp_path.glob("*.sqlite"))
    assert names == sorted([cache_file_name(onnx_encoder), cache_file_name(create_encoder("e5"))])
    assert all("@" in n and "/" not in n for n in names)


def test_concurrent_writers_and_readers_agree(tmp_path: Path, onnx_encoder: Encoder) -> None:
    texts = [f"item number {i} in the catalogue" for i in range(40)]

    def work(offset: int) -> np.ndarray:
        order = texts[offset:] + texts[:offset]
        vectors = CachedEncoder(onnx_encoder, tmp_path).encode(order, batch_size=8)
        return np.roll(vectors, offset, axis=0)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, [0, 10, 20, 30]))
    for result in results[1:]:
        np.testing.assert_allclose(result, results[0], atol=1e-6)
    assert len(EmbeddingStore(tmp_path / cache_file_name(onnx_encoder), 384)) == 40


def test_rows_of_another_size_are_ignored(tmp_path: Path) -> None:
    EmbeddingStore(tmp_path / "x.sqlite", dim=3).put(["a", "b"], np.ones((2, 3), np.float32))
    assert set(EmbeddingStore(tmp_path / "x.sqlite", dim=3).get(["a", "b", "c"])) == {"a", "b"}
    assert EmbeddingStore(tmp_path / "x.sqlite", dim=4).get(["a"]) == {}


def test_default_dir_is_under_home(settings: Settings) -> None:
    assert default_cache_dir() == settings.home / "cache" / "embeddings"
