"""Build the configured Generator."""

from __future__ import annotations

import threading
from pathlib import Path

from recmind.config import LLMSettings, Settings
from recmind.text.llm.cache import CachingGenerator, GenerationCache
from recmind.text.llm.gguf_assets import ensure_model, get_asset
from recmind.text.llm.local import LocalGGUFGenerator
from recmind.text.llm.openai_http import OpenAICompatibleGenerator
from recmind.text.llm.protocol import GenerationError, Generator


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
        ModelAssetsMissingError: The packaged model's parts are not installed.
        GenerationError: The configuration is incomplete.
    """
    config = llm_settings(settings)
    if isinstance(settings, Settings):
        seed = settings.seed if seed is None else seed
        home = settings.home if home is None else home
    seed = 42 if seed is None else seed
    home = Path("./var") if home is None else home
    generator: Generator
    if config.backend == "openai":
        if not config.base_url:
            raise GenerationError("the openai backend needs RECMIND_LLM__BASE_URL")
        generator = OpenAICompatibleGenerator(
            config.base_url,
            config.model,
            api_key=config.api_key.get_secret_value() if config.api_key else None,
            timeout_s=config.timeout_s,
            seed=seed,
        )
    else:
        generator = _local(config, seed)
    if not config.cache:
        return generator
    cache_dir = config.cache_dir or home / "cache" / "llm"
    return CachingGenerator(generator, GenerationCache(cache_dir))


def _local(config: LLMSettings, seed: int) -> LocalGGUFGenerator:
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
