"""Any OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp server, OpenAI) over httpx.

Chat requests go to ``<base_url>/chat/completions``, raw prompts to ``<base_url>/completions``.
Every request is streamed (server-sent events), so a generation that outlives its deadline
returns what arrived with ``finish_reason="timeout"``, exactly like the local backend. The
deadline is checked after every event and bounds each read; a server that goes silent is cut
off by the read timeout. Status 429 and 5xx (and refused connections) are retried with
backoff before any text arrives; other errors raise ``GenerationError`` with the server's
message. Token counts come from the server's usage report when it sends one
(``stream_options.include_usage``), otherwise from the number of text events.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx

from recmind.text.llm.protocol import (
    FinishReason,
    GenerationError,
    GenerationRequest,
    GenerationResult,
    TextStream,
)

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_DONE = "[DONE]"


class OpenAICompatibleGenerator:
    """Generates through an OpenAI-compatible HTTP API.

    Args:
        base_url: The API root, e.g. ``http://127.0.0.1:8000/v1``.
        model: The model name the server knows.
        api_key: Sent as a bearer token when given.
        timeout_s: Default bound on a whole generation (a request's ``timeout_s`` wins).
        seed: Seed sent when a request has none.
        max_retries: Retries on 429/5xx/connection errors before any text arrives.
        include_usage: Ask for token usage in the stream (``stream_options``); turn off for
            servers that refuse unknown fields.
        client: An ``httpx.Client`` to use (default: one owned by this generator).
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout_s: float = 60.0,
        seed: int = 42,
        max_retries: int = 2,
        include_usage: bool = True,
        client: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout_s = timeout_s
        self.seed = seed
        self.max_retries = max_retries
        self.include_usage = include_usage
        headers = {"Accept": "text/event-stream"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._headers = headers
        self._client = client or httpx.Client()
        self._owns_client = client is None

    @property
    def model_id(self) -> str:
        return f"openai:{self.base_url}#{self.model}"

    @property
    def default_seed(self) -> int:
        return self.seed

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def generate(self, request: GenerationRequest) -> GenerationResult:
        return self.stream(request).collect()

    def stream(self, request: GenerationRequest) -> TextStream:
        return TextStream(self._run(request))

    def payload(self, request: GenerationRequest) -> tuple[str, dict[str, Any]]:
        """The endpoint and JSON body for ``request``."""
        if request.grammar is not None:
            raise GenerationError(
                "GBNF grammars are only supported by the local backend; use json_schema"
            )
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
            "seed": self.seed if request.seed is None else request.seed,
            "stream": True,
        }
        if self.include_usage:
            body["stream_options"] = {"include_usage": True}
        if request.stop:
            body["stop"] = list(request.stop)
        if request.json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "output", "schema": request.json_schema},
            }
        if request.prompt is not None:
            body["prompt"] = request.prompt
            return f"{self.base_url}/completions", body
        body["messages"] = [m.to_dict() for m in request.messages]
        return f"{self.base_url}/chat/completions", body

    def _run(self, request: GenerationRequest) -> Iterator[str | GenerationResult]:
        url, body = self.payload(request)
        start = time.perf_counter()
        budget = request.timeout_s if request.timeout_s is not None else self.timeout_s
        deadline = start + budget
        pieces: list[str] = []
        state: dict[str, Any] = {"reason": None, "tokens": None, "prompt_tokens": 0}
        events = 0
        try:
            for attempt in range(self.max_retries + 1):
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    break
                timeout = httpx.Timeout(remaining, connect=min(remaining, 10.0))
                try:
                    with self._client.stream(
                        "POST", url, json=body, headers=self._headers, timeout=timeout
                    ) as response:
                        if response.status_code >= 400:
                            response.read()
                            if _should_retry(response.status_code, attempt, self.max_retries):
                                _backoff(attempt, deadline)
                                continue
                            raise GenerationError(_error_message(url, response))
                        for piece in _events(response, state, deadline):
                            events += 1
                            pieces.append(piece)
                            yield piece
                        break
                except httpx.ConnectError as exc:
                    if attempt < self.max_retries:
                        _backoff(attempt, deadline)
                        continue
                    raise GenerationError(f"cannot reach {url}: {exc}") from exc
        except httpx.TimeoutException:
            state["reason"] = "timeout"
        except httpx.HTTPError as exc:
            raise GenerationError(f"{url}: {type(exc).__name__}: {exc}") from exc
        if state["reason"] is None:  # the deadline passed while retrying
            state["reason"] = "timeout"
        tokens = state["tokens"] if state["tokens"] is not None else events
        yield GenerationResult(
            text="".join(pieces),
            tokens=int(tokens),
            prompt_tokens=int(state["prompt_tokens"]),
            seconds=time.perf_counter() - start,
            finish_reason=state["reason"],
            model=self.model,
        )


def _events(response: httpx.Response, state: dict[str, Any], deadline: float) -> Iterator[str]:
    """Text pieces from an SSE stream; records finish reason and usage in ``state``."""
    for line in response.iter_lines():
        if time.perf_counter() >= deadline:
            state["reason"] = "timeout"
            return
        if not line.startswith("data:"):
            continue  # blank separators, comments, event names
        data = line[5:].strip()
        if data == _DONE:
            if state["reason"] is None:
                state["reason"] = "stop"
            return
        try:
            chunk = json.loads(data)
        except ValueError as exc:
            raise GenerationError(f"malformed event from the server: {data[:200]!r}") from exc
        if "error" in chunk:
            raise GenerationError(f"the server reported an error: {chunk['error']}")
        usage = chunk.get("usage")
        if usage:
            state["tokens"] = usage.get("completion_tokens", state["tokens"])
            state["prompt_tokens"] = usage.get("prompt_tokens", 0)
        for choice in chunk.get("choices") or []:
            piece = choice.get("text") or (choice.get("delta") or {}).get("content") or ""
            if choice.get("finish_reason") is not None:
                state["reason"] = _finish(choice["finish_reason"])
            if piece:
                yield piece
    if state["reason"] is None:
        if time.perf_counter() >= deadline:
            state["reason"] = "timeout"
        else:
            raise GenerationError("the server closed the stream before the answer was finished")


def _finish(reason: str) -> FinishReason:
    return "length" if reason == "length" else "stop"


def _should_retry(status: int, attempt: int, max_retries: int) -> bool:
    return status in RETRY_STATUSES and attempt < max_retries


def _backoff(attempt: int, deadline: float) -> None:
    pause = min(0.25 * 2**attempt, max(deadline - time.perf_counter(), 0.0))
    logger.info("retrying in %.2f s", pause)
    time.sleep(pause)


def _error_message(url: str, response: httpx.Response) -> str:
    detail = response.text[:500]
    try:
        error = response.json().get("error")
        if isinstance(error, dict):
            detail = str(error.get("message", error))
        elif error:
            detail = str(error)
    except ValueError:
        pass
    return f"{url} answered {response.status_code}: {detail}"
