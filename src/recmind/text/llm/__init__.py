"""Text generation: one Generator protocol, a local GGUF backend and an OpenAI-compatible one.

Example::

    from recmind.text.llm import GenerationRequest, create_generator, default_prompts

    generator = create_generator(get_settings())  # local Qwen2.5-Coder-1.5B by default
    request = default_prompts().request("explain_item", facts, max_tokens=60)
    result = generator.generate(request)          # or: for piece in generator.stream(request)
"""

from recmind.config import LLMSettings
from recmind.text.llm.cache import CachingGenerator, GenerationCache
from recmind.text.llm.factory import create_generator, llm_settings, shared_generator
from recmind.text.llm.gguf_assets import (
    DEFAULT_MODEL,
    MODELS,
    ModelAsset,
    ModelAssetError,
    ModelAssetsMissingError,
    ModelChecksumError,
    UnknownModelError,
    asset_status,
    default_models_dir,
    ensure_model,
    get_asset,
)
from recmind.text.llm.local import LocalGGUFGenerator
from recmind.text.llm.openai_http import OpenAICompatibleGenerator
from recmind.text.llm.prompts import PromptLibrary, default_prompts, render_prompt
from recmind.text.llm.protocol import (
    ChatMessage,
    FinishReason,
    GenerationError,
    GenerationRequest,
    GenerationResult,
    Generator,
    TextStream,
    request_key,
)

__all__ = [
    "DEFAULT_MODEL",
    "MODELS",
    "CachingGenerator",
    "ChatMessage",
    "FinishReason",
    "GenerationCache",
    "GenerationError",
    "GenerationRequest",
    "GenerationResult",
    "Generator",
    "LLMSettings",
    "LocalGGUFGenerator",
    "ModelAsset",
    "ModelAssetError",
    "ModelAssetsMissingError",
    "ModelChecksumError",
    "OpenAICompatibleGenerator",
    "PromptLibrary",
    "TextStream",
    "UnknownModelError",
    "asset_status",
    "create_generator",
    "default_models_dir",
    "default_prompts",
    "ensure_model",
    "get_asset",
    "llm_settings",
    "render_prompt",
    "request_key",
    "shared_generator",
]
