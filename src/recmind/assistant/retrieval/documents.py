"""What retrieval searches: products, review snippets and policy passages, as ``Document``.

Every document is read from the store. A product's text is what a shopper reads of it
(title, category, the attributes that describe it, description: ``item_text.item_texts``
without review snippets); its **price and stock are never part of the text**: they are read
from the store when a search filters or answers, so a price change is seen at once. A review
is user-written and so marked ``untrusted``: a prompt that quotes it must fence it. A policy
passage is the knowledge base's passage with its heading path as its title.

Each builder takes optional ids, so the same code gives the documents to index (all of
them) and the current state of the few documents a search returns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
import pandas as pd
from sqlalchemy import Select, select

from recmind.assistant.retrieval.tokens import language_of
from recmind.data.schema import items as items_table
from recmind.data.schema import kb_passages as passages_table
from recmind.data.schema import reviews as reviews_table
from recmind.data.store import Store
from recmind.text.item_text import clean, item_texts, shorten

Kind = Literal["product", "review", "policy"]
KINDS: tuple[Kind, ...] = ("product", "review", "policy")
_CHUNK = 500
"""Ids per ``IN (...)`` query."""


@dataclass(frozen=True)
class Document:
    """One searchable document.

    Attributes:
        id: ``product:<item id>``, ``review:<review id>`` or ``policy:<passage id>``.
        kind: ``product``, ``review`` or ``policy``.
        text: What is indexed (and shown); empty in a loaded index, which keeps no text.
        title: The product's title, the reviewed product's title, the passage's heading path.
        language: ``en`` or ``zh`` (the item's own language where the store has it).
        source: The id to cite: the item id, the review id or the passage id.
        metadata: Filterable facts that do not change with trading: ``item_id`` (products and
            reviews), ``category``, ``rating`` (reviews), ``doc_id`` and ``position``
            (policies). Price and stock are added from the store at search time only.
        untrusted: User-written text (reviews): never instructions, fence it in prompts.
    """

    id: str
    kind: Kind
    text: str
    title: str
    language: str
    source: str
    metadata: dict[str, Any] = field(default_factory=dict)
    untrusted: bool = False

    @property
    def text_hash(self) -> str:
        """sha256 of what the vectors and words are computed from."""
        return hashlib.sha256(f"{self.title}\x00{self.text}".encode()).hexdigest()

    def entry(self) -> dict[str, Any]:
        """What the persisted index keeps of the document: everything but its text (a
        search reads the present text from the store; an erased person's review text is
        not kept on disk), with the hash of title and text that tells a change."""
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "language": self.language,
            "source": self.source,
            "metadata": self.metadata,
            "untrusted": self.untrusted,
            "hash": self.text_hash,
        }

    @classmethod
    def from_entry(cls, row: dict[str, Any]) -> tuple[Document, str]:
        """A document without its text, and its hash, from :meth:`entry`."""
        document = cls(
            id=str(row["id"]),
            kind=row["kind"],
            text="",
            title=str(row["title"]),
            language=str(row["language"]),
            source=str(row["source"]),
            metadata=dict(row.get("metadata") or {}),
            untrusted=bool(row.get("untrusted", False)),
        )
        return document, str(row["hash"])


def document_id(kind: Kind, source: str) -> str:
    return f"{kind}:{source}"


def split_id(doc_id: str) -> tuple[Kind, str]:
    """``("product", "1078")`` from ``product:1078``."""
    kind, _, source = doc_id.partition(":")
    if kind not in KINDS:
        raise ValueError(f"not a retrieval document id: {doc_id!r}")
    return kind, source


def _chunks(ids: Sequence[str] | None) -> Iterator[list[str] | None]:
    if ids is None:
        yield None
        return
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), _CHUNK):
        yield unique[start : start + _CHUNK]


def _rows(store: Store, query: Select[Any], column: Any, ids: Sequence[str] | None) -> list[Any]:
    rows: list[Any] = []
    with store.engine.connect() as connection:
        for chunk in _chunks(ids):
            narrowed = query if chunk is None else query.where(column.in_(chunk))
            rows.extend(connection.execute(narrowed).all())
    return rows


def _attributes(value: object) -> dict[str, Any]:
    if not isinstance(value, str | bytes) or not value:
        return {}
    parsed = orjson.loads(value)
    return parsed if isinstance(parsed, dict) else {}


def product_documents(store: Store, item_ids: Sequence[str] | None = None) -> list[Document]:
    """Products (every item, or those of ``item_ids``), ordered by item id."""
    columns = [c for c in items_table.c if c.name not in ("price", "stock")]
    query = select(*columns).order_by(items_table.c.item_id)
    rows = _rows(store, query, items_table.c.item_id, item_ids)
    if not rows:
        return []
    frame = pd.DataFrame(
        {
            "item_id": [str(r.item_id) for r in rows],
            "title": [r.title for r in rows],
            "category": [r.category for r in rows],
            "description": [r.description for r in rows],
            "attributes": [_attributes(r.attributes) for r in rows],
        }
    )
    texts = item_texts(frame, None, max_snippets=0)
    out = []
    for row in rows:
        item_id = str(row.item_id)
        text = texts[item_id]
        out.append(
            Document(
                id=document_id("product", item_id),
                kind="product",
                text=text,
                title=clean(row.title),
                language=_language(row.language, text),
                source=item_id,
                metadata={"item_id": item_id, "category": row.category},
            )
        )
    return out


def _language(stored: object, text: str) -> str:
    value = clean(stored).lower()
    if value.startswith("zh"):
        return "zh"
    if value.startswith("en"):
        return "en"
    return language_of(text)


def _item_titles(store: Store, item_ids: Iterable[str]) -> dict[str, tuple[str, Any]]:
    query = select(items_table.c.item_id, items_table.c.title, items_table.c.category)
    rows = _rows(store, query, items_table.c.item_id, list(item_ids))
    return {str(r.item_id): (clean(r.title), r.category) for r in rows}


def review_documents(
    store: Store,
    review_ids: Sequence[str] | None = None,
    *,
    per_item: int | None = None,
    max_chars: int = 400,
) -> list[Document]:
    """Review snippets: every review with text (or those of ``review_ids``); ``per_item``
    keeps each item's longest ones (ties by review id)."""
    query = select(
        reviews_table.c.review_id,
        reviews_table.c.item_id,
        reviews_table.c.rating,
        reviews_table.c.text,
    ).order_by(reviews_table.c.review_id)
    rows = [r for r in _rows(store, query, reviews_table.c.review_id, review_ids) if clean(r.text)]
    if per_item is not None:
        rows.sort(key=lambda r: (str(r.item_id), -len(clean(r.text)), str(r.review_id)))
        kept: dict[str, int] = {}
        chosen = []
        for row in rows:
            seen = kept.get(str(row.item_id), 0)
            if seen < per_item:
                chosen.append(row)
                kept[str(row.item_id)] = seen + 1
        rows = sorted(chosen, key=lambda r: str(r.review_id))
    titles = _item_titles(store, {str(r.item_id) for r in rows})
    out = []
    for row in rows:
        item_id = str(row.item_id)
        title, category = titles.get(item_id, ("", None))
        text = shorten(clean(row.text), max_chars)
        rating = None if row.rating is None else float(row.rating)
        out.append(
            Document(
                id=document_id("review", str(row.review_id)),
                kind="review",
                text=text,
                title=title,
                language=language_of(text),
                source=str(row.review_id),
                metadata={"item_id": item_id, "category": category, "rating": rating},
                untrusted=True,
            )
        )
    return out


def policy_documents(store: Store, passage_ids: Sequence[str] | None = None) -> list[Document]:
    """Policy passages (all, or those of ``passage_ids``) in document order."""
    query = select(passages_table).order_by(passages_table.c.doc_id, passages_table.c.position)
    rows = _rows(store, query, passages_table.c.passage_id, passage_ids)
    return [
        Document(
            id=document_id("policy", str(row.passage_id)),
            kind="policy",
            text=clean(row.body),
            title=clean(row.title),
            language=language_of(f"{row.title} {row.body}"),
            source=str(row.passage_id),
            metadata={"doc_id": row.doc_id, "position": int(row.position)},
        )
        for row in rows
    ]


def all_documents(store: Store, *, per_item: int, review_chars: int) -> list[Document]:
    """Everything to index: products, then review snippets, then policy passages."""
    reviews = review_documents(store, per_item=per_item, max_chars=review_chars)
    return [
        *product_documents(store),
        *(reviews if per_item > 0 else []),
        *policy_documents(store),
    ]


def current_documents(
    store: Store, ids: Iterable[str], *, review_chars: int
) -> dict[str, Document]:
    """The store's present version of the documents ``ids`` names (gone ones are absent)."""
    by_kind: dict[Kind, list[str]] = {kind: [] for kind in KINDS}
    for doc_id in ids:
        kind, source = split_id(doc_id)
        by_kind[kind].append(source)
    found = [
        *(product_documents(store, by_kind["product"]) if by_kind["product"] else []),
        *(
            review_documents(store, by_kind["review"], max_chars=review_chars)
            if by_kind["review"]
            else []
        ),
        *(policy_documents(store, by_kind["policy"]) if by_kind["policy"] else []),
    ]
    return {d.id: d for d in found}
