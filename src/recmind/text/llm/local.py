"""A GGUF model run in-process by llama-cpp-python.

One ``Llama`` instance is loaded lazily and reused; a lock serialises generations, so the
generator can be shared between threads. Every generation runs as a token stream, which is
how the bounds are enforced: while the prompt is evaluated, llama.cpp's abort callback stops
the evaluation at the deadline; after that the deadline is checked after every token. Either
way the generation returns what it has with ``finish_reason="timeout"``. Waiting for the
lock counts against the deadline; loading the model does not.

OpenMP's wait policy is set to passive (unless ``OMP_WAIT_POLICY`` is already set) before
llama.cpp loads: spinning worker threads starve the sampling thread whenever the cores are
shared, which cut decoding several-fold in our measurements.

Generation is reproducible: the sampler is seeded per request, and the KV cache is cleared
before each request unless ``reuse_prompt_cache=True`` (faster for prompts sharing a long
prefix, but logits from a partial re-evaluation can differ in the last bits, so sampled text
is then not guaranteed to repeat).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from recmind.text.llm.protocol import (
    FinishReason,
    GenerationError,
    GenerationRequest,
    GenerationResult,
    TextStream,
)

if TYPE_CHECKING:
    from llama_cpp import Llama
    from llama_cpp.llama_grammar import LlamaGrammar

logger = logging.getLogger(__name__)


def _import_llama_cpp() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    # `make` builds llama.cpp without OpenMP (its own thread pool decodes fastest here, see
    # scripts/llama_cmake_args.py). For an OpenMP build made elsewhere: threads that spin
    # between tokens take the CPU from the thread that samples, and on a busy machine
    # decoding slows several-fold, so they sleep instead unless the user says otherwise.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import llama_cpp
    except ImportError as exc:
        raise GenerationError(
            "the local LLM backend needs llama-cpp-python==0.3.36: `make` compiles it for "
            "this CPU (flags from scripts/llama_cmake_args.py), or "
            'CMAKE_ARGS="$(python3 scripts/llama_cmake_args.py)" '
            "pip install llama-cpp-python==0.3.36"
        ) from exc
    return llama_cpp


class _TokenCounter:
    """An identity logits processor: llama.cpp calls it once per sampled token."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, input_ids: npt.NDArray[np.intc], scores: npt.NDArray[np.single]
    ) -> npt.NDArray[np.single]:
        self.count += 1
        return scores


class LocalGGUFGenerator:
    """Generates with a local GGUF file.

    Args:
        model_path: The GGUF file (see ``gguf_assets.ensure_model``).
        n_ctx: Context window in tokens (prompt plus generated text).
        n_threads: CPU threads for decoding.
        seed: Seed used when a request has none.
        model_name: Name reported in results (default: the file name).
        model_id: Identity used in cache keys (default: name and file size).
        reuse_prompt_cache: Keep the KV cache between requests that share a prefix.
    """

    def __init__(
        self,
        model_path: Path | str,
        *,
        n_ctx: int = 2048,
        n_threads: int = 2,
        seed: int = 42,
        model_name: str | None = None,
        model_id: str | None = None,
        reuse_prompt_cache: bool = False,
    ) -> None:
        self.model_path = Path(model_path)
        if not self.model_path.is_file():
            raise FileNotFoundError(f"no GGUF model at {self.model_path}")
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.seed = seed
        self.model_name = model_name or self.model_path.name
        self._model_id = model_id or f"gguf:{self.model_name}:{self.model_path.stat().st_size}"
        self.reuse_prompt_cache = reuse_prompt_cache
        self.load_seconds: float | None = None
        self._llama: Llama | None = None
        self._lock = threading.Lock()
        self._abort_at: float | None = None
        self._watching = False
        self._abort_callback: Any = None

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def default_seed(self) -> int:
        return self.seed

    @property
    def loaded(self) -> bool:
        return self._llama is not None

    def load(self) -> Llama:
        """Load the model now (otherwise the first generation does)."""
        with self._lock:
            return self._load_locked()

    def _load_locked(self) -> Llama:
        if self._llama is None:
            llama_cpp = _import_llama_cpp()
            start = time.perf_counter()
            self._llama = llama_cpp.Llama(
                model_path=str(self.model_path),
                n_ctx=self.n_ctx,
                n_threads=self.n_threads,
                n_threads_batch=self.n_threads,
                seed=self.seed,
                verbose=False,
            )
            self._abort_callback = llama_cpp.ggml_abort_callback(self._past_deadline)
            self._watching = False
            self.load_seconds = time.perf_counter() - start
            logger.info("loaded %s in %.2f s", self.model_path, self.load_seconds)
        return self._llama

    def close(self) -> None:
        """Free the model's memory (a later generation loads it again)."""
        with self._lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None

    def generate(self, request: GenerationRequest) -> GenerationResult:
        return self.stream(request).collect()

    def stream(self, request: GenerationRequest) -> TextStream:
        return TextStream(self._run(request))

    def _run(self, request: GenerationRequest) -> Iterator[str | GenerationResult]:
        wait_start = time.perf_counter()
        timeout = request.timeout_s
        if not self._lock.acquire(timeout=-1 if timeout is None else timeout):
            yield self._result("", 0, 0, time.perf_counter() - wait_start, "timeout")
            return
        try:
            waited = time.perf_counter() - wait_start
            llama = self._load_locked()
            start = time.perf_counter()
            deadline = None if timeout is None else start + max(timeout - waited, 0.0)
            yield from self._decode(llama, request, start, deadline)
        finally:
            self._lock.release()

    def _decode(
        self, llama: Any, request: GenerationRequest, start: float, deadline: float | None
    ) -> Iterator[str | GenerationResult]:
        counter = _TokenCounter()
        seed = self.seed if request.seed is None else request.seed
        if not self.reuse_prompt_cache:
            llama.reset()
        options: dict[str, Any] = {
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
            "seed": seed,
            "stop": list(request.stop),
            "stream": True,
            "logits_processor": _logits_processors(counter),
            "grammar": self._grammar(llama, request),
        }
        if request.prompt is not None:
            chunks = llama.create_completion(request.prompt, **options)
        else:
            messages = [m.to_dict() for m in request.messages]
            chunks = llama.create_chat_completion(messages=messages, **options)
        pieces: list[str] = []
        reason: FinishReason = "stop"
        self._abort_at = deadline
        self._watch_prompt(llama, deadline is not None)
        try:
            for chunk in chunks:
                self._watch_prompt(llama, False)
                choice = chunk["choices"][0]
                piece = choice.get("text") or choice.get("delta", {}).get("content") or ""
                if piece:
                    pieces.append(piece)
                    yield piece
                if choice.get("finish_reason") is not None:
                    reason = "length" if choice["finish_reason"] == "length" else "stop"
                if deadline is not None and time.perf_counter() >= deadline:
                    reason = "timeout"
                    break
        except ValueError as exc:  # prompt longer than the context window
            raise GenerationError(f"{self.model_name}: {exc}") from exc
        except RuntimeError as exc:  # llama_decode aborted by the deadline, or failed
            llama.reset()
            if deadline is None or time.perf_counter() < deadline:
                raise GenerationError(f"{self.model_name}: {exc}") from exc
            reason = "timeout"
        finally:
            self._watch_prompt(llama, False)
            self._abort_at = None
            chunks.close()
        # the last sampled token is never evaluated, every other one is: n_tokens tells the
        # prompt's length (chat templates are applied inside llama-cpp-python)
        prompt_tokens = max(llama.n_tokens - counter.count + 1, 0) if counter.count else 0
        seconds = time.perf_counter() - start
        yield self._result("".join(pieces), counter.count, prompt_tokens, seconds, reason)

    def _watch_prompt(self, llama: Any, on: bool) -> None:
        """Let llama.cpp abort evaluation at the deadline (``on``), or stop asking.

        The callback runs between graph nodes (hundreds of times per token) and needs the
        GIL, so it is only installed while the prompt is evaluated; during decoding the
        deadline is checked after each token instead.
        """
        if on == self._watching:
            return
        llama_cpp = _import_llama_cpp()
        callback = self._abort_callback if on else llama_cpp.ggml_abort_callback()
        llama_cpp.llama_set_abort_callback(llama.ctx, callback, None)
        self._watching = on

    def _past_deadline(self, _data: Any) -> bool:
        return self._abort_at is not None and time.perf_counter() >= self._abort_at

    def _grammar(self, llama: Any, request: GenerationRequest) -> LlamaGrammar | None:
        if request.json_schema is None and request.grammar is None:
            return None
        llama_cpp = _import_llama_cpp()
        try:
            if request.json_schema is not None:
                text = llama_cpp.llama_grammar.json_schema_to_gbnf(json.dumps(request.json_schema))
            else:
                text = request.grammar
        except (ValueError, RuntimeError, TypeError, KeyError) as exc:
            raise GenerationError(f"invalid structured-output constraint: {exc}") from exc
        # llama.cpp crashes on a grammar it cannot parse: parse it once here first.
        vocab = llama_cpp.llama_model_get_vocab(llama.model)
        probe = llama_cpp.llama_sampler_init_grammar(vocab, text.encode("utf-8"), b"root")
        if not probe:
            raise GenerationError(
                "invalid structured-output constraint: llama.cpp cannot parse the grammar "
                f"(root rule `root`): {text[:200]!r}"
            )
        llama_cpp.llama_sampler_free(probe)
        grammar: LlamaGrammar = llama_cpp.LlamaGrammar.from_string(text, verbose=False)
        return grammar

    def _result(
        self, text: str, tokens: int, prompt_tokens: int, seconds: float, reason: FinishReason
    ) -> GenerationResult:
        return GenerationResult(
            text=text,
            tokens=tokens,
            prompt_tokens=prompt_tokens,
            seconds=seconds,
            finish_reason=reason,
            model=self.model_name,
        )


def _logits_processors(counter: _TokenCounter) -> Any:
    llama_cpp = _import_llama_cpp()
    return llama_cpp.LogitsProcessorList([counter])
