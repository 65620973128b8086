"""The HTTP backend against a small OpenAI-compatible server on 127.0.0.1.

The server below speaks the real chat-completions protocol (JSON in, server-sent events
out) over real sockets; its models behave in ways a real server can: ``echo`` repeats the
last message word by word, ``slow`` trickles, ``broken`` fails, ``flaky`` fails once with
503, ``cut`` drops the connection mid-answer.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from recmind.text.llm.openai_http import OpenAICompatibleGenerator
from recmind.text.llm.protocol import GenerationError, GenerationRequest

KEY = "test-key"


class TinyOpenAIServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[dict[str, Any]] = []
        self.flaky_failures = 0

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up on a slow answer is what some tests want

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class Handler(BaseHTTPRequestHandler):
    server: TinyOpenAIServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _event(self, body: dict[str, Any] | str) -> None:
        data = body if isinstance(body, str) else json.dumps(body)
        self.wfile.write(f"data: {data}\n\n".encode())
        self.wfile.flush()

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"path": self.path, "body": body})
        if self.headers.get("Authorization") != f"Bearer {KEY}":
            self._json(401, {"error": {"message": "invalid api key", "type": "auth"}})
            return
        model = body["model"]
        if self.path not in ("/v1/chat/completions", "/v1/completions"):
            self._json(404, {"error": {"message": f"no route {self.path}"}})
            return
        if model == "broken":
            self._json(500, {"error": {"message": "the model crashed"}})
            return
        if model == "mute":
            time.sleep(1.0)
        if model == "flaky" and self.server.flaky_failures == 0:
            self.server.flaky_failures += 1
            self._json(503, {"error": {"message": "loading"}})
            return
        chat = self.path == "/v1/chat/completions"
        source = body["messages"][-1]["content"] if chat else body["prompt"]
        words = [word + " " for word in source.split()]
        if model == "slow":
            words = [f"w{i} " for i in range(100)]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.wfile.write(b": keep-alive comment\n\n")
        if chat:
            self._event({"choices": [{"index": 0, "delta": {"role": "assistant"}}]})
        sent = 0
        for word in words[: body["max_tokens"]]:
            if model == "slow":
                time.sleep(0.05)
            piece = {"delta": {"content": word}} if chat else {"text": word}
            self._event({"choices": [{"index": 0, **piece, "finish_reason": None}]})
            sent += 1
            if model == "cut":
                return
        reason = "length" if len(words) > body["max_tokens"] else "stop"
        self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": reason}]})
        if body.get("stream_options", {}).get("include_usage"):
            self._event({"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": sent}})
        self._event("[DONE]")


@pytest.fixture(scope="module")
def server() -> Iterator[TinyOpenAIServer]:
    instance = TinyOpenAIServer()
    thread = threading.Thread(target=instance.serve_forever, daemon=True)
    thread.start()
    yield instance
    instance.shutdown()
    instance.server_close()


def client(
    server: TinyOpenAIServer, model: str = "echo", **kwargs: Any
) -> OpenAICompatibleGenerator:
    return OpenAICompatibleGenerator(server.base_url, model, api_key=KEY, **kwargs)


def test_generate_returns_the_whole_answer_with_usage(server: TinyOpenAIServer) -> None:
    generator = client(server)
    result = generator.generate(GenerationRequest.chat("red green blue", system="sys", seed=9))
    assert result.text == "red green blue "
    assert (result.tokens, result.prompt_tokens, result.finish_reason) == (3, 7, "stop")
    assert result.model == "echo" and result.seconds > 0
    sent = server.requests[-1]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["body"]["messages"] == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "red green blue"},
    ]
    assert sent["body"]["seed"] == 9 and sent["body"]["stream"] is True
    assert "stop" not in sent["body"] and "response_format" not in sent["body"]


def test_stream_pieces_join_to_the_text(server: TinyOpenAIServer) -> None:
    stream = client(server).stream(GenerationRequest.chat("one two three four"))
    pieces = list(stream)
    assert pieces == ["one ", "two ", "three ", "four "]
    assert stream.result is not None and stream.result.text == "".join(pieces)


def test_without_usage_tokens_are_counted_from_the_events(server: TinyOpenAIServer) -> None:
    result = client(server, include_usage=False).generate(GenerationRequest.chat("a b c"))
    assert "stream_options" not in server.requests[-1]["body"]
    assert (result.tokens, result.prompt_tokens) == (3, 0)


def test_max_tokens_and_default_seed(server: TinyOpenAIServer) -> None:
    result = client(server, seed=31).generate(GenerationRequest.chat("a b c d e", max_tokens=2))
    assert result.text == "a b " and result.finish_reason == "length" and result.tokens == 2
    assert server.requests[-1]["body"]["seed"] == 31


def test_raw_prompt_uses_the_completions_endpoint(server: TinyOpenAIServer) -> None:
    result = client(server).generate(GenerationRequest(prompt="x y", stop=("\n",)))
    assert result.text == "x y "
    assert server.requests[-1]["path"] == "/v1/completions"
    assert server.requests[-1]["body"]["stop"] == ["\n"]


def test_json_schema_is_sent_as_response_format(server: TinyOpenAIServer) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    client(server).generate(GenerationRequest.chat("{}", json_schema=schema))
    sent = server.requests[-1]["body"]["response_format"]
    assert sent["type"] == "json_schema" and sent["json_schema"]["schema"] == schema


def test_error_status_raises_with_the_server_message(server: TinyOpenAIServer) -> None:
    with pytest.raises(GenerationError, match=r"answered 500: the model crashed"):
        client(server, "broken", max_retries=0).generate(GenerationRequest.chat("x"))
    bad_key = OpenAICompatibleGenerator(server.base_url, "echo", api_key="wrong")
    with pytest.raises(GenerationError, match=r"401: invalid api key"):
        bad_key.generate(GenerationRequest.chat("x"))


def test_retries_a_503_then_succeeds(server: TinyOpenAIServer) -> None:
    before = len(server.requests)
    result = client(server, "flaky").generate(GenerationRequest.chat("ok then"))
    assert result.text == "ok then " and len(server.requests) - before == 2


def test_timeout_returns_the_partial_text(server: TinyOpenAIServer) -> None:
    start = time.perf_counter()
    result = client(server, "slow").generate(GenerationRequest.chat("x", timeout_s=0.4))
    elapsed = time.perf_counter() - start
    assert result.finish_reason == "timeout"
    assert result.text.startswith("w0 w1 ") and 2 <= result.tokens < 100
    assert elapsed < 1.5


def test_a_silent_server_is_cut_off_at_the_deadline(server: TinyOpenAIServer) -> None:
    start = time.perf_counter()
    result = client(server, "mute").generate(GenerationRequest.chat("x", timeout_s=0.3))
    assert result.finish_reason == "timeout" and result.text == ""
    assert time.perf_counter() - start < 0.9


def test_an_absent_server_is_an_error() -> None:
    with pytest.raises(GenerationError, match="cannot reach"):
        OpenAICompatibleGenerator("http://127.0.0.1:9/v1", "m", max_retries=0).generate(
            GenerationRequest.chat("x")
        )


def test_a_cut_stream_is_an_error(server: TinyOpenAIServer) -> None:
    with pytest.raises(GenerationError, match="before the answer was finished"):
        client(server, "cut").generate(GenerationRequest.chat("a b c"))


def test_grammar_is_refused_with_a_clear_error(server: TinyOpenAIServer) -> None:
    with pytest.raises(GenerationError, match="local backend"):
        client(server).generate(GenerationRequest.chat("x", grammar='root ::= "a"'))
