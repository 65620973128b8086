"""Hybrid retrieval over the shop's knowledge: products, review snippets, policy passages.

``recmind kb index`` builds (and persists) the index from the store; ``Retriever.search``
is the seam the assistant calls::

    retriever = Retriever.load(store)
    hits = retriever.search("how long do I have to return", kinds=["policy"], top=3)

Modules: ``documents`` (what is indexed), ``tokens`` (English stems, Chinese bigrams),
``lexical`` (BM25, bm25s), ``semantic`` (the project's encoders), ``fusion`` (reciprocal rank
fusion), ``index`` (build, persist, load), ``retriever`` (fusion, store filters, rerank).
"""

from recmind.assistant.retrieval.documents import KINDS, Document, Kind
from recmind.assistant.retrieval.fusion import reciprocal_rank_fusion
from recmind.assistant.retrieval.index import (
    IndexMissingError,
    IndexReport,
    RetrievalIndex,
    build_index,
    load_index,
    reindex,
)
from recmind.assistant.retrieval.retriever import Filters, Hit, Retriever

__all__ = [
    "KINDS",
    "Document",
    "Filters",
    "Hit",
    "IndexMissingError",
    "IndexReport",
    "Kind",
    "RetrievalIndex",
    "Retriever",
    "build_index",
    "load_index",
    "reciprocal_rank_fusion",
    "reindex",
]
