"""The int8 ONNX MiniLM: meaning, pooling, and no PyTorch on its path."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np

from recmind.text.encoders import Encoder
from recmind.text.encoders.onnx_minilm import mean_pool


def test_paraphrase_closer_than_unrelated(onnx_encoder: Encoder) -> None:
    a, b, c = onnx_encoder.encode(
        [
            "A light cotton dress for hot summer days",
            "Breezy sundress, ideal when the weather is warm",
            "The train to the airport leaves every fifteen minutes",
        ]
    )
    assert float(a @ b) > float(a @ c) + 0.3


def test_long_text_is_truncated_not_rejected(onnx_encoder: Encoder) -> None:
    long_text = "soft knit sweater " * 400
    vector = onnx_encoder.encode([long_text, "soft knit sweater " * 80])
    assert np.isfinite(vector).all()
    assert float(vector[0] @ vector[1]) > 0.99  # both are cut to the same 256 word pieces


def test_mean_pool_ignores_padding() -> None:
    states = np.array([[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]]], dtype=np.float32)
    mask = np.array([[1, 1, 0]])
    np.testing.assert_allclose(mean_pool(states, mask), [[2.0, 3.0]])


def test_no_torch_import() -> None:
    code = textwrap.dedent(
        """
        import sys
        from recmind.text.encoders import create_encoder
        vectors = create_encoder("minilm-onnx").encode(["no torch here"])
        assert vectors.shape == (1, 384)
        print(sorted(m for m in ("torch", "sentence_transformers", "transformers")
                     if m in sys.modules))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"
