"""Text vectors of the catalogue items for text fusion."""

from __future__ import annotations

import numpy as np

from recmind.rec.interactions import ItemCatalog
from recmind.text.embed import item_embeddings


def catalog_text_vectors(
    catalog: ItemCatalog, encoder: str | None, *, cache: bool
) -> np.ndarray | None:
    """``(len(catalog), d)`` float32 embeddings of the items' texts, or ``None`` when the
    catalogue knows only ids (no texts: nothing to fuse)."""
    if catalog.texts is None:
        return None
    return np.asarray(item_embeddings(catalog, encoder, cache=cache), dtype=np.float32)
