"""all-MiniLM-L6-v2 through sentence-transformers (PyTorch), the English default."""

from __future__ import annotations

import numpy as np
import pytest

from recmind.text.embed import shared_encoder
from recmind.text.encoders import Encoder

TEXTS = [
    "A light cotton dress for hot summer days",
    "Breezy sundress, ideal when the weather is warm",
    "The train to the airport leaves every fifteen minutes",
    "",
]


@pytest.fixture(scope="module")
def minilm() -> Encoder:
    return shared_encoder("minilm")


def test_encodes_meaning(minilm: Encoder) -> None:
    vectors = minilm.encode(TEXTS)
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.3


def test_int8_onnx_agrees_with_fp32(minilm: Encoder, onnx_encoder: Encoder) -> None:
    """The fast path is the same model: cosine to the fp32 vectors above 0.99."""
    agreement = (minilm.encode(TEXTS) * onnx_encoder.encode(TEXTS)).sum(axis=1)
    assert (agreement > 0.99).all(), agreement
