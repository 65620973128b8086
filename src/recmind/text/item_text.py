"""The text that stands for an item when it is embedded: what a shopper would read.

``Title. Category: A, B > C. attribute: value; ... Description. Reviews: "..." "..."``

Attributes are kept when they describe the item (genres, release year, department,
material...) and dropped when they do not (URLs, ids, prices, stock, anything the data
marks as synthetic) or when they only repeat the title or category. Review snippets are
the ones closest to the item's median rating (the consensus), longest first, cut at a
sentence or word boundary: deterministic and cheap, no model needed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from recmind.data.bundle import CATEGORY_SEPARATOR

SKIPPED_KEYS = frozenset(
    {
        "synthetic",
        "price",
        "stock",
        "currency",
        "source",
        "image",
        "images",
        "thumbnail",
        "sku",
        "barcode",
        "gtin",
        "ean",
        "upc",
    }
)
"""Attribute keys that never describe what the item is."""
_SKIPPED_SUFFIXES = ("url", "uri", "link", "_id", "id", "path")
_URL = re.compile(r"^\s*(https?://|www\.)", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_SPACE = re.compile(r"\s+")
MAX_DESCRIPTION_CHARS = 800
MAX_SNIPPET_CHARS = 200
MAX_VALUE_CHARS = 120


def clean(value: object) -> str:
    """A string with runs of whitespace collapsed; ``""`` for None/NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return _SPACE.sub(" ", str(value)).strip()


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at the last sentence end in the second
    half if there is one, else at a word boundary, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    sentence = max(head.rfind(". "), head.rfind("! "), head.rfind("? "), head.rfind("。"))
    if sentence >= limit // 2:
        return head[: sentence + 1]
    space = len(head) if text[len(head)].isspace() else head.rfind(" ")
    return (head[:space] if space > 0 else head).rstrip(" ,;:") + "…"


def category_text(value: object) -> str:
    """``"Action|Comedy"`` -> ``"Action, Comedy"``; ``"Tops/Knits"`` -> ``"Tops > Knits"``."""
    parts = [clean(p) for p in clean(value).split(CATEGORY_SEPARATOR)]
    return ", ".join(p.replace("/", " > ") for p in parts if p)


def _scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        return "" if math.isnan(number) else f"{number:g}"
    if isinstance(value, str):
        return "" if _URL.match(value) else shorten(clean(value), MAX_VALUE_CHARS)
    return ""


def attribute_pairs(attributes: object) -> list[tuple[str, str]]:
    """``(label, value)`` for the attributes worth reading, in key order as given."""
    if not isinstance(attributes, Mapping):
        return []
    synthetic = attributes.get("synthetic") or ()
    synthetic_keys = {str(s).lower() for s in synthetic} if isinstance(synthetic, list) else set()
    pairs = []
    for raw_key, raw_value in attributes.items():
        key = str(raw_key).strip().lower()
        if key in SKIPPED_KEYS or key in synthetic_keys or key.endswith(_SKIPPED_SUFFIXES):
            continue
        values = raw_value if isinstance(raw_value, list | tuple) else [raw_value]
        texts = [t for t in (_scalar_text(v) for v in values) if t]
        if not texts:
            continue
        label = key.replace("_", " ")
        if "date" in key:
            years = _YEAR.findall(" ".join(texts))
            if not years:
                continue
            label, texts = label.replace("date", "year"), years[:1]
        pairs.append((label, ", ".join(texts)))
    return pairs


def review_snippets(reviews: pd.DataFrame | None, max_snippets: int) -> dict[str, list[str]]:
    """Up to ``max_snippets`` representative review texts per item id."""
    if reviews is None or reviews.empty or max_snippets <= 0 or "text" not in reviews:
        return {}
    frame = pd.DataFrame(
        {
            "item": reviews["item_id"].astype(str),
            "text": [clean(t) for t in reviews["text"]],
            "rating": pd.to_numeric(reviews["rating"], errors="coerce")
            if "rating" in reviews
            else np.nan,
            "order": np.arange(len(reviews)),
        }
    )
    frame = frame[(frame["text"] != "") & reviews["item_id"].notna().to_numpy()]
    if frame.empty:
        return {}
    median = frame.groupby("item")["rating"].transform("median")
    frame = frame.assign(
        distance=(frame["rating"] - median).abs().fillna(0.0),
        length=-frame["text"].str.len(),
    )
    frame = frame.sort_values(["item", "distance", "length", "order"], kind="stable")
    chosen = frame.groupby("item", sort=False).head(max_snippets)
    out: dict[str, list[str]] = {}
    for item, text in zip(chosen["item"], chosen["text"], strict=True):
        out.setdefault(item, []).append(shorten(text, MAX_SNIPPET_CHARS))
    return out


def compose(
    title: str, category: str, pairs: list[tuple[str, str]], description: str, snippets: list[str]
) -> str:
    """Join the pieces of one item's text, dropping attributes already said."""
    said = f"{title} {category}".lower()
    kept = [
        f"{label}: {value}"
        for label, value in pairs
        if not all(part.strip().lower() in said for part in re.split(r"[,/]", value))
    ]
    pieces = [title.rstrip(".") + "." if title else ""]
    if category:
        pieces.append(f"Category: {category}.")
    if kept:
        pieces.append("; ".join(kept) + ".")
    if description:
        pieces.append(shorten(description, MAX_DESCRIPTION_CHARS))
    if snippets:
        pieces.append("Reviews: " + " ".join(f'"{s}"' for s in snippets))
    return " ".join(p for p in pieces if p)


def _column(items: pd.DataFrame, name: str) -> list[Any]:
    return list(items[name]) if name in items else [None] * len(items)


def item_texts(
    items: pd.DataFrame, reviews: pd.DataFrame | None = None, *, max_snippets: int = 3
) -> dict[str, str]:
    """The embedding text of every item in ``items`` (canonical columns), by item id.

    Args:
        items: Catalogue rows; only ``item_id`` is required. ``title``, ``category``,
            ``description`` and ``attributes`` (dicts) are used when present.
        reviews: Optional reviews (``item_id``, ``text``, ``rating``) to take snippets from.
        max_snippets: Review snippets per item at most.

    An item with nothing but an id is represented by its id. A repeated id keeps its first
    row.
    """
    snippets = review_snippets(reviews, max_snippets)
    out: dict[str, str] = {}
    for item_id, title, category, description, attributes in zip(
        items["item_id"].astype(str),
        _column(items, "title"),
        _column(items, "category"),
        _column(items, "description"),
        _column(items, "attributes"),
        strict=True,
    ):
        if item_id in out:
            continue
        text = compose(
            clean(title),
            category_text(category),
            attribute_pairs(attributes),
            clean(description),
            snippets.get(item_id, []),
        )
        out[item_id] = text or item_id
    return out
