"""Text vectors for a catalogue: the one entry point models and services call."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

from recmind.config import get_settings
from recmind.text.embedding_cache import CachedEncoder
from recmind.text.encoders import Encoder, Progress, create_encoder


class ItemTexts(Protocol):
    """What is read of a catalogue (``recmind.rec.interactions.ItemCatalog`` has it)."""

    @property
    def texts(self) -> Iterable[object] | None: ...

    @property
    def titles(self) -> Iterable[object]: ...


def default_encoder_name() -> str:
    """``settings.encoder`` (``RECMIND_ENCODER``, ``minilm`` by default)."""
    return get_settings().encoder


@cache
def shared_encoder(name: str) -> Encoder:
    """One encoder instance per name in this process, so its weights load once."""
    return create_encoder(name)


def resolve_encoder(
    encoder: Encoder | str | None = None, *, cache: bool = True, cache_dir: Path | None = None
) -> Encoder:
    """An encoder from an instance, a name or the settings' default, wrapped in the disk
    cache unless ``cache`` is false or it already is cached."""
    if encoder is None or isinstance(encoder, str):
        name = default_encoder_name() if encoder is None else encoder
        resolved = shared_encoder(name.strip().lower())
    else:
        resolved = encoder
    if cache and not isinstance(resolved, CachedEncoder):
        return CachedEncoder(resolved, cache_dir)
    return resolved


def catalog_texts(catalog: ItemTexts) -> list[str]:
    """The catalogue's item texts, or its titles where it has none."""
    source = catalog.texts if catalog.texts is not None else catalog.titles
    return [str(t) for t in source]


def item_embeddings(
    catalog: ItemTexts,
    encoder: Encoder | str | None = None,
    *,
    progress: Progress | None = None,
    cache: bool = True,
    cache_dir: Path | None = None,
) -> np.ndarray:
    """``(n_items, dim)`` float32 unit vectors of the catalogue's texts, row-aligned with
    ``catalog.item_ids``.

    Args:
        catalog: Items; ``catalog.texts`` (else the titles) are encoded as passages.
        encoder: An encoder, its name, or ``None`` for ``settings.encoder``.
        progress: ``(done, total)`` callback, called as batches finish.
        cache: Read and write the on-disk cache (``<home>/cache/embeddings``).
        cache_dir: Another cache folder.
    """
    resolved = resolve_encoder(encoder, cache=cache, cache_dir=cache_dir)
    return resolved.encode(catalog_texts(catalog), kind="passage", progress=progress)


def query_embeddings(
    texts: list[str],
    encoder: Encoder | str | None = None,
    *,
    cache: bool = False,
    cache_dir: Path | None = None,
) -> np.ndarray:
    """Vectors of search queries or questions (``kind="query"``), uncached by default:
    queries rarely repeat."""
    resolved = resolve_encoder(encoder, cache=cache, cache_dir=cache_dir)
    return resolved.encode(texts, kind="query")
