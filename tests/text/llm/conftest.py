"""The real SmolLM2-135M (the smallest GGUF model in docs/models-and-data.md), loaded once
per session."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from recmind.text.llm.gguf_assets import ModelAssetsMissingError, ensure_model
from recmind.text.llm.local import LocalGGUFGenerator


@pytest.fixture(scope="session")
def smollm_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The verified SmolLM2 file (hashed once, stamp in a session folder)."""
    try:
        return ensure_model("smollm2-135m", models_dir=tmp_path_factory.mktemp("llm-models"))
    except ModelAssetsMissingError as exc:
        pytest.skip(f"SmolLM2 is not installed: {exc}")


@pytest.fixture(scope="session")
def smollm(smollm_path: Path) -> Iterator[LocalGGUFGenerator]:
    """SmolLM2-135M through the same backend as the production model."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip(
            "llama-cpp-python is not installed (see docs/models-and-data.md for the build flags)"
        )
    generator = LocalGGUFGenerator(smollm_path, n_ctx=1024, n_threads=1, seed=7)
    generator.load()
    yield generator
    generator.close()
