"""Fixtures of the copy tests: the real SmolLM2-135M (the smallest packaged model), and the
same model held to a given answer by a grammar.

``Held`` exists to test what happens *after* the model answers (a rejected claim, a text too
long, the wrong language): the answer is decoded by the real model through the real
backend, but under a GBNF grammar that admits exactly one string, so the test knows what it
will say. Everything the model would have been asked (messages, bounds, seed) is recorded.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from recmind.text.llm.gguf_assets import ModelAssetsMissingError, ensure_model
from recmind.text.llm.local import LocalGGUFGenerator
from recmind.text.llm.protocol import GenerationRequest, GenerationResult, TextStream


@pytest.fixture(scope="session")
def smollm_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        return ensure_model("smollm2-135m", models_dir=tmp_path_factory.mktemp("llm-models"))
    except ModelAssetsMissingError as exc:
        pytest.skip(f"SmolLM2 is not installed: {exc}")


@pytest.fixture(scope="session")
def smollm(smollm_path: Path) -> Iterator[LocalGGUFGenerator]:
    """SmolLM2-135M through the production backend."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed (see docs/models-and-data.md)")
    generator = LocalGGUFGenerator(smollm_path, n_ctx=2048, n_threads=1, seed=7)
    generator.load()
    yield generator
    generator.close()


def literal_grammar(text: str) -> str:
    """A GBNF grammar whose only sentence is ``text``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'root ::= "{escaped}"'


class Held:
    """The real model, each generation held by a grammar to the next of ``answers``."""

    def __init__(self, inner: LocalGGUFGenerator, answers: list[str]) -> None:
        self.inner = inner
        self.answers = list(answers)
        self.requests: list[GenerationRequest] = []

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def default_seed(self) -> int:
        return self.inner.default_seed

    def generate(self, request: GenerationRequest) -> GenerationResult:
        self.requests.append(request)
        answer = self.answers.pop(0)
        held = replace(
            request,
            json_schema=None,
            grammar=literal_grammar(answer),
            max_tokens=max(request.max_tokens, 4 * len(answer) + 8),
            stop=(),
            temperature=0.0,
            use_cache=False,
        )
        return self.inner.generate(held)

    def stream(self, request: GenerationRequest) -> TextStream:
        raise NotImplementedError("copy generation does not stream")


@pytest.fixture
def held(smollm: LocalGGUFGenerator):  # type: ignore[no-untyped-def]
    """``held(answers)``: the real model held to ``answers`` in turn."""

    def make(answers: list[str]) -> Held:
        return Held(smollm, answers)

    return make
