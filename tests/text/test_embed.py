"""Catalogue vectors: aligned, cached under the settings' home, encoder by name or default."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recmind.config import Settings
from recmind.rec.interactions import ItemCatalog
from recmind.text.embed import (
    catalog_texts,
    default_encoder_name,
    item_embeddings,
    query_embeddings,
    resolve_encoder,
    shared_encoder,
)
from recmind.text.embedding_cache import CachedEncoder, default_cache_dir
from recmind.text.encoders import Encoder, create_encoder


def small_catalog() -> ItemCatalog:
    items = pd.DataFrame(
        {
            "item_id": ["a", "b", "c"],
            "title": ["Merino wool sweater", "Linen summer dress", "Cast iron skillet"],
            "category": ["Tops/Knits", "Dresses", "Kitchen"],
        }
    )
    return ItemCatalog.from_frame(items, np.asarray(["c", "a", "b"], dtype=object))


def test_rows_follow_the_catalogue(settings: Settings, onnx_encoder: Encoder) -> None:
    catalog = small_catalog()
    vectors = item_embeddings(catalog, "minilm-onnx")
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    expected = onnx_encoder.encode(catalog_texts(catalog))
    np.testing.assert_allclose(vectors, expected, atol=1e-6)
    assert catalog_texts(catalog)[0].startswith("Cast iron skillet.")


def test_cached_under_home(settings: Settings) -> None:
    item_embeddings(small_catalog(), "minilm-onnx")
    files = list(default_cache_dir().glob("*.sqlite"))
    assert len(files) == 1 and files[0].is_relative_to(settings.home)
    cold = create_encoder("minilm-onnx")
    item_embeddings(small_catalog(), cold)
    assert not cold.loaded  # every text came from the cache


def test_uncached_and_other_folder(tmp_path: Path, onnx_encoder: Encoder) -> None:
    assert resolve_encoder(onnx_encoder, cache=False) is onnx_encoder
    wrapped = resolve_encoder("minilm-onnx", cache_dir=tmp_path)
    assert isinstance(wrapped, CachedEncoder) and wrapped.cache_dir == tmp_path
    assert resolve_encoder(wrapped) is wrapped
    item_embeddings(small_catalog(), onnx_encoder, cache=False)
    assert shared_encoder("minilm-onnx") is shared_encoder("minilm-onnx")


def test_titles_when_no_texts(onnx_encoder: Encoder) -> None:
    bare = ItemCatalog.bare(np.asarray(["wool sweater", "frying pan"], dtype=object))
    vectors = item_embeddings(bare, onnx_encoder, cache=False)
    np.testing.assert_allclose(vectors, onnx_encoder.encode(["wool sweater", "frying pan"]))


def test_queries_use_the_query_kind(onnx_encoder: Encoder) -> None:
    vectors = query_embeddings(["warm jumper"], onnx_encoder)
    catalog = small_catalog()
    items = item_embeddings(catalog, onnx_encoder, cache=False)
    assert catalog.item_ids[int(np.argmax(items @ vectors[0]))] == "a"


def test_progress(onnx_encoder: Encoder) -> None:
    calls: list[tuple[int, int]] = []
    item_embeddings(
        small_catalog(), onnx_encoder, cache=False, progress=lambda d, t: calls.append((d, t))
    )
    assert calls[-1] == (3, 3)


def test_default_encoder(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_encoder_name() == settings.encoder == "minilm"
    monkeypatch.setenv("RECMIND_ENCODER", "e5")
    from recmind.config import get_settings

    get_settings.cache_clear()
    assert default_encoder_name() == "e5"
    assert resolve_encoder(None, cache=False).name == "e5"


def test_unknown_encoder_name() -> None:
    with pytest.raises(ValueError, match="unknown encoder"):
        item_embeddings(small_catalog(), "nope", cache=False)
