"""Settings of text generation: ``Settings.llm``, environment prefix ``RECMIND_LLM__``.

``RECMIND_LLM__BACKEND=openai``, ``RECMIND_LLM__BASE_URL=http://127.0.0.1:8000/v1`` and
``RECMIND_LLM__MODEL=...`` make every generator the process builds (``recmind generate``,
explanation sentences, portraits) talk to that endpoint.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, field_validator

MAX_DEFAULT_THREADS = 8
"""Decoding is bound by memory bandwidth: past a handful of cores more threads only wait."""


def default_threads() -> int:
    """The CPUs this process may run on, at most ``MAX_DEFAULT_THREADS``."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    return max(1, min(usable, MAX_DEFAULT_THREADS))


class LLMSettings(BaseModel):
    """Which generator to build and how."""

    backend: str = Field(
        default="local",
        description="`local`: a GGUF model run in-process (llama-cpp-python); `openai`: any "
        "OpenAI-compatible HTTP endpoint; or the name of an installed generator plugin.",
    )
    model: str = Field(
        default="qwen2.5-coder-1.5b",
        description="Local: a packaged model (`recmind llm list`). OpenAI: the server's model "
        "name.",
    )
    model_path: Path | None = Field(
        default=None, description="Local: a GGUF file to use instead of a packaged model."
    )
    models_dir: Path | None = Field(
        default=None,
        json_schema_extra={"default_text": "~/.cache/recmind/llm"},
        description="Where packaged models are assembled (shared by every checkout on the "
        "machine).",
    )
    base_url: str | None = Field(
        default=None,
        description="OpenAI: the API root, e.g. http://127.0.0.1:8000/v1 (vLLM, Ollama, "
        "llama.cpp server, ...).",
    )
    api_key: SecretStr | None = Field(default=None, description="OpenAI: bearer token.")
    timeout_s: float = Field(
        default=60.0, gt=0, description="Default bound on one generation, in seconds."
    )
    n_ctx: int = Field(default=2048, ge=256, description="Local: context window in tokens.")
    n_threads: int = Field(
        default_factory=default_threads,
        json_schema_extra={"default_text": "usable CPUs, at most 8"},
        ge=1,
        description="Local: CPU threads the model decodes with.",
    )
    reuse_prompt_cache: bool = Field(
        default=False,
        description="Local: keep the KV cache between requests sharing a prompt prefix "
        "(faster for batches with one system prompt; exact repeatability is then not "
        "guaranteed).",
    )
    cache: bool = Field(default=True, description="Serve repeated requests from a disk cache.")
    cache_dir: Path | None = Field(
        default=None,
        json_schema_extra={"default_text": "<home>/cache/llm"},
        description="Folder of the generation cache.",
    )

    @field_validator("backend")
    @classmethod
    def _backend_name(cls, value: str) -> str:
        name = value.strip().lower()
        if not name:
            raise ValueError("the backend name is empty (local, openai or a plugin's name)")
        return name
