"""Generator backends by name: the built-in ones, a plugin from an entry point, bad names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from recmind.config import LLMSettings, Settings
from recmind.text.llm.backends import (
    GENERATOR_BACKENDS,
    LocalBackend,
    OpenAIBackend,
    generator_backend,
    generator_backends,
)
from recmind.text.llm.factory import create_generator
from recmind.text.llm.local import LocalGGUFGenerator
from recmind.text.llm.openai_http import OpenAICompatibleGenerator
from recmind.text.llm.protocol import GenerationError

PluginDistribution = Callable[[str, str, dict[str, str]], None]

GATEWAY_BACKEND = """
    from recmind.text.llm.backends import GeneratorBackend
    from recmind.text.llm.openai_http import OpenAICompatibleGenerator


    class GatewayBackend(GeneratorBackend):
        '''A company's LLM gateway: OpenAI-compatible, always behind /gateway/v1.'''

        name = "gateway"

        def create(self, config, *, seed):
            root = (config.base_url or "http://127.0.0.1:9").rstrip("/")
            return OpenAICompatibleGenerator(
                root + "/gateway/v1", config.model, timeout_s=config.timeout_s, seed=seed
            )


    class NotABackend:
        pass
"""


def test_builtin_backends_by_name() -> None:
    assert generator_backends()[:2] == ["local", "openai"]
    assert isinstance(generator_backend("local"), LocalBackend)
    assert isinstance(generator_backend(" OpenAI "), OpenAIBackend)
    assert GENERATOR_BACKENDS.get("openai") is OpenAIBackend


def test_local_backend_builds_from_a_file(smollm_path: Path) -> None:
    config = LLMSettings(model_path=smollm_path, n_ctx=512, n_threads=1)
    generator = generator_backend("local").create(config, seed=4)
    assert isinstance(generator, LocalGGUFGenerator)
    assert (generator.n_ctx, generator.n_threads, generator.default_seed) == (512, 1, 4)


def test_unknown_backend_lists_the_registered_ones(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, llm=LLMSettings(backend="cloud"))
    with pytest.raises(GenerationError, match=r"unknown generator backend 'cloud'.*local, openai"):
        create_generator(settings)


def test_an_entry_point_backend_is_configured_like_a_builtin(
    plugin_distribution: PluginDistribution, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plugin_distribution(
        "gateway_backend_plugin",
        GATEWAY_BACKEND,
        {
            "recmind.generators": "gateway = gateway_backend_plugin:GatewayBackend\n"
            "wrong = gateway_backend_plugin:NotABackend"
        },
    )
    assert generator_backends()[:2] == ["local", "openai"]
    assert {"gateway", "wrong"} <= set(generator_backends())
    monkeypatch.setenv("RECMIND_HOME", str(tmp_path))
    monkeypatch.setenv("RECMIND_LLM__BACKEND", "gateway")
    monkeypatch.setenv("RECMIND_LLM__BASE_URL", "http://127.0.0.1:8123/")
    monkeypatch.setenv("RECMIND_LLM__MODEL", "house-model")
    monkeypatch.setenv("RECMIND_LLM__CACHE", "false")
    generator = create_generator(Settings())
    assert isinstance(generator, OpenAICompatibleGenerator)
    assert generator.model_id == "openai:http://127.0.0.1:8123/gateway/v1#house-model"
    with pytest.raises(GenerationError, match=r"'wrong'.*not a subclass of recmind's Generator"):
        generator_backend("wrong")
