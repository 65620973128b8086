"""Generator backends by name (``RECMIND_LLM__BACKEND``): ``local`` and ``openai`` built in,
more as plugins.

A backend is a small class with a ``name`` and a ``create`` method turning the LLM settings
into a :class:`~recmind.text.llm.protocol.Generator`. A third-party backend subclasses
:class:`GeneratorBackend` and declares it in the ``recmind.generators`` entry-point group::

    [project.entry-points."recmind.generators"]
    my-server = "my_package.backend:MyServerBackend"

after which ``RECMIND_LLM__BACKEND=my-server`` selects it (it reads ``RECMIND_LLM__MODEL``,
``RECMIND_LLM__BASE_URL`` and the other ``llm`` settings it needs).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from recmind.config import LLMSettings
from recmind.text.llm.gguf_assets import ensure_model, get_asset
from recmind.text.llm.local import LocalGGUFGenerator
from recmind.text.llm.openai_http import OpenAICompatibleGenerator
from recmind.text.llm.protocol import GenerationError, Generator
from recmind.text.plugins import PluginLoadError, PluginRegistry, UnknownPluginError


class GeneratorBackend(ABC):
    """Builds generators of one kind from the LLM settings."""

    name: ClassVar[str]
    """The configuration name (``RECMIND_LLM__BACKEND``)."""

    @abstractmethod
    def create(self, config: LLMSettings, *, seed: int) -> Generator:
        """A generator as ``config`` describes, sampling with ``seed`` by default.

        Raises:
            GenerationError: ``config`` lacks something this backend needs.
        """


def _as_backend(plugin: object) -> type[GeneratorBackend]:
    if isinstance(plugin, type) and issubclass(plugin, GeneratorBackend):
        return plugin
    raise TypeError(f"{plugin!r} is not a subclass of recmind's GeneratorBackend")


GENERATOR_BACKENDS: PluginRegistry[type[GeneratorBackend]] = PluginRegistry(
    "generator backend", "recmind.generators", _as_backend
)
"""Every generator backend by name."""


@GENERATOR_BACKENDS.register("local")
class LocalBackend(GeneratorBackend):
    """A GGUF model run in-process by llama-cpp-python: a packaged model
    (``RECMIND_LLM__MODEL``) or a file (``RECMIND_LLM__MODEL_PATH``)."""

    name = "local"

    def create(self, config: LLMSettings, *, seed: int) -> Generator:
        if config.model_path is not None:
            return LocalGGUFGenerator(
                config.model_path,
                n_ctx=config.n_ctx,
                n_threads=config.n_threads,
                seed=seed,
                reuse_prompt_cache=config.reuse_prompt_cache,
            )
        asset = get_asset(config.model)
        path = ensure_model(asset, models_dir=config.models_dir)
        return LocalGGUFGenerator(
            path,
            n_ctx=config.n_ctx,
            n_threads=config.n_threads,
            seed=seed,
            model_name=asset.name,
            model_id=f"{asset.name}@{asset.sha256[:16]}",
            reuse_prompt_cache=config.reuse_prompt_cache,
        )


@GENERATOR_BACKENDS.register("openai")
class OpenAIBackend(GeneratorBackend):
    """Any OpenAI-compatible HTTP endpoint (``RECMIND_LLM__BASE_URL``), asked for the model
    ``RECMIND_LLM__MODEL``."""

    name = "openai"

    def create(self, config: LLMSettings, *, seed: int) -> Generator:
        if not config.base_url:
            raise GenerationError(
                "the openai backend needs RECMIND_LLM__BASE_URL (e.g. http://127.0.0.1:8000/v1)"
            )
        return OpenAICompatibleGenerator(
            config.base_url,
            config.model,
            api_key=config.api_key.get_secret_value() if config.api_key else None,
            timeout_s=config.timeout_s,
            seed=seed,
        )


def generator_backend(name: str) -> GeneratorBackend:
    """The backend called ``name``, ready to ``create`` generators.

    Raises:
        GenerationError: No backend has that name (the message lists the registered ones),
            or the plugin of that name cannot be loaded.
    """
    try:
        return GENERATOR_BACKENDS.get(name)()
    except (UnknownPluginError, PluginLoadError) as exc:
        raise GenerationError(str(exc)) from exc


def generator_backends() -> list[str]:
    """Names ``RECMIND_LLM__BACKEND`` accepts: the built-in backends, then plugins."""
    return GENERATOR_BACKENDS.names()
