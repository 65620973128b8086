"""Items as copy is written about them, read from the store: the catalogue's facts (title,
price, the price before a recent reduction, stock, category, its own attributes), the
facts read from its texts (``item_facts``: attributes with their source, review
sentiment), a few review snippets, and its best-seller rank.

Best-seller ranks count purchase events per item over the whole store, once per
:class:`ItemReader` (a campaign reads them once, not per message).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import func, select

from recmind.config.settings import Settings
from recmind.data.schema import events, items, reviews
from recmind.data.store import Store
from recmind.marketing.content.facts import item_facts
from recmind.marketing.copy.context import MAX_SNIPPETS, CopyItem
from recmind.marketing.copy.facts_store import read_item_facts
from recmind.text.item_text import SKIPPED_KEYS as ITEM_TEXT_SKIPPED

SKIPPED_KEYS = (
    frozenset(
        {"url", "link", "image", "image_url", "images", "thumbnail", "sku", "gtin", "ean", "upc"}
    )
    | ITEM_TEXT_SKIPPED
)
"""Catalogue attributes that are not facts a shopper reads (``synthetic``, the list of
fields a dataset made up, among them: never copy)."""
MAX_VALUE_CHARS = 80
BESTSELLER_TOP = 100


def catalogue_attributes(raw: Any) -> dict[str, list[str]]:
    """The readable attributes of a catalogue row (short strings, numbers, string lists)."""
    try:
        data = orjson.loads(raw) if isinstance(raw, str | bytes) and raw else {}
    except orjson.JSONDecodeError:
        return {}
    out: dict[str, list[str]] = {}
    data = data if isinstance(data, dict) else {}
    made_up = data.get("synthetic")
    listed = {str(k).lower() for k in made_up} if isinstance(made_up, list) else set()
    skipped = SKIPPED_KEYS | listed
    for key, value in data.items():
        if str(key).lower() in skipped or str(key).startswith("_"):
            continue
        values = value if isinstance(value, list) else [value]
        texts = [
            str(v).strip()
            for v in values
            if isinstance(v, str | int | float) and not isinstance(v, bool) and str(v).strip()
        ]
        texts = [t for t in texts if len(t) <= MAX_VALUE_CHARS]
        if texts:
            out[str(key)] = texts
    return out


class ItemReader:
    """Reads :class:`CopyItem` facts from one store."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._ranks: dict[str, int] | None = None

    def bestseller_ranks(self) -> dict[str, int]:
        """Rank by purchases (1 = most bought) of the ``BESTSELLER_TOP`` most bought items."""
        if self._ranks is None:
            count = func.count().label("n")
            query = (
                select(events.c.item_id, count)
                .where(events.c.event_type == "purchase", events.c.item_id.is_not(None))
                .group_by(events.c.item_id)
                .order_by(count.desc(), events.c.item_id)
                .limit(BESTSELLER_TOP)
            )
            with self.store.engine.connect() as connection:
                rows = connection.execute(query).all()
            self._ranks = {str(r.item_id): rank for rank, r in enumerate(rows, start=1)}
        return self._ranks

    def snippets(self, item_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """A few of each item's longest reviews."""
        found: dict[str, list[str]] = {}
        with self.store.engine.connect() as connection:
            for row in connection.execute(
                select(reviews.c.item_id, reviews.c.text).where(
                    reviews.c.item_id.in_(list(item_ids)), reviews.c.text.is_not(None)
                )
            ):
                found.setdefault(str(row.item_id), []).append(str(row.text).strip())
        return {
            i: tuple(sorted((t for t in ts if t), key=len, reverse=True)[:MAX_SNIPPETS])
            for i, ts in found.items()
        }

    def read(
        self, item_ids: Sequence[str], *, now: float, snippets: bool = False
    ) -> list[CopyItem]:
        """The stored items among ``item_ids``, in that order (unknown ids left out)."""
        ids = [str(i) for i in dict.fromkeys(item_ids)]
        base = item_facts(self.store, self.settings, ids, now=now)
        stored = read_item_facts(self.store, ids)
        quotes = self.snippets(ids) if snippets else {}
        ranks = self.bestseller_ranks()
        with self.store.engine.connect() as connection:
            raw = dict(
                connection.execute(
                    select(items.c.item_id, items.c.attributes).where(items.c.item_id.in_(ids))
                ).all()
            )
        out = []
        for item_id in ids:
            fact = base.get(item_id)
            if fact is None:
                continue
            attributes = catalogue_attributes(raw.get(item_id))
            extra = stored.get(item_id)
            if extra is not None:
                for name, values in extra.attribute_map().items():
                    merged = attributes.setdefault(name, [])
                    merged += [v for v in values if v not in merged]
            out.append(
                CopyItem(
                    item_id=item_id,
                    title=fact.title,
                    price=fact.price,
                    old_price=fact.old_price,
                    stock=fact.stock,
                    category=fact.category,
                    attributes=attributes,
                    sentiment=extra.sentiment if extra is not None else None,
                    snippets=quotes.get(item_id, ()),
                    bestseller_rank=ranks.get(item_id),
                )
            )
        return out
