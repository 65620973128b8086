"""Real encoders shared across the text tests (each loads its weights once per session)."""

from __future__ import annotations

import pytest

from recmind.text.embed import shared_encoder
from recmind.text.encoders import Encoder


@pytest.fixture(scope="session")
def onnx_encoder() -> Encoder:
    """The fastest real encoder: int8 MiniLM on onnxruntime (about 0.5 s to load)."""
    return shared_encoder("minilm-onnx")
