"""The catalogue as it is now: the served model's items with their current titles,
categories and stock (updated without retraining), which of them still exist, and the items
created after the model was trained ("fresh" items)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from recmind.rec.base import Filters
from recmind.rec.interactions import parse_categories
from recmind.serving.snapshot import ServedModel
from recmind.text.item_text import item_texts


def _text_or_none(value: object) -> str | None:
    """A text field as stored: None for missing, NaN or blank."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _in_stock(value: object) -> bool:
    """Unknown stock counts as available (as in training)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True
    return bool(np.isnan(number) or number > 0)


def _matches(categories: frozenset[str], wanted: tuple[str, ...]) -> bool:
    return any(c == t or c.startswith(t + "/") for c in categories for t in wanted)


@dataclass(frozen=True)
class FreshItems:
    """Items newer than the model (outside its index), in the order they were seen."""

    ids: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    category_texts: tuple[str | None, ...] = ()
    categories: tuple[frozenset[str], ...] = ()
    in_stock: tuple[bool, ...] = ()
    texts: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.ids)

    def position(self) -> dict[str, int]:
        return {item: n for n, item in enumerate(self.ids)}


@dataclass(frozen=True)
class LiveCatalog:
    """Item facts aligned with the served model's item index, plus fresh items.

    Immutable: an update builds a new catalogue and the engine swaps one reference.
    """

    titles: np.ndarray
    category_texts: np.ndarray
    categories: tuple[frozenset[str], ...]
    in_stock: np.ndarray
    present: np.ndarray
    """False for items deleted from the store since training (never recommended)."""
    fresh: FreshItems
    _masks: dict[tuple[str, ...], np.ndarray] = field(
        default_factory=dict, compare=False, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    @classmethod
    def build(cls, served: ServedModel, items: pd.DataFrame) -> LiveCatalog:
        """From the model's own catalogue, overridden by the store's ``items`` frame
        (canonical columns). With a non-empty store catalogue, a model item missing from it
        was deleted; items of the frame outside the model's index are fresh."""
        catalog = served.model.catalog_
        base = cls(
            titles=np.asarray([str(t) for t in catalog.titles], dtype=object),
            category_texts=np.asarray(
                ["|".join(sorted(c)) or None for c in catalog.categories], dtype=object
            ),
            categories=tuple(catalog.categories),
            in_stock=np.asarray(catalog.in_stock, dtype=bool).copy(),
            present=np.ones(served.n_items, dtype=bool),
            fresh=FreshItems(),
        )
        if items.empty:
            return base
        known = {str(i) for i in items["item_id"]}
        present = np.asarray([str(i) in known for i in served.item_ids], dtype=bool)
        return replace(base, present=present).updated(served, items, ())

    def updated(
        self, served: ServedModel, rows: pd.DataFrame, deleted: tuple[str, ...]
    ) -> LiveCatalog:
        """A copy with ``rows`` (items created or updated, canonical columns) applied and
        the ``deleted`` ids removed."""
        titles = self.titles.copy()
        category_texts = self.category_texts.copy()
        categories = list(self.categories)
        in_stock = self.in_stock.copy()
        present = self.present.copy()
        fresh: dict[str, tuple[str, str | None, frozenset[str], bool, str]] = {
            i: (t, c, cs, s, x)
            for i, t, c, cs, s, x in zip(
                self.fresh.ids,
                self.fresh.titles,
                self.fresh.category_texts,
                self.fresh.categories,
                self.fresh.in_stock,
                self.fresh.texts,
                strict=True,
            )
        }
        texts = item_texts(rows) if not rows.empty else {}
        for row in rows.to_dict("records"):
            item_id = str(row["item_id"])
            title = _text_or_none(row.get("title")) or item_id
            raw = _text_or_none(row.get("category"))
            parsed = parse_categories(raw)
            stock = _in_stock(row.get("stock"))
            index = served.item_index.get(item_id)
            if index is None:
                fresh[item_id] = (title, raw, parsed, stock, texts.get(item_id, title))
                continue
            titles[index] = title
            category_texts[index] = raw
            categories[index] = parsed
            in_stock[index] = stock
            present[index] = True
        for item_id in deleted:
            index = served.item_index.get(item_id)
            if index is not None:
                present[index] = False
            fresh.pop(item_id, None)
        values = list(fresh.values())
        return LiveCatalog(
            titles=titles,
            category_texts=category_texts,
            categories=tuple(categories),
            in_stock=in_stock,
            present=present,
            fresh=FreshItems(
                ids=tuple(fresh),
                titles=tuple(v[0] for v in values),
                category_texts=tuple(v[1] for v in values),
                categories=tuple(v[2] for v in values),
                in_stock=tuple(v[3] for v in values),
                texts=tuple(v[4] for v in values),
            ),
        )

    # -- filters ---------------------------------------------------------------------

    def category_mask(self, wanted: tuple[str, ...]) -> np.ndarray:
        """Model items in any ``wanted`` category or below it (computed once per set)."""
        key = tuple(sorted({w.strip().lower() for w in wanted if w.strip()}))
        with self._lock:
            mask = self._masks.get(key)
        if mask is None:
            mask = np.fromiter(
                (_matches(c, key) for c in self.categories), dtype=bool, count=len(self.categories)
            )
            with self._lock:
                if len(self._masks) > 256:
                    self._masks.clear()
                self._masks[key] = mask
        return mask

    def allowed(self, filters: Filters, served: ServedModel) -> np.ndarray:
        """Model items a list may hold under the user-independent ``filters``."""
        allowed = self.present.copy()
        if filters.categories:
            allowed &= self.category_mask(filters.categories)
        if filters.in_stock:
            allowed &= self.in_stock
        for item_id in filters.exclude_items:
            index = served.item_index.get(item_id)
            if index is not None:
                allowed[index] = False
        return allowed

    def fresh_allowed(self, filters: Filters) -> np.ndarray:
        """Fresh items the ``filters`` allow."""
        fresh = self.fresh
        wanted = tuple(w.strip().lower() for w in filters.categories if w.strip())
        excluded = set(filters.exclude_items)
        return np.asarray(
            [
                (not wanted or _matches(cats, wanted))
                and (stock or not filters.in_stock)
                and item not in excluded
                for item, cats, stock in zip(
                    fresh.ids, fresh.categories, fresh.in_stock, strict=True
                )
            ],
            dtype=bool,
        )
