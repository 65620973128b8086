"""Build the configured Generator: the backend from the registry, behind the cache."""

from __future__ import annotations

import threading
from pathlib import Path

from recmind.config import LLMSettings, Settings
from recmind.text.llm.backends import generator_backend
from recmind.text.llm.cache import CachingGenerator, GenerationCache
from recmind.text.llm.protocol import Generator


def llm_settings(settings: Settings | LLMSettings | None = None) -> LLMSettings:
    """The LLM part of ``settings`` (``settings.llm``; the defaults for ``None``)."""
    if isinstance(settings, LLMSettings):
        return settings
    return settings.llm if settings is not None else LLMSettings()


def create_generator(
    settings: Settings | LLMSettings | None = None,
    *,
    seed: int | None = None,
    home: Path | None = None,
) -> Generator:
    """The generator ``settings`` describe, behind the generation cache unless it is off.

    Args:
        settings: Process settings (their ``llm`` field, ``seed`` and ``home`` are used), or
            just the LLM part.
        seed: Default sampling seed (default: ``settings.seed``, else 42).
        home: Base of the default cache directory (default: ``settings.home``, else ./var).

    Raises:
        GenerationError: The backend is not registered, or the configuration is incomplete.
        UnknownModelError: The local backend's model is not a packaged one.
        ModelAssetsMissingError: The packaged model's parts are not installed.
    """
    config = llm_settings(settings)
    if isinstance(settings, Settings):
        seed = settings.seed if seed is None else seed
        home = settings.home if home is None else home
    seed = 42 if seed is None else seed
    home = Path("./var") if home is None else home
    generator = generator_backend(config.backend).create(config, seed=seed)
    if not config.cache:
        return generator
    cache_dir = config.cache_dir or home / "cache" / "llm"
    return CachingGenerator(generator, GenerationCache(cache_dir))


_shared: dict[str, Generator] = {}
_shared_lock = threading.Lock()


def shared_generator(settings: Settings | LLMSettings | None = None) -> Generator:
    """One generator per distinct configuration for the whole process (a local model is
    loaded once and reused by every caller)."""
    config = llm_settings(settings)
    home = settings.home if isinstance(settings, Settings) else None
    seed = settings.seed if isinstance(settings, Settings) else None
    key = f"{config.model_dump_json()}|{home}|{seed}"
    with _shared_lock:
        if key not in _shared:
            _shared[key] = create_generator(settings, seed=seed, home=home)
        return _shared[key]
