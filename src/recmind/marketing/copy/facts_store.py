"""Facts about items read from their texts, kept in ``item_facts`` with their source.

Each row is one fact of one item from one source:

``attributes`` / ``description`` or ``reviews``
    The language model's extraction (:mod:`recmind.text.extract.attributes`), every value
    found in that text: ``{"materials": ["merino wool"], "fit": "regular", ...}``.
``sentiment`` / ``reviews``
    The reviews' sentiment (:mod:`recmind.text.sentiment`) and ratings:
    ``{"reviews": 12, "positive": 10, "positive_share": 0.83, "mean_score": 0.8,
    "rated": 12, "mean_rating": 4.4}``.
``keywords`` / ``description+reviews``
    Keyphrases of the item's texts, best first: ``[{"phrase": ..., "score": ...}]``, the
    search-ad and SEO keywords of ``recmind copy keywords``.

``text_hash`` is the sha256 of the text the fact was read from, so a rebuild skips items
whose texts did not change. :func:`read_item_facts` gathers an item's rows into
:class:`StoredFacts`, each attribute value with the source it came from.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import and_, delete, or_, select, tuple_

from recmind.data.schema import item_facts
from recmind.data.store import Store
from recmind.data.write_lock import write_lock

ATTRIBUTES = "attributes"
SENTIMENT = "sentiment"
KEYWORDS = "keywords"
DESCRIPTION = "description"
REVIEWS = "reviews"
TEXTS = "description+reviews"
CATALOGUE = "catalogue"
_CHUNK = 500


def text_hash(text: str | Sequence[str]) -> str:
    """The sha256 of a text (or of several, in order)."""
    parts = [text] if isinstance(text, str) else list(text)
    return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class FactRow:
    """One stored fact (see the module's docstring)."""

    item_id: str
    fact: str
    source: str
    value: Any
    text_hash: str
    model: str | None = None
    built_at: float = 0.0


@dataclass(frozen=True)
class AttributeValue:
    """One attribute value and where it was read."""

    name: str
    value: str
    source: str


@dataclass
class StoredFacts:
    """What ``item_facts`` holds about one item."""

    item_id: str
    attributes: list[AttributeValue] = field(default_factory=list)
    sentiment: dict[str, Any] | None = None
    keywords: list[dict[str, Any]] = field(default_factory=list)

    def attribute_map(self) -> dict[str, list[str]]:
        """Attribute values by name (description first, then reviews; no repeats)."""
        out: dict[str, list[str]] = {}
        for attribute in self.attributes:
            values = out.setdefault(attribute.name, [])
            if attribute.value not in values:
                values.append(attribute.value)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "attributes": [a.__dict__ for a in self.attributes],
            "sentiment": self.sentiment,
            "keywords": self.keywords,
        }


def _chunks(values: Sequence[str]) -> Iterator[list[str]]:
    unique = list(dict.fromkeys(values))
    for start in range(0, len(unique), _CHUNK):
        yield unique[start : start + _CHUNK]


def write_facts(store: Store, rows: Sequence[FactRow], *, now: float | None = None) -> int:
    """Store ``rows``, replacing the same (item, fact, source); returns how many."""
    if not rows:
        return 0
    moment = time.time() if now is None else now
    keys = [(r.item_id, r.fact, r.source) for r in rows]
    values = [
        {
            "item_id": r.item_id,
            "fact": r.fact,
            "source": r.source,
            "value": orjson.dumps(r.value, option=orjson.OPT_SORT_KEYS).decode(),
            "text_hash": r.text_hash,
            "model": r.model,
            "built_at": r.built_at or moment,
        }
        for r in rows
    ]
    key = tuple_(item_facts.c.item_id, item_facts.c.fact, item_facts.c.source)
    with write_lock(store), store.engine.begin() as connection:
        for start in range(0, len(keys), _CHUNK):
            part = keys[start : start + _CHUNK]
            if store.dialect == "sqlite":
                match = or_(
                    *(
                        and_(
                            item_facts.c.item_id == i,
                            item_facts.c.fact == f,
                            item_facts.c.source == s,
                        )
                        for i, f, s in part
                    )
                )
            else:
                match = key.in_(part)
            connection.execute(delete(item_facts).where(match))
        connection.execute(item_facts.insert(), values)
    return len(values)


def stored_hashes(store: Store, item_ids: Sequence[str]) -> dict[tuple[str, str, str], str]:
    """``(item, fact, source) -> text_hash`` of the stored facts of ``item_ids``."""
    found: dict[tuple[str, str, str], str] = {}
    with store.engine.connect() as connection:
        for chunk in _chunks([str(i) for i in item_ids]):
            for row in connection.execute(
                select(
                    item_facts.c.item_id,
                    item_facts.c.fact,
                    item_facts.c.source,
                    item_facts.c.text_hash,
                ).where(item_facts.c.item_id.in_(chunk))
            ):
                found[(str(row.item_id), str(row.fact), str(row.source))] = str(row.text_hash)
    return found


def read_item_facts(store: Store, item_ids: Sequence[str]) -> dict[str, StoredFacts]:
    """The stored facts of each of ``item_ids`` (items without any are absent)."""
    found: dict[str, StoredFacts] = {}
    order = {DESCRIPTION: 0, CATALOGUE: 1, REVIEWS: 2}
    with store.engine.connect() as connection:
        for chunk in _chunks([str(i) for i in item_ids]):
            rows = connection.execute(
                select(
                    item_facts.c.item_id,
                    item_facts.c.fact,
                    item_facts.c.source,
                    item_facts.c.value,
                ).where(item_facts.c.item_id.in_(chunk))
            ).all()
            for row in sorted(rows, key=lambda r: (r.item_id, order.get(r.source, 9))):
                facts = found.setdefault(str(row.item_id), StoredFacts(str(row.item_id)))
                value = orjson.loads(row.value)
                if row.fact == ATTRIBUTES and isinstance(value, dict):
                    facts.attributes += list(_attribute_values(value, str(row.source)))
                elif row.fact == SENTIMENT and isinstance(value, dict):
                    facts.sentiment = value
                elif row.fact == KEYWORDS and isinstance(value, list):
                    facts.keywords = [k for k in value if isinstance(k, dict)]
    return found


def _attribute_values(value: dict[str, Any], source: str) -> Iterator[AttributeValue]:
    for name, item in value.items():
        for one in item if isinstance(item, list) else [item]:
            if isinstance(one, str) and one.strip():
                yield AttributeValue(name, one.strip(), source)


def keyword_rows(store: Store, item_ids: Sequence[str] | None = None) -> dict[str, list[str]]:
    """The stored keywords of ``item_ids`` (every item that has some when None)."""
    query = select(item_facts.c.item_id, item_facts.c.value).where(item_facts.c.fact == KEYWORDS)
    out: dict[str, list[str]] = {}
    with store.engine.connect() as connection:
        if item_ids is None:
            rows = list(connection.execute(query.order_by(item_facts.c.item_id)))
        else:
            rows = []
            for chunk in _chunks([str(i) for i in item_ids]):
                rows += list(connection.execute(query.where(item_facts.c.item_id.in_(chunk))))
    for row in rows:
        value = orjson.loads(row.value)
        out[str(row.item_id)] = [str(k["phrase"]) for k in value if isinstance(k, dict)]
    return out
