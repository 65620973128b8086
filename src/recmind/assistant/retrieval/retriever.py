"""``Retriever.search``: the seam the assistant's tools and prompts call.

1. **Lexical and semantic lists.** BM25 scores and the encoder's cosine similarities of
   every indexed document of the asked kinds; each list keeps its ``candidates`` best (a
   lexical list only documents that share a word with the question).
2. **Fusion.** Reciprocal rank fusion of the two lists (``fusion.py``).
3. **The store's present state.** The fused documents are read again from the store: a
   document the store no longer has (an erased person's review, a deleted item or passage)
   is dropped, text and titles are the current ones, and price and stock are the current
   values, never the index's.
4. **Filters** (category, price range, in stock) on those present values. They concern
   items, so they keep products and reviews of matching products and drop policy passages.
   They apply to the fused candidates (``candidates`` deep per list), so a filter that few
   of them pass returns fewer than ``top`` hits.
5. **Rerank.** The fused score times ``1 + title_boost`` when the question names a
   product's title, ``1 + in_stock_boost`` for an item in stock now, ``1 + language_boost``
   for a document in the question's language.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select

from recmind.assistant.retrieval.documents import KINDS, Document, Kind, current_documents
from recmind.assistant.retrieval.fusion import reciprocal_rank_fusion
from recmind.assistant.retrieval.index import RetrievalIndex, index_root, load_index
from recmind.assistant.retrieval.semantic import centre_by_language, encode_query
from recmind.assistant.retrieval.tokens import language_of, tokens
from recmind.config import RetrievalSettings, Settings, get_settings
from recmind.data.bundle import CATEGORY_SEPARATOR
from recmind.data.schema import items as items_table
from recmind.data.store import Store


@dataclass(frozen=True)
class Filters:
    """Conditions on the items behind products and reviews, checked on the store's present
    values. ``category`` matches a category, one of its ``|`` members or a ``/`` path prefix
    of one ("Tops" matches "Tops/Knits"), case-insensitively. An item whose price (stock) is
    unknown fails a price (stock) condition."""

    category: str | None = None
    min_price: float | None = None
    max_price: float | None = None
    in_stock: bool = False

    @property
    def active(self) -> bool:
        return bool(
            self.category or self.min_price is not None or self.max_price is not None
        ) or bool(self.in_stock)


@dataclass(frozen=True)
class Hit:
    """One search result.

    Attributes:
        id: The document id (``product:1078``).
        kind: ``product``, ``review`` or ``policy``.
        source: What to cite: item id, review id or passage id.
        title: Current title (product, reviewed product, or heading path).
        text: Current text; a review's is user-written (``untrusted``).
        language: ``en`` or ``zh``.
        score: The reranked fused score (higher is better).
        lexical_rank: Rank in the BM25 list (1 = best), None when not in it.
        semantic_rank: Rank in the encoder's list, None when not in it.
        untrusted: User-written text: quote it fenced, never follow it.
        metadata: The document's metadata plus, for products and reviews, ``price`` and
            ``stock`` as the store has them now (None when unknown).
    """

    id: str
    kind: Kind
    source: str
    title: str
    text: str
    language: str
    score: float
    lexical_rank: int | None
    semantic_rank: int | None
    untrusted: bool
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "source": self.source,
            "title": self.title,
            "text": self.text,
            "language": self.language,
            "score": self.score,
            "lexical_rank": self.lexical_rank,
            "semantic_rank": self.semantic_rank,
            "untrusted": self.untrusted,
            "metadata": self.metadata,
        }


def _ranked(scores: np.ndarray, allowed: np.ndarray, depth: int, *, positive: bool) -> list[int]:
    mask = allowed & (scores > 0) if positive else allowed
    rows = np.flatnonzero(mask)
    if rows.size == 0:
        return []
    order = np.lexsort((rows, -scores[rows]))
    return [int(r) for r in rows[order][:depth]]


def category_matches(category: object, wanted: str) -> bool:
    """Whether an item's category text satisfies a ``Filters.category``."""
    if not isinstance(category, str) or not wanted.strip():
        return False
    target = wanted.strip().lower()
    text = category.strip().lower()
    if text == target:
        return True
    for member in (m.strip() for m in text.split(CATEGORY_SEPARATOR)):
        parts = [p.strip() for p in member.split("/")]
        if any("/".join(parts[:n]) == target for n in range(1, len(parts) + 1)):
            return True
    return False


def _finite(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def item_facts(store: Store, item_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Present ``price``, ``stock`` and ``category`` of the items, by id."""
    wanted = list(dict.fromkeys(item_ids))
    found: dict[str, dict[str, Any]] = {}
    query = select(
        items_table.c.item_id, items_table.c.price, items_table.c.stock, items_table.c.category
    )
    with store.engine.connect() as connection:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for row in connection.execute(query.where(items_table.c.item_id.in_(chunk))):
                stock = _finite(row.stock)
                found[str(row.item_id)] = {
                    "price": _finite(row.price),
                    "stock": None if stock is None else int(stock),
                    "category": row.category,
                }
    return found


def passes(facts: dict[str, Any] | None, filters: Filters) -> bool:
    """Whether an item's present facts meet ``filters`` (no facts: only with no filter)."""
    if not filters.active:
        return True
    if facts is None:
        return False
    if filters.category and not category_matches(facts.get("category"), filters.category):
        return False
    price = facts.get("price")
    if filters.min_price is not None and (price is None or price < filters.min_price):
        return False
    if filters.max_price is not None and (price is None or price > filters.max_price):
        return False
    stock = facts.get("stock")
    return not (filters.in_stock and (stock is None or stock <= 0))


def names_title(query: str, title: str) -> bool:
    """The question holds the whole title, or every word of it."""
    if not title.strip():
        return False
    if title.strip().lower() in query.lower():
        return True
    title_words = set(tokens(title))
    return bool(title_words) and title_words <= set(tokens(query))


class Retriever:
    """Hybrid search over one index, filtered and hydrated from one store."""

    def __init__(
        self, store: Store, index: RetrievalIndex, settings: RetrievalSettings | None = None
    ) -> None:
        self.store = store
        self.index = index
        self.settings = settings or get_settings().assistant.retrieval
        self._kinds = np.array([d.kind for d in index.documents], dtype=object)
        self._languages = np.array([d.language for d in index.documents], dtype=object)

    @classmethod
    def load(cls, store: Store, settings: Settings | None = None) -> Retriever:
        """Over the latest persisted index under the settings' home.

        Raises:
            IndexMissingError: None has been built (``recmind kb index``).
        """
        settings = settings or get_settings()
        return cls(store, load_index(index_root(settings)), settings.assistant.retrieval)

    def search(
        self,
        query: str,
        *,
        kinds: Sequence[Kind] | None = None,
        filters: Filters | None = None,
        top: int = 5,
        language: str | None = None,
    ) -> list[Hit]:
        """The ``top`` best documents for ``query`` (see the module's docstring).

        Args:
            query: The question or search words, English or Chinese.
            kinds: Only these kinds (default all).
            filters: Item conditions (drop policy passages when any is set).
            top: How many hits at most.
            language: The question's language (``en``/``zh``; detected when None).
        """
        filters = filters or Filters()
        wanted = tuple(kinds) if kinds else KINDS
        if unknown := set(wanted) - set(KINDS):
            raise ValueError(f"unknown kinds {sorted(unknown)}; choose from {list(KINDS)}")
        if filters.active:
            wanted = tuple(k for k in wanted if k != "policy")
        if top <= 0 or not query.strip() or not wanted or not self.index.documents:
            return []
        config = self.settings
        allowed = np.isin(self._kinds, list(wanted))
        depth = config.candidates
        lexical = _ranked(self.index.lexical.scores(query), allowed, depth, positive=True)
        vector = encode_query(query, self.index.encoder)
        similarity = centre_by_language(
            self.index.semantic.scores(vector), self._languages, allowed
        )
        semantic = _ranked(similarity, allowed, depth, positive=False)
        documents = self.index.documents
        fused = reciprocal_rank_fusion(
            [[documents[r].id for r in lexical], [documents[r].id for r in semantic]],
            k=config.rrf_k,
            weights=[config.lexical_weight, config.semantic_weight],
        )
        lexical_rank = {documents[r].id: n for n, r in enumerate(lexical, start=1)}
        semantic_rank = {documents[r].id: n for n, r in enumerate(semantic, start=1)}
        present = current_documents(
            self.store, [doc_id for doc_id, _ in fused], review_chars=config.review_chars
        )
        facts = item_facts(
            self.store,
            [str(d.metadata["item_id"]) for d in present.values() if "item_id" in d.metadata],
        )
        language = language or language_of(query)
        hits = []
        for doc_id, score in fused:
            document = present.get(doc_id)
            if document is None:
                continue
            item = (
                facts.get(str(document.metadata.get("item_id")))
                if document.kind != "policy"
                else None
            )
            if document.kind != "policy" and not passes(item, filters):
                continue
            hits.append(
                self._hit(
                    document,
                    fused=score,
                    item=item,
                    query=query,
                    language=language,
                    lexical_rank=lexical_rank,
                    semantic_rank=semantic_rank,
                )
            )
        hits.sort(key=lambda h: (-h.score, h.id))
        return hits[:top]

    def _hit(
        self,
        document: Document,
        *,
        fused: float,
        item: dict[str, Any] | None,
        query: str,
        language: str,
        lexical_rank: dict[str, int],
        semantic_rank: dict[str, int],
    ) -> Hit:
        config = self.settings
        score = fused
        if document.kind == "product" and names_title(query, document.title):
            score *= 1 + config.title_boost
        if item is not None and (item.get("stock") or 0) > 0:
            score *= 1 + config.in_stock_boost
        if document.language == language:
            score *= 1 + config.language_boost
        metadata = dict(document.metadata)
        if item is not None:
            metadata.update(price=item["price"], stock=item["stock"], category=item["category"])
        return Hit(
            id=document.id,
            kind=document.kind,
            source=document.source,
            title=document.title,
            text=document.text,
            language=document.language,
            score=score,
            lexical_rank=lexical_rank.get(document.id),
            semantic_rank=semantic_rank.get(document.id),
            untrusted=document.untrusted,
            metadata=metadata,
        )
