"""Understanding items and people through language: encoders, item texts, embeddings.

Import cost is small: no model loads (and neither PyTorch nor onnxruntime is imported)
until something is encoded.
"""

from __future__ import annotations

from recmind.text.embed import item_embeddings, query_embeddings, resolve_encoder
from recmind.text.embedding_cache import CachedEncoder
from recmind.text.encoders import Encoder, available_encoders, create_encoder
from recmind.text.item_text import item_texts

__all__ = [
    "CachedEncoder",
    "Encoder",
    "available_encoders",
    "create_encoder",
    "item_embeddings",
    "item_texts",
    "query_embeddings",
    "resolve_encoder",
]
