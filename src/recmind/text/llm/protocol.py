"""The one small seam every text generator sits behind: request, result, stream, protocol.

A request is either a chat (``messages``) or a raw ``prompt``; it is bounded (``max_tokens``,
``timeout_s``), seeded, and may ask for structured output (a JSON schema, or a GBNF grammar
for the local backend). A backend returns the text with how it ended: ``"stop"`` (the model
finished or hit a stop string), ``"length"`` (``max_tokens`` reached) or ``"timeout"``
(``timeout_s`` passed: the text generated until then is kept).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant"]
FinishReason = Literal["stop", "length", "timeout"]
FINISH_REASONS: tuple[FinishReason, ...] = ("stop", "length", "timeout")


class GenerationError(RuntimeError):
    """A generation could not run (bad request for this backend, server error, model error)."""


@dataclass(frozen=True)
class ChatMessage:
    """One turn of a chat."""

    role: Role
    content: str

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True, eq=True)
class GenerationRequest:
    """What to generate and within which bounds.

    Attributes:
        messages: The chat, oldest first. Exactly one of ``messages`` and ``prompt`` is set.
        prompt: A raw completion prompt (no chat template applied).
        max_tokens: Most tokens to generate.
        temperature: Sampling temperature; 0 is greedy.
        top_p: Nucleus sampling mass.
        seed: Sampling seed; ``None`` uses the backend's default seed.
        stop: Strings that end the generation (not included in the text).
        timeout_s: Wall-clock bound on the whole generation; ``None`` for none.
        json_schema: Constrain the output to JSON valid against this schema.
        grammar: Constrain the output with a GBNF grammar (local backend only).
        use_cache: Read and write the generation cache (not part of the cache key).
    """

    messages: tuple[ChatMessage, ...] = ()
    prompt: str | None = None
    max_tokens: int = 256
    temperature: float = 0.2
    top_p: float = 0.95
    seed: int | None = None
    stop: tuple[str, ...] = ()
    timeout_s: float | None = 60.0
    json_schema: Mapping[str, Any] | None = field(default=None, hash=False)
    grammar: str | None = None
    use_cache: bool = field(default=True, compare=False)

    def __post_init__(self) -> None:
        if bool(self.messages) == (self.prompt is not None):
            raise ValueError("set exactly one of `messages` and `prompt`")
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be >= 1, got {self.max_tokens}")
        if self.temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p}")
        if self.timeout_s is not None and self.timeout_s <= 0:
            raise ValueError(f"timeout_s must be > 0, got {self.timeout_s}")
        if self.json_schema is not None and self.grammar is not None:
            raise ValueError("set at most one of `json_schema` and `grammar`")
        if isinstance(self.stop, str):
            raise TypeError("stop must be a tuple of strings, not a string")

    @classmethod
    def chat(
        cls,
        messages: Sequence[ChatMessage | Mapping[str, str]] | str,
        *,
        system: str | None = None,
        **options: Any,
    ) -> GenerationRequest:
        """A chat request from messages (or one user text), optionally after a system turn."""
        turns: list[ChatMessage] = [ChatMessage("system", system)] if system else []
        if isinstance(messages, str):
            turns.append(ChatMessage("user", messages))
        else:
            for message in messages:
                if isinstance(message, ChatMessage):
                    turns.append(message)
                else:
                    role = message["role"]
                    if role not in ("system", "user", "assistant"):
                        raise ValueError(f"unknown chat role {role!r}")
                    turns.append(ChatMessage(role, message["content"]))  # type: ignore[arg-type]
        return cls(messages=tuple(turns), **options)

    def key_fields(self, seed: int) -> dict[str, Any]:
        """Everything that shapes the output, with ``seed`` resolved (cache key input)."""
        return {
            "messages": [m.to_dict() for m in self.messages],
            "prompt": self.prompt,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "seed": seed,
            "stop": list(self.stop),
            "json_schema": self.json_schema,
            "grammar": self.grammar,
        }


def request_key(model_id: str, request: GenerationRequest, seed: int) -> str:
    """sha256 over the model identity and every output-shaping field of the request."""
    payload = {"model": model_id, "request": request.key_fields(seed)}
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class GenerationResult:
    """What a generation produced.

    Attributes:
        text: The generated text (stop strings excluded).
        tokens: Tokens generated.
        prompt_tokens: Tokens in the prompt (0 where the backend does not say).
        seconds: Wall time of the generation (load time excluded; ~0 on a cache hit).
        finish_reason: ``"stop"``, ``"length"`` or ``"timeout"``.
        model: The model that produced it.
        cached: Whether it came from the generation cache.
    """

    text: str
    tokens: int
    prompt_tokens: int
    seconds: float
    finish_reason: FinishReason
    model: str
    cached: bool = False

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0

    def json_value(self) -> Any:
        """The text parsed as JSON (raises ``ValueError`` if it is not JSON)."""
        return json.loads(self.text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "tokens": self.tokens,
            "prompt_tokens": self.prompt_tokens,
            "seconds": self.seconds,
            "finish_reason": self.finish_reason,
            "model": self.model,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, cached: bool = False) -> GenerationResult:
        reason = data["finish_reason"]
        if reason not in FINISH_REASONS:
            raise ValueError(f"unknown finish reason {reason!r}")
        return cls(
            text=str(data["text"]),
            tokens=int(data["tokens"]),
            prompt_tokens=int(data["prompt_tokens"]),
            seconds=float(data["seconds"]),
            finish_reason=reason,
            model=str(data["model"]),
            cached=cached,
        )


class TextStream(Iterator[str]):
    """Text pieces as they are generated; ``result`` is set once the stream is exhausted.

    Closing the stream early (``close()``, or dropping it) stops the generation and frees the
    backend; ``result`` then stays ``None``.
    """

    def __init__(self, pieces: Iterator[str | GenerationResult]) -> None:
        self._pieces = pieces
        self.result: GenerationResult | None = None

    def __iter__(self) -> TextStream:
        return self

    def __next__(self) -> str:
        while True:
            piece = next(self._pieces)
            if isinstance(piece, GenerationResult):
                self.result = piece
                continue
            return piece

    def close(self) -> None:
        close = getattr(self._pieces, "close", None)
        if close is not None:
            close()

    def collect(self) -> GenerationResult:
        """Consume the rest of the stream and return the result."""
        for _ in self:
            pass
        if self.result is None:
            raise GenerationError("the stream ended without a result")
        return self.result


@runtime_checkable
class Generator(Protocol):
    """A text generator: a local model or a remote endpoint."""

    @property
    def model_id(self) -> str:
        """Identifies the model's weights (cache keys depend on it)."""
        ...

    @property
    def default_seed(self) -> int:
        """The seed used when a request has none."""
        ...

    def generate(self, request: GenerationRequest) -> GenerationResult:
        """Generate the whole answer."""
        ...

    def stream(self, request: GenerationRequest) -> TextStream:
        """Generate piece by piece; the stream's ``result`` is set at the end."""
        ...
