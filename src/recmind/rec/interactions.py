"""Interactions and item metadata with dense integer indices, the input of every model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recmind.data.bundle import CATEGORY_SEPARATOR
from recmind.text.item_text import item_texts


def _as_str_array(values: Sequence[object] | np.ndarray | pd.Series) -> np.ndarray:
    return np.asarray([str(v) for v in values], dtype=object)


@dataclass(frozen=True)
class Interactions:
    """Which user engaged with which item, once per (user, item) pair.

    ``user_ids`` and ``item_ids`` map dense indices to external string ids; the
    per-pair arrays are aligned. Several raw events on the same pair collapse into one
    row whose timestamp is the latest and whose weight is the number of events.
    """

    user_ids: np.ndarray
    item_ids: np.ndarray
    user_index: np.ndarray
    item_index: np.ndarray
    timestamps: np.ndarray
    weights: np.ndarray
    first_timestamps: np.ndarray | None = None
    """Per pair, the time of its first event (``None``: the same as ``timestamps``)."""

    @property
    def first_times(self) -> np.ndarray:
        """Per pair, when the user first engaged with the item."""
        return self.timestamps if self.first_timestamps is None else self.first_timestamps

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    def __len__(self) -> int:
        return len(self.user_index)

    @classmethod
    def from_frame(
        cls,
        events: pd.DataFrame,
        *,
        item_ids: Sequence[str] | np.ndarray | None = None,
        user_ids: Sequence[str] | np.ndarray | None = None,
    ) -> Interactions:
        """Build from a frame with ``user_id``, ``item_id`` and ``timestamp`` columns.

        ``item_ids`` fixes the item index space (for example the whole catalogue, so items
        nobody touched yet are still rankable); events on items outside it are dropped.
        Rows without an item (searches) are ignored.
        """
        frame = events.loc[events["item_id"].notna(), ["user_id", "item_id", "timestamp"]]
        frame = frame.astype({"user_id": str, "item_id": str})
        items = (
            _as_str_array(item_ids)
            if item_ids is not None
            else np.asarray(sorted(frame["item_id"].unique()), dtype=object)
        )
        users = (
            _as_str_array(user_ids)
            if user_ids is not None
            else np.asarray(sorted(frame["user_id"].unique()), dtype=object)
        )
        item_pos = pd.Index(items).get_indexer(frame["item_id"])
        user_pos = pd.Index(users).get_indexer(frame["user_id"])
        keep = (item_pos >= 0) & (user_pos >= 0)
        pairs = pd.DataFrame(
            {
                "u": user_pos[keep],
                "i": item_pos[keep],
                "t": frame["timestamp"].to_numpy(dtype=np.float64)[keep],
            }
        )
        grouped = pairs.groupby(["u", "i"], sort=True).agg(
            t=("t", "max"), first=("t", "min"), w=("t", "size")
        )
        return cls(
            user_ids=users,
            item_ids=items,
            user_index=grouped.index.get_level_values("u").to_numpy(dtype=np.int32),
            item_index=grouped.index.get_level_values("i").to_numpy(dtype=np.int32),
            timestamps=grouped["t"].to_numpy(dtype=np.float64),
            weights=grouped["w"].to_numpy(dtype=np.float32),
            first_timestamps=grouped["first"].to_numpy(dtype=np.float64),
        )

    def subset(self, mask: np.ndarray) -> Interactions:
        """The rows where ``mask`` is true, in the same id spaces."""
        return Interactions(
            user_ids=self.user_ids,
            item_ids=self.item_ids,
            user_index=self.user_index[mask],
            item_index=self.item_index[mask],
            timestamps=self.timestamps[mask],
            weights=self.weights[mask],
            first_timestamps=None if self.first_timestamps is None else self.first_timestamps[mask],
        )

    def before(self, moment: float) -> Interactions:
        """The pairs whose first event happened at or before ``moment``: what was known
        then, in the same id spaces. A pair that repeats after ``moment`` is known only by
        its first event (its time, one event), as
        :func:`recmind.rec.popular.decayed_counts` counts it: the later repeats, and any
        between its first event and ``moment``, cannot be told apart."""
        kept = self.subset(self.first_times <= moment)
        later = kept.timestamps > moment
        return Interactions(
            user_ids=kept.user_ids,
            item_ids=kept.item_ids,
            user_index=kept.user_index,
            item_index=kept.item_index,
            timestamps=np.where(later, kept.first_times, kept.timestamps),
            weights=np.where(later, np.float32(1.0), kept.weights).astype(np.float32),
            first_timestamps=kept.first_times,
        )

    def item_first_seen(self) -> np.ndarray:
        """Per item, the time anyone first engaged with it (``inf``: nobody has)."""
        first = np.full(self.n_items, np.inf)
        np.minimum.at(first, self.item_index, self.first_times)
        return first

    def user_last_seen(self) -> np.ndarray:
        """Per user, the time of their latest event (``-inf``: none)."""
        last = np.full(self.n_users, -np.inf)
        np.maximum.at(last, self.user_index, self.timestamps)
        return last

    def time_order(self, seed: int) -> np.ndarray:
        """Row order by (user, timestamp); equal timestamps in a seeded random order,
        never by item id: every user's history, oldest first."""
        key = np.random.default_rng(seed).random(len(self))
        return np.lexsort((key, self.timestamps, self.user_index))

    def histories(self, seed: int) -> list[np.ndarray]:
        """Every user's dense item indices, oldest first (:meth:`time_order`)."""
        order = self.time_order(seed)
        counts = np.bincount(self.user_index, minlength=self.n_users)
        items = self.item_index[order].astype(np.int64)
        return np.split(items, np.cumsum(counts)[:-1]) if self.n_users else []

    def matrix(self, *, binary: bool = True) -> sp.csr_matrix:
        """The users x items matrix (1.0 per pair, or the event counts)."""
        data = np.ones(len(self), dtype=np.float32) if binary else self.weights
        return sp.csr_matrix(
            (data, (self.user_index, self.item_index)),
            shape=(self.n_users, self.n_items),
            dtype=np.float32,
        )

    def lookup_users(self, user_ids: Sequence[str]) -> np.ndarray:
        """Dense indices of external ids; -1 for users not seen in training."""
        return np.asarray(pd.Index(self.user_ids).get_indexer(_as_str_array(user_ids)))

    def lookup_items(self, item_ids: Sequence[str]) -> np.ndarray:
        """Dense indices of external item ids; -1 for items outside the index space."""
        return np.asarray(pd.Index(self.item_ids).get_indexer(_as_str_array(item_ids)))

    def item_popularity(self) -> np.ndarray:
        """Number of distinct users per item."""
        return np.bincount(self.item_index, minlength=self.n_items).astype(np.float64)


@dataclass(frozen=True)
class ItemCatalog:
    """Item metadata aligned with an item index space (what filters and reports need)."""

    item_ids: np.ndarray
    titles: np.ndarray
    categories: tuple[frozenset[str], ...]
    in_stock: np.ndarray
    texts: np.ndarray | None = None
    """What each item is, in words (object array of str aligned with ``item_ids``): the
    input of the text encoders (:func:`recmind.text.item_text.item_texts`); ``None`` when
    only ids are known."""

    @classmethod
    def bare(cls, item_ids: np.ndarray) -> ItemCatalog:
        """A catalogue that knows only ids: titles are the ids, no categories, all in stock."""
        return cls(
            item_ids=item_ids,
            titles=item_ids.copy(),
            categories=tuple(frozenset() for _ in item_ids),
            in_stock=np.ones(len(item_ids), dtype=bool),
        )

    @classmethod
    def from_frame(
        cls,
        items: pd.DataFrame,
        item_ids: np.ndarray,
        reviews: pd.DataFrame | None = None,
        *,
        max_snippets: int = 3,
    ) -> ItemCatalog:
        """Align an items frame (canonical columns) to ``item_ids``; unknown stock counts as
        available, a missing title falls back to the id. ``texts`` are built from the
        catalogue and, when given, up to ``max_snippets`` review snippets per item; an item
        missing from the frame is described by its title (its id)."""
        frame = items.astype({"item_id": str}).drop_duplicates("item_id").set_index("item_id")
        frame = frame.reindex(pd.Index(item_ids))
        titles = frame["title"] if "title" in frame else pd.Series(index=frame.index, dtype=object)
        titles = titles.where(titles.notna(), pd.Series(item_ids, index=frame.index))
        raw_categories = (
            frame["category"] if "category" in frame else pd.Series(None, index=frame.index)
        )
        stock = frame["stock"] if "stock" in frame else pd.Series(None, index=frame.index)
        stock_values = pd.to_numeric(stock, errors="coerce").to_numpy(dtype=np.float64)
        title_values = titles.to_numpy(dtype=object)
        described = item_texts(items, reviews, max_snippets=max_snippets)
        return cls(
            item_ids=item_ids,
            titles=title_values,
            categories=tuple(parse_categories(c) for c in raw_categories),
            in_stock=np.isnan(stock_values) | (stock_values > 0),
            texts=np.asarray(
                [
                    described.get(str(i), str(t))
                    for i, t in zip(item_ids, title_values, strict=True)
                ],
                dtype=object,
            ),
        )

    def with_texts(self, texts: Mapping[str, str] | Sequence[str] | np.ndarray) -> ItemCatalog:
        """A copy whose ``texts`` are ``texts``: a sequence aligned with ``item_ids`` or a
        mapping by item id (items it lacks keep their current text, else their title)."""
        if isinstance(texts, Mapping):
            current = self.texts if self.texts is not None else self.titles
            values = [
                texts.get(str(i), str(c)) for i, c in zip(self.item_ids, current, strict=True)
            ]
        else:
            values = [str(t) for t in texts]
            if len(values) != len(self):
                raise ValueError(f"{len(values)} texts for a catalogue of {len(self)} items")
        return replace(self, texts=np.asarray(values, dtype=object))

    def category_mask(self, wanted: Sequence[str]) -> np.ndarray:
        """True for items in any of the ``wanted`` categories or below them (``a/b``)."""
        targets = [w.strip().lower() for w in wanted if w.strip()]

        def matches(cats: frozenset[str]) -> bool:
            return any(c == t or c.startswith(t + "/") for c in cats for t in targets)

        return np.fromiter((matches(c) for c in self.categories), dtype=bool, count=len(self))

    def __len__(self) -> int:
        return len(self.item_ids)


def parse_categories(value: object) -> frozenset[str]:
    """``"Action|Comedy"`` -> ``{"action", "comedy"}`` (lower-cased, blanks dropped)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return frozenset()
    parts = str(value).split(CATEGORY_SEPARATOR)
    return frozenset(p.strip().lower() for p in parts if p.strip())
