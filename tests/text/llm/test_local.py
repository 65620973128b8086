"""The local GGUF backend with the real SmolLM2-135M (the same code path as Qwen 1.5B)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from recmind.text.llm.cache import CachingGenerator, GenerationCache
from recmind.text.llm.local import LocalGGUFGenerator
from recmind.text.llm.protocol import GenerationError, GenerationRequest, Generator

ASK = "Name three fruits."


def test_is_a_generator(smollm: LocalGGUFGenerator) -> None:
    assert isinstance(smollm, Generator)
    assert smollm.model_id.startswith("gguf:SmolLM2-135M-Instruct.Q4_1.gguf:")
    assert smollm.loaded and smollm.load_seconds is not None


def test_generate_returns_text_within_max_tokens(smollm: LocalGGUFGenerator) -> None:
    result = smollm.generate(GenerationRequest.chat(ASK, max_tokens=12))
    assert result.text.strip()
    assert 1 <= result.tokens <= 12
    assert result.prompt_tokens > 5
    assert result.finish_reason in ("stop", "length")
    assert result.seconds > 0 and result.model == "SmolLM2-135M-Instruct.Q4_1.gguf"
    capped = smollm.generate(
        GenerationRequest.chat("Write a long story about a dragon.", max_tokens=5)
    )
    assert capped.tokens == 5 and capped.finish_reason == "length"
    assert len(smollm.load().tokenize(capped.text.encode(), add_bos=False)) <= 6


def test_same_seed_same_text_other_seed_other_text(smollm: LocalGGUFGenerator) -> None:
    def run(seed: int) -> str:
        request = GenerationRequest.chat(ASK, max_tokens=24, temperature=1.0, seed=seed)
        return smollm.generate(request).text

    first = run(1)
    assert run(1) == first
    assert len({first, run(2), run(3)}) > 1


def test_reusing_the_prompt_cache_gives_the_same_text(smollm_path: Path) -> None:
    reusing = LocalGGUFGenerator(smollm_path, n_ctx=512, n_threads=1, reuse_prompt_cache=True)
    fresh = LocalGGUFGenerator(smollm_path, n_ctx=512, n_threads=1)
    system = "Answer in one short sentence."
    asks = ["Name a red fruit.", "Name a green fruit.", "Name a red fruit."]
    for ask in asks:
        request = GenerationRequest.chat(ask, system=system, max_tokens=12, temperature=0.8)
        assert reusing.generate(request).text == fresh.generate(request).text
    reusing.close()
    fresh.close()


def test_stream_pieces_join_to_the_generated_text(smollm: LocalGGUFGenerator) -> None:
    request = GenerationRequest.chat(ASK, max_tokens=20, seed=4)
    stream = smollm.stream(request)
    pieces = list(stream)
    assert len(pieces) > 1
    assert stream.result is not None
    assert "".join(pieces) == stream.result.text == smollm.generate(request).text


def test_an_abandoned_stream_frees_the_model(smollm: LocalGGUFGenerator) -> None:
    stream = smollm.stream(GenerationRequest.chat(ASK, max_tokens=50))
    next(stream)
    del stream  # dropped half-way: the generation stops and the lock is released
    result = smollm.generate(GenerationRequest.chat(ASK, max_tokens=3, timeout_s=30))
    assert result.finish_reason != "timeout" and result.tokens == 3
    closed = smollm.stream(GenerationRequest.chat(ASK, max_tokens=50))
    next(closed)
    closed.close()
    assert closed.result is None
    assert smollm.generate(GenerationRequest.chat(ASK, max_tokens=3, timeout_s=30)).tokens == 3


def test_raw_prompt_and_stop_string(smollm: LocalGGUFGenerator) -> None:
    result = smollm.generate(
        GenerationRequest(prompt="1, 2, 3, 4,", max_tokens=20, temperature=0.0, stop=("7",))
    )
    assert "7" not in result.text and result.finish_reason == "stop"
    assert result.prompt_tokens == len(smollm.load().tokenize(b"1, 2, 3, 4,"))


def test_timeout_stops_the_generation(smollm: LocalGGUFGenerator) -> None:
    request = GenerationRequest.chat(
        "Write a very long story about a dragon.", max_tokens=900, timeout_s=0.15
    )
    start = time.perf_counter()
    result = smollm.generate(request)
    assert result.finish_reason == "timeout"
    assert result.tokens < 900
    assert time.perf_counter() - start < 1.0


def test_timeout_interrupts_a_long_prompt(smollm: LocalGGUFGenerator) -> None:
    request = GenerationRequest.chat("word " * 800, max_tokens=5, timeout_s=0.05)
    start = time.perf_counter()
    result = smollm.generate(request)
    assert result.finish_reason == "timeout" and result.tokens == 0 and result.text == ""
    assert time.perf_counter() - start < 0.5
    after = smollm.generate(GenerationRequest.chat(ASK, max_tokens=4))  # still usable
    assert after.tokens == 4


def test_json_schema_constrains_the_output(smollm: LocalGGUFGenerator) -> None:
    schema = {
        "type": "object",
        "properties": {
            "color": {"type": "string", "enum": ["red", "green", "blue"]},
            "size": {"type": "integer"},
        },
        "required": ["color", "size"],
    }
    request = GenerationRequest.chat(
        "Describe a shirt as JSON with a color and a size.", max_tokens=60, json_schema=schema
    )
    value = smollm.generate(request).json_value()
    assert value["color"] in ("red", "green", "blue") and isinstance(value["size"], int)
    grammar = 'root ::= "yes" | "no"'
    answer = smollm.generate(GenerationRequest.chat("Is the sky blue?", grammar=grammar))
    assert answer.text in ("yes", "no")


def test_invalid_grammar_and_overlong_prompt_are_errors(smollm: LocalGGUFGenerator) -> None:
    with pytest.raises(GenerationError, match="structured-output"):
        smollm.generate(GenerationRequest.chat("x", grammar="this is not gbnf"))
    with pytest.raises(GenerationError, match="context window"):
        smollm.generate(GenerationRequest(prompt="word " * 3000, max_tokens=4))


def test_threads_share_one_model_safely(smollm: LocalGGUFGenerator) -> None:
    requests = [GenerationRequest.chat(f"Count to {n}.", max_tokens=10, seed=n) for n in (3, 4)]
    expected = [smollm.generate(r).text for r in requests]
    results: dict[int, str] = {}

    def work(index: int) -> None:
        results[index] = smollm.generate(requests[index]).text

    threads = [threading.Thread(target=work, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[0], results[1]] == expected


def test_cache_hit_returns_the_same_text_instantly(
    smollm: LocalGGUFGenerator, tmp_path: Path
) -> None:
    generator = CachingGenerator(smollm, GenerationCache(tmp_path))
    request = GenerationRequest.chat(ASK, max_tokens=30, seed=11)
    first = generator.generate(request)
    start = time.perf_counter()
    second = generator.generate(request)
    assert time.perf_counter() - start < 0.05
    assert second.cached and not first.cached and second.text == first.text
    fresh = generator.generate(GenerationRequest.chat(ASK, max_tokens=30, seed=11, use_cache=False))
    assert not fresh.cached and fresh.text == first.text


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no GGUF model"):
        LocalGGUFGenerator(tmp_path / "absent.gguf")
