"""Encoders by name."""

from __future__ import annotations

import pytest

from recmind.text.encoders import ENCODERS, available_encoders, create_encoder


def test_every_backend_by_name() -> None:
    assert available_encoders() == ["minilm", "minilm-onnx", "e5"]
    for name in available_encoders():
        encoder = create_encoder(name)
        assert encoder.name == name and encoder.dim == 384
        assert not encoder.loaded  # constructing is cheap: nothing loads
    assert type(create_encoder(" MiniLM-ONNX ")) is ENCODERS["minilm-onnx"]


def test_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown encoder 'bert'.*minilm, minilm-onnx, e5"):
        create_encoder("bert")
