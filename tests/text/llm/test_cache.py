"""The generation cache and the caching wrapper.

``FakeCountingGenerator`` is a hand-written fake for unit tests of the wrapper (it counts
calls); the real model's cache hit is checked in ``test_local.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from recmind.text.llm.cache import (
    CachingGenerator,
    GenerationCache,
    Subject,
    about,
    current_subjects,
)
from recmind.text.llm.protocol import (
    FinishReason,
    GenerationRequest,
    GenerationResult,
    Generator,
    TextStream,
)


class FakeCountingGenerator:
    """Fake: answers ``"<n>:<last message>"`` and counts how often it ran."""

    def __init__(self, finish_reason: FinishReason = "stop") -> None:
        self.calls = 0
        self.finish_reason = finish_reason

    @property
    def model_id(self) -> str:
        return "fake-model"

    @property
    def default_seed(self) -> int:
        return 5

    def generate(self, request: GenerationRequest) -> GenerationResult:
        return self.stream(request).collect()

    def stream(self, request: GenerationRequest) -> TextStream:
        self.calls += 1
        return TextStream(self._pieces(request))

    def _pieces(self, request: GenerationRequest) -> Iterator[str | GenerationResult]:
        text = f"{self.calls}:{request.messages[-1].content}"
        yield text[:2]
        yield text[2:]
        yield GenerationResult(text, 2, 1, 0.01, self.finish_reason, "fake")


def test_fake_satisfies_the_protocol() -> None:
    assert isinstance(FakeCountingGenerator(), Generator)


def test_second_identical_request_is_a_hit(tmp_path: Path) -> None:
    inner = FakeCountingGenerator()
    generator = CachingGenerator(inner, GenerationCache(tmp_path))
    request = GenerationRequest.chat("hello")
    first = generator.generate(request)
    second = generator.generate(GenerationRequest.chat("hello"))
    assert inner.calls == 1
    assert not first.cached and second.cached and second.text == first.text == "1:hello"
    assert generator.generate(GenerationRequest.chat("hello", seed=5)).cached  # default seed
    assert not generator.generate(GenerationRequest.chat("hello", seed=6)).cached
    assert len(generator.cache) == 2


def test_use_cache_false_bypasses_reading_and_writing(tmp_path: Path) -> None:
    inner = FakeCountingGenerator()
    generator = CachingGenerator(inner, GenerationCache(tmp_path))
    generator.generate(GenerationRequest.chat("x", use_cache=False))
    assert len(generator.cache) == 0
    generator.generate(GenerationRequest.chat("x"))
    bypass = generator.generate(GenerationRequest.chat("x", use_cache=False))
    assert inner.calls == 3 and not bypass.cached


def test_stream_miss_stores_and_hit_replays(tmp_path: Path) -> None:
    inner = FakeCountingGenerator()
    generator = CachingGenerator(inner, GenerationCache(tmp_path))
    stream = generator.stream(GenerationRequest.chat("abc"))
    assert list(stream) == ["1:", "abc"]
    assert stream.result is not None and not stream.result.cached
    replay = generator.stream(GenerationRequest.chat("abc"))
    assert "".join(replay) == "1:abc"
    assert replay.result is not None and replay.result.cached and inner.calls == 1


def test_an_abandoned_stream_is_not_stored(tmp_path: Path) -> None:
    inner = FakeCountingGenerator()
    generator = CachingGenerator(inner, GenerationCache(tmp_path))
    stream = generator.stream(GenerationRequest.chat("abc"))
    next(stream)
    stream.close()
    assert len(generator.cache) == 0


def test_timeouts_are_not_cached(tmp_path: Path) -> None:
    inner = FakeCountingGenerator(finish_reason="timeout")
    generator = CachingGenerator(inner, GenerationCache(tmp_path))
    generator.generate(GenerationRequest.chat("slow"))
    "".join(generator.stream(GenerationRequest.chat("slow")))
    assert len(generator.cache) == 0 and inner.calls == 2


def test_a_damaged_entry_reads_as_a_miss(tmp_path: Path) -> None:
    inner = FakeCountingGenerator()
    generator = CachingGenerator(inner, GenerationCache(tmp_path))
    request = GenerationRequest.chat("x")
    generator.generate(request)
    (entry,) = tmp_path.glob("*/*.json")
    entry.write_text("{not json")
    again = generator.generate(request)
    assert not again.cached and inner.calls == 2
    assert generator.generate(request).cached  # rewritten
    generator.cache.clear()
    assert len(generator.cache) == 0


ALICE = Subject("a1" * 32)
BOB = Subject("b2" * 32)


def test_generations_about_a_subject_are_found_and_forgotten(tmp_path: Path) -> None:
    inner = FakeCountingGenerator()
    generator = CachingGenerator(inner, GenerationCache(tmp_path))
    with about(ALICE):
        generator.generate(GenerationRequest.chat("alice likes tents"))
        "".join(generator.stream(GenerationRequest.chat("alice streams")))
    with about(BOB):
        generator.generate(GenerationRequest.chat("bob likes stoves"))
        generator.generate(GenerationRequest.chat("alice likes tents"))  # a hit: tagged too
    generator.generate(GenerationRequest.chat("about nobody"))
    assert len(generator.cache) == 4 and current_subjects() == ()
    assert generator.cache.forget(ALICE.tag) == 2
    assert len(generator.cache) == 2
    assert generator.cache.forget(ALICE.tag) == 0  # nothing left about them
    assert generator.cache.forget(BOB.tag) == 1  # the shared entry went with alice
    remaining = [p.read_text() for p in tmp_path.glob("*/*.json")]
    assert len(remaining) == 1 and "nobody" in remaining[0]
    assert not list((tmp_path / "subjects").iterdir())


def test_a_generation_finishing_after_the_erasure_is_not_stored(tmp_path: Path) -> None:
    inner = FakeCountingGenerator()
    generator = CachingGenerator(inner, GenerationCache(tmp_path))
    erased = Subject("c3" * 32, present=lambda: False)
    with about(erased):
        result = generator.generate(GenerationRequest.chat("about them"))
        stream = generator.stream(GenerationRequest.chat("streamed"))
    assert result.text == "1:about them" and "".join(stream) == "2:streamed"
    assert len(generator.cache) == 0


def test_a_subject_tag_must_be_a_hex_digest(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="hex digest"):
        GenerationCache(tmp_path).forget("../../etc")
