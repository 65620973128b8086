"""What an audience should buy, resolved against the catalogue: a list of item ids or a
category (an item matches when one of its ``|``-separated categories is the name or lies
below it, ``name/...``, as segment rules and recommendation filters match)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from recmind.marketing.audiences.features import Target
from recmind.marketing.audiences.log import EventLog
from recmind.rec.interactions import parse_categories


class TargetError(ValueError):
    """The items or the category name nothing the audience could be computed for."""


def item_categories(items: pd.DataFrame, log: EventLog) -> list[frozenset[str]]:
    """Per item code of ``log``, its lower-cased categories (empty when the catalogue
    does not know it)."""
    if "category" not in items.columns or not len(items):
        return [frozenset() for _ in range(log.n_items)]
    frame = items.astype({"item_id": str}).drop_duplicates("item_id").set_index("item_id")
    raw = frame["category"].reindex(pd.Index(log.item_ids))
    return [parse_categories(value) for value in raw.tolist()]


def _in_category(categories: list[frozenset[str]], name: str) -> np.ndarray:
    wanted = name.strip().lower()
    return np.fromiter(
        (any(c == wanted or c.startswith(wanted + "/") for c in cats) for cats in categories),
        dtype=bool,
        count=len(categories),
    )


def _related(categories: list[frozenset[str]], targets: np.ndarray) -> np.ndarray:
    """Items sharing a category with a target (not targets themselves); when that is
    nothing (a whole category is the target), items under the targets' parent categories."""
    labels: set[str] = set().union(*(categories[i] for i in np.flatnonzero(targets)))
    same = np.fromiter(
        (bool(cats & labels) for cats in categories), dtype=bool, count=len(categories)
    )
    related: np.ndarray = same & ~targets
    if related.any():
        return related
    parents = {label.rsplit("/", 1)[0] for label in labels if "/" in label}
    wider = np.zeros(len(categories), dtype=bool)
    for parent in parents:
        wider |= _in_category(categories, parent)
    wider &= ~targets
    return wider


def resolve_target(
    log: EventLog,
    items: pd.DataFrame,
    *,
    item_ids: Sequence[str] | None = None,
    category: str | None = None,
) -> Target:
    """The :class:`Target` for exactly one of ``item_ids`` and ``category``; TargetError
    when neither or both are given, the list is empty, none of its items is in the
    catalogue (when the catalogue lists items) or no catalogue item is in the category."""
    if (item_ids is None) == (category is None):
        raise TargetError("give exactly one of items or category")
    categories = item_categories(items, log)
    if item_ids is not None:
        wanted = [str(i).strip() for i in item_ids if str(i).strip()]
        if not wanted:
            raise TargetError("items: the list of item ids is empty")
        if len(items):
            known = set(items["item_id"].astype(str))
            if not known.intersection(wanted):
                shown = ", ".join(repr(i) for i in wanted[:5])
                raise TargetError(
                    f"items: none of the {len(wanted)} item ids is in the catalogue "
                    f"(first: {shown})"
                )
        mask = log.item_mask(np.asarray(wanted, dtype=object))
    else:
        assert category is not None
        if not category.strip():
            raise TargetError("category: the name is empty")
        mask = _in_category(categories, category)
        if not mask.any() and not _catalogue_has_category(items, category):
            raise TargetError(f"category: no catalogue item is in {category!r}")
    return Target(items=mask, related=_related(categories, mask))


def _catalogue_has_category(items: pd.DataFrame, name: str) -> bool:
    """Whether any catalogue item (touched or not) is in category ``name``."""
    if "category" not in items.columns:
        return False
    parsed = [parse_categories(v) for v in items["category"].tolist()]
    return bool(_in_category(parsed, name).any())
