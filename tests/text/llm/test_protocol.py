"""Request validation, cache keys, results and the text stream."""

from __future__ import annotations

import pytest

from recmind.text.llm.protocol import (
    ChatMessage,
    GenerationError,
    GenerationRequest,
    GenerationResult,
    TextStream,
    request_key,
)


def test_chat_builds_turns_with_a_system_message() -> None:
    request = GenerationRequest.chat("Hi", system="Be brief.", max_tokens=5)
    assert request.messages == (ChatMessage("system", "Be brief."), ChatMessage("user", "Hi"))
    assert request.max_tokens == 5
    mixed = GenerationRequest.chat(
        [{"role": "user", "content": "a"}, ChatMessage("assistant", "b")]
    )
    assert [m.role for m in mixed.messages] == ["user", "assistant"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one"),
        ({"prompt": "x", "messages": (ChatMessage("user", "y"),)}, "exactly one"),
        ({"prompt": "x", "max_tokens": 0}, "max_tokens"),
        ({"prompt": "x", "temperature": -1.0}, "temperature"),
        ({"prompt": "x", "top_p": 0.0}, "top_p"),
        ({"prompt": "x", "timeout_s": 0.0}, "timeout_s"),
        ({"prompt": "x", "json_schema": {"type": "object"}, "grammar": 'root ::= "a"'}, "at most"),
    ],
)
def test_invalid_requests_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        GenerationRequest(**kwargs)  # type: ignore[arg-type]


def test_unknown_role_and_string_stop_are_refused() -> None:
    with pytest.raises(ValueError, match="role"):
        GenerationRequest.chat([{"role": "tool", "content": "x"}])
    with pytest.raises(TypeError, match="tuple"):
        GenerationRequest(prompt="x", stop="\n")  # type: ignore[arg-type]


def test_key_depends_on_model_and_every_output_field_but_not_use_cache() -> None:
    base = GenerationRequest.chat("Hello", max_tokens=10, seed=1)
    key = request_key("m", base, 1)
    assert key == request_key("m", GenerationRequest.chat("Hello", max_tokens=10, seed=1), 1)
    assert key == request_key(
        "m", GenerationRequest.chat("Hello", max_tokens=10, use_cache=False), 1
    )
    assert key != request_key("other", base, 1)
    assert key != request_key("m", base, 2)
    variants = [
        GenerationRequest.chat("Hello!", max_tokens=10),
        GenerationRequest.chat("Hello", max_tokens=11),
        GenerationRequest.chat("Hello", max_tokens=10, temperature=0.9),
        GenerationRequest.chat("Hello", max_tokens=10, top_p=0.5),
        GenerationRequest.chat("Hello", max_tokens=10, stop=("\n",)),
        GenerationRequest.chat("Hello", max_tokens=10, json_schema={"type": "object"}),
        GenerationRequest.chat("Hello", max_tokens=10, system="s"),
        GenerationRequest(prompt="Hello", max_tokens=10),
    ]
    keys = {request_key("m", variant, 1) for variant in variants}
    assert len(keys) == len(variants) and key not in keys


def test_result_round_trips_and_reports_speed() -> None:
    result = GenerationResult('{"a": 1}', 8, 3, 0.5, "length", "m")
    assert result.tokens_per_s == 16.0
    assert result.json_value() == {"a": 1}
    again = GenerationResult.from_dict(result.to_dict(), cached=True)
    assert again.cached and again.text == result.text and again.finish_reason == "length"
    with pytest.raises(ValueError, match="finish reason"):
        GenerationResult.from_dict({**result.to_dict(), "finish_reason": "maybe"})
    assert GenerationResult("", 0, 0, 0.0, "timeout", "m").tokens_per_s == 0.0


def test_text_stream_yields_text_and_keeps_the_result() -> None:
    final = GenerationResult("ab", 2, 0, 0.1, "stop", "m")
    stream = TextStream(iter(["a", "b", final]))
    assert list(stream) == ["a", "b"]
    assert stream.result == final
    assert TextStream(iter(["x", final])).collect() == final
    with pytest.raises(GenerationError, match="without a result"):
        TextStream(iter(["x"])).collect()
