"""Building the configured generator from settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from recmind.config import LLMSettings, Settings
from recmind.text.llm.cache import CachingGenerator
from recmind.text.llm.factory import create_generator, llm_settings, shared_generator
from recmind.text.llm.gguf_assets import DEFAULT_MODEL
from recmind.text.llm.local import LocalGGUFGenerator
from recmind.text.llm.openai_http import OpenAICompatibleGenerator
from recmind.text.llm.protocol import GenerationError


def test_local_packaged_model_behind_the_cache(smollm_path: Path, tmp_path: Path) -> None:
    config = LLMSettings(model="smollm2", models_dir=tmp_path / "models", n_ctx=512)
    generator = create_generator(config, seed=3, home=tmp_path)
    assert isinstance(generator, CachingGenerator)
    inner = generator.inner
    assert isinstance(inner, LocalGGUFGenerator)
    assert inner.model_path == smollm_path and inner.n_ctx == 512 and inner.seed == 3
    assert inner.model_id.startswith("smollm2-135m@b179c952")
    assert not inner.loaded  # lazy
    assert generator.cache.root == tmp_path / "cache" / "llm"


def test_explicit_file_and_no_cache(smollm_path: Path) -> None:
    generator = create_generator(LLMSettings(model_path=smollm_path, cache=False))
    assert isinstance(generator, LocalGGUFGenerator) and generator.default_seed == 42
    assert not generator.reuse_prompt_cache
    config = LLMSettings(model_path=smollm_path, cache=False, reuse_prompt_cache=True)
    reusing = create_generator(config)
    assert isinstance(reusing, LocalGGUFGenerator) and reusing.reuse_prompt_cache


def test_openai_backend(tmp_path: Path) -> None:
    config = LLMSettings(
        backend="openai",
        base_url="http://127.0.0.1:8000/v1/",
        model="qwen2.5:7b",
        api_key=SecretStr("k"),
        cache_dir=tmp_path,
    )
    generator = create_generator(config)
    assert isinstance(generator, CachingGenerator)
    assert isinstance(generator.inner, OpenAICompatibleGenerator)
    assert generator.model_id == "openai:http://127.0.0.1:8000/v1#qwen2.5:7b"
    with pytest.raises(GenerationError, match="BASE_URL"):
        create_generator(LLMSettings(backend="openai"))


def test_the_default_model_is_the_packaged_default() -> None:
    assert LLMSettings().model == DEFAULT_MODEL


def test_llm_settings_of_the_settings_tree(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, seed=5, llm=LLMSettings(n_ctx=512))
    assert llm_settings(settings) is settings.llm
    assert llm_settings(settings.llm) is settings.llm
    assert llm_settings(None).model == "qwen2.5-coder-1.5b"


def test_shared_generator_is_one_instance_per_configuration(smollm_path: Path) -> None:
    config = LLMSettings(model_path=smollm_path, cache=False)
    assert shared_generator(config) is shared_generator(config.model_copy())
    assert shared_generator(config) is not shared_generator(
        config.model_copy(update={"n_ctx": 512})
    )


def test_nested_settings_read_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECMIND_HOME", str(tmp_path))
    monkeypatch.setenv("RECMIND_SEED", "9")
    monkeypatch.setenv("RECMIND_LLM__BACKEND", "openai")
    monkeypatch.setenv("RECMIND_LLM__BASE_URL", "http://127.0.0.1:1/v1")
    monkeypatch.setenv("RECMIND_LLM__MODEL", "big")
    monkeypatch.setenv("RECMIND_LLM__API_KEY", "secret")
    monkeypatch.setenv("RECMIND_LLM__TIMEOUT_S", "5")
    settings = Settings()
    config = llm_settings(settings)
    assert (config.backend, config.model, config.timeout_s) == ("openai", "big", 5.0)
    assert config.api_key is not None and config.api_key.get_secret_value() == "secret"
    generator = create_generator(settings)
    assert isinstance(generator, CachingGenerator)
    assert generator.cache.root == tmp_path / "cache" / "llm"
    assert generator.default_seed == 9
    assert isinstance(generator.inner, OpenAICompatibleGenerator)
    assert generator.inner.timeout_s == 5.0
