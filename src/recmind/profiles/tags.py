"""Interest tags: what a person's history is about, from the items' own categories,
attributes and (optionally) keyphrases, recent items counting more.

An item's tags are its categories (``Tops/Knits`` gives ``Tops`` and ``Knits``), its
descriptive attribute values (genres, department, material... as
:func:`recmind.text.item_text.attribute_pairs` keeps them; a release year becomes a decade,
``1990s``), and any keyphrases given. A tag's weight for a person is the recency-weighted
number of their items carrying it (an item with ``n`` newer items weighs
``0.5 ** (n / half_life)``); tags are ranked by ``weight * log2(1 + lift)``, where ``lift``
is how much more of the person's weight the tag has than its share of all interactions, so
what everybody watches ranks a little below what sets this person apart.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from recmind.data.bundle import CATEGORY_SEPARATOR
from recmind.text.item_text import attribute_pairs, clean

TagKind = Literal["category", "attribute", "decade", "keyphrase"]
IGNORED_VALUES = frozenset({"unknown", "other", "none", "n/a", "na", "misc", ""})
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")


@dataclass(frozen=True)
class InterestTag:
    """One interest of a person.

    Attributes:
        tag: The tag as the catalogue writes it (``Sci-Fi``, ``Knits``, ``1990s``).
        kind: Where it comes from.
        count: Items in the history that carry it.
        weight: Their recency-weighted count.
        share: ``weight`` over the total weight of the history.
        lift: ``share`` over the tag's share of all interactions (1 = average).
    """

    tag: str
    kind: TagKind
    count: int
    weight: float
    share: float
    lift: float

    @property
    def score(self) -> float:
        return self.weight * math.log2(1.0 + self.lift)


def _category_tags(value: object) -> list[str]:
    out = []
    for part in clean(value).split(CATEGORY_SEPARATOR):
        out += [p.strip() for p in part.split("/") if p.strip()]
    return out


def _attribute_tags(attributes: object) -> list[tuple[str, TagKind]]:
    out: list[tuple[str, TagKind]] = []
    for label, value in attribute_pairs(attributes):
        for piece in (v.strip() for v in value.split(",")):
            if "year" in label and _YEAR.match(piece):
                out.append((f"{piece[:3]}0s", "decade"))
            elif not _YEAR.match(piece) and len(piece) <= 40:
                out.append((piece, "attribute"))
    return out


def item_tags(
    items: pd.DataFrame, keyphrases: Mapping[str, Sequence[object]] | None = None
) -> dict[str, list[tuple[str, TagKind]]]:
    """``item_id -> [(tag, kind), ...]``: categories first, then attributes, decades and
    keyphrases, each tag once per item (case-insensitively), generic values dropped."""
    out: dict[str, list[tuple[str, TagKind]]] = {}
    blank = [None] * len(items)
    categories = list(items["category"]) if "category" in items else blank
    attributes = list(items["attributes"]) if "attributes" in items else blank
    for item_id, category, attrs in zip(
        items["item_id"].astype(str), categories, attributes, strict=True
    ):
        found: list[tuple[str, TagKind]] = [(c, "category") for c in _category_tags(category)]
        found += _attribute_tags(attrs)
        found += [
            (str(getattr(k, "phrase", k)), "keyphrase") for k in (keyphrases or {}).get(item_id, ())
        ]
        seen: set[str] = set()
        tags = []
        for tag, kind in found:
            key = tag.lower()
            if key in seen or key in IGNORED_VALUES:
                continue
            seen.add(key)
            tags.append((tag, kind))
        out.setdefault(item_id, tags)
    return out


def recency_weights(timestamps: np.ndarray, half_life_events: float | None) -> np.ndarray:
    """``0.5 ** (n_newer / half_life)`` per event, ``n_newer`` counting strictly later events
    (events at the same time weigh the same); all 1 when ``half_life_events`` is None."""
    if half_life_events is None or len(timestamps) == 0:
        return np.ones(len(timestamps))
    newer = pd.Series(timestamps).rank(method="min", ascending=False).to_numpy() - 1.0
    return np.asarray(np.exp2(-newer / half_life_events))


def tag_prevalence(
    tags: Mapping[str, list[tuple[str, TagKind]]], item_ids: Sequence[str]
) -> dict[str, float]:
    """Each tag's share of the interactions ``item_ids`` (one entry per interaction)."""
    counts: Counter[str] = Counter()
    for item_id, n in Counter(map(str, item_ids)).items():
        for tag, _ in tags.get(item_id, ()):
            counts[tag] += n
    total = max(len(item_ids), 1)
    return {tag: n / total for tag, n in counts.items()}


def interest_tags(
    item_ids: Sequence[str],
    timestamps: Sequence[float] | np.ndarray,
    tags: Mapping[str, list[tuple[str, TagKind]]],
    prevalence: Mapping[str, float],
    *,
    half_life_events: float | None = 10.0,
    top: int = 8,
) -> list[InterestTag]:
    """A person's ``top`` interest tags from their history (see the module docstring)."""
    weights = recency_weights(np.asarray(timestamps, dtype=np.float64), half_life_events)
    total = float(weights.sum())
    if total <= 0:
        return []
    weight: defaultdict[str, float] = defaultdict(float)
    count: Counter[str] = Counter()
    kinds: dict[str, TagKind] = {}
    for item_id, w in zip(item_ids, weights, strict=True):
        for tag, kind in tags.get(str(item_id), ()):
            weight[tag] += float(w)
            count[tag] += 1
            kinds.setdefault(tag, kind)
    out = []
    for tag, w in weight.items():
        share = w / total
        lift = share / max(prevalence.get(tag, 0.0), 1e-9)
        out.append(InterestTag(tag, kinds[tag], count[tag], round(w, 4), share, lift))
    out.sort(key=lambda t: (-t.score, -t.count, t.tag))
    return out[:top]
