"""Encoders by name: the built-in ones, a plugin from an entry point, unknown names."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from recmind.config import Settings
from recmind.text.embed import resolve_encoder
from recmind.text.encoders import ENCODERS, BatchEncoder, available_encoders, create_encoder
from recmind.text.plugins import PluginLoadError, UnknownPluginError

PluginDistribution = Callable[[str, str, dict[str, str]], None]

HASHING_ENCODER = """
    import zlib

    import numpy as np

    from recmind.text.encoders.base import BatchEncoder


    class HashingEncoder(BatchEncoder):
        '''Bag of hashed words: a real, tiny encoder shipped by a third party.'''

        name = "hashing"
        dim = 16
        revision = "hashing-plugin==0.1"

        def _load(self):
            return None

        def _encode_batch(self, model, texts, kind):
            out = np.zeros((len(texts), self.dim), dtype=np.float32)
            for row, text in enumerate(texts):
                for word in text.lower().split() or [""]:
                    out[row, zlib.crc32(word.encode()) % self.dim] += 1.0
            return out


    def not_an_encoder():
        return "just text"
"""


def test_every_builtin_backend_by_name() -> None:
    assert available_encoders()[:3] == ["minilm", "minilm-onnx", "e5"]
    for name in ("minilm", "minilm-onnx", "e5"):
        encoder = create_encoder(name)
        assert encoder.name == name and encoder.dim == 384
        assert isinstance(encoder, BatchEncoder)
        assert not encoder.loaded  # constructing is cheap: nothing loads
    assert type(create_encoder(" MiniLM-ONNX ")) is ENCODERS.get("minilm-onnx")


def test_unknown_name_lists_the_registered_ones() -> None:
    with pytest.raises(
        UnknownPluginError, match=r"unknown encoder 'bert'.*minilm, minilm-onnx, e5"
    ):
        create_encoder("bert")
    with pytest.raises(ValueError, match=r"recmind\.encoders"):
        create_encoder("bert")


def test_an_entry_point_plugin_is_configured_like_a_builtin(
    plugin_distribution: PluginDistribution, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugin_distribution(
        "hashing_encoder_plugin",
        HASHING_ENCODER,
        {
            "recmind.encoders": "hashing = hashing_encoder_plugin:HashingEncoder\n"
            "bad = hashing_encoder_plugin:not_an_encoder"
        },
    )
    assert "hashing" in available_encoders() and "bad" in available_encoders()
    monkeypatch.setenv("RECMIND_ENCODER", "Hashing")
    assert Settings().encoder == "hashing"
    monkeypatch.setattr("recmind.text.embed.get_settings", Settings)
    encoder = resolve_encoder(None, cache=False)
    assert encoder.name == "hashing" and type(encoder).__module__ == "hashing_encoder_plugin"
    vectors = encoder.encode(["red shoes", "red shoes", "blue hat"])
    assert vectors.shape == (3, 16)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    assert vectors[0] @ vectors[1] == pytest.approx(1.0) and vectors[0] @ vectors[2] < 1.0
    with pytest.raises(PluginLoadError, match="'bad' built 'just text'"):
        create_encoder("bad")
