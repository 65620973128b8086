"""Understanding item texts: keyphrases by embedding, attributes by a language model."""

from __future__ import annotations

from recmind.text.extract.attributes import (
    Extraction,
    ExtractionError,
    ProductAttributes,
    extract_attributes,
    extract_attributes_detailed,
    supported,
)
from recmind.text.extract.keyphrases import (
    Keyphrase,
    candidate_phrases,
    extract_keyphrases,
    item_documents,
    item_keyphrases,
    mmr,
)

__all__ = [
    "Extraction",
    "ExtractionError",
    "Keyphrase",
    "ProductAttributes",
    "candidate_phrases",
    "extract_attributes",
    "extract_attributes_detailed",
    "extract_keyphrases",
    "item_documents",
    "item_keyphrases",
    "mmr",
    "supported",
]
