"""Batching, ordering, progress and normalisation shared by every backend, checked on the
real int8 MiniLM (the cheapest real model)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from recmind.text.encoders import Encoder, create_encoder, l2_normalise

TEXTS = [
    "A light cotton dress for hot summer days",
    "Quarterly tax filing deadline for small businesses",
    "Wool sweater that keeps you warm in winter",
    "",
    "How to bake sourdough bread at home",
]


def test_unit_rows_float32_in_input_order(onnx_encoder: Encoder) -> None:
    vectors = onnx_encoder.encode(TEXTS)
    assert vectors.shape == (len(TEXTS), onnx_encoder.dim) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    reversed_vectors = onnx_encoder.encode(TEXTS[::-1])
    np.testing.assert_allclose(reversed_vectors[::-1], vectors, atol=1e-5)


def test_batch_size_does_not_change_vectors(onnx_encoder: Encoder) -> None:
    whole = onnx_encoder.encode(TEXTS, batch_size=64)
    singles = onnx_encoder.encode(TEXTS, batch_size=1)
    np.testing.assert_allclose(singles, whole, atol=1e-4)


def test_progress_counts_every_text(onnx_encoder: Encoder) -> None:
    calls: list[tuple[int, int]] = []
    onnx_encoder.encode(
        TEXTS, batch_size=2, progress=lambda done, total: calls.append((done, total))
    )
    assert calls == [(2, 5), (4, 5), (5, 5)]


def test_empty_input(onnx_encoder: Encoder) -> None:
    assert onnx_encoder.encode([]).shape == (0, onnx_encoder.dim)


def test_bad_arguments(onnx_encoder: Encoder) -> None:
    with pytest.raises(ValueError, match="kind"):
        onnx_encoder.encode(["x"], kind="document")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="batch_size"):
        onnx_encoder.encode(["x"], batch_size=0)


def test_loads_lazily_and_pickles_without_weights() -> None:
    encoder = create_encoder("minilm-onnx")
    assert not encoder.loaded
    first = encoder.encode(["lazy"])
    assert encoder.loaded
    restored = pickle.loads(pickle.dumps(encoder))
    assert not restored.loaded
    np.testing.assert_allclose(restored.encode(["lazy"]), first, atol=1e-6)


def test_l2_normalise_keeps_zero_rows() -> None:
    rows = l2_normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(rows, [[0.6, 0.8], [0.0, 0.0]])
    assert rows.dtype == np.float32


def test_implements_protocol(onnx_encoder: Encoder) -> None:
    assert isinstance(onnx_encoder, Encoder)
