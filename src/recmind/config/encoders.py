"""Which sentence encoder turns item and query text into vectors: ``RECMIND_ENCODER``.

The name is looked up in the encoder registry (``recmind.text.encoders.registry``) when an
encoder is built, so a backend installed as a plugin (entry point group
``recmind.encoders``) is configured the same way as the built-in ones.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

DEFAULT_ENCODER = "minilm"
"""The English default: all-MiniLM-L6-v2 through sentence-transformers."""

BUILTIN_ENCODERS = ("minilm", "minilm-onnx", "e5")
"""Encoders recmind ships (plugins may add more)."""


def normalise_encoder_name(name: str) -> str:
    """``name`` stripped and lower-cased; an empty name is refused."""
    cleaned = name.strip().lower()
    if not cleaned:
        raise ValueError("the encoder name is empty; choose one of: " + ", ".join(BUILTIN_ENCODERS))
    return cleaned


EncoderName = Annotated[
    str,
    AfterValidator(normalise_encoder_name),
    Field(
        description="Sentence encoder for item and query text: minilm (English, "
        "sentence-transformers), minilm-onnx (int8, no torch), e5 (Chinese and English), or "
        "the name of an installed encoder plugin."
    ),
]
"""A configured encoder name (``Settings.encoder``)."""
