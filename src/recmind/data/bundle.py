"""In-memory tables with the canonical columns, as passed between the store, the bundled
datasets and the models."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

ITEM_COLUMNS = (
    "item_id",
    "title",
    "description",
    "category",
    "price",
    "stock",
    "language",
    "attributes",
)
USER_COLUMNS = ("user_id", "created_at", "email", "consent_email", "timezone", "attributes")
EVENT_COLUMNS = ("event_id", "user_id", "item_id", "event_type", "timestamp", "value")
REVIEW_COLUMNS = ("review_id", "user_id", "item_id", "rating", "text", "timestamp")
EVENT_TYPES = ("view", "click", "add_to_cart", "purchase", "rating", "search")
ORDER_COLUMNS = (
    "order_id",
    "user_id",
    "created_at",
    "status",
    "lines",
    "total",
    "currency",
    "carrier",
    "tracking_number",
    "expected_delivery",
)
"""An order: ``lines`` is a list of ``{"item_id", "quantity", "unit_price"}`` (JSON text in
the store, as every nested value is); ``created_at`` and ``expected_delivery`` are float
epoch seconds (UTC)."""
ORDER_STATUSES = ("placed", "paid", "shipped", "delivered", "cancelled", "returned")
ORDER_LINE_FIELDS = ("item_id", "quantity", "unit_price")
CATEGORY_SEPARATOR = "|"
"""An item may belong to several categories: ``"Action|Comedy"``. A ``/`` inside one
category names a hierarchy (``"Tops/Knits"``); a filter on ``"Tops"`` matches it."""


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})


@dataclass
class DataBundle:
    """Catalogue, users, behaviour events and reviews of one data source.

    Ids are strings. ``events.timestamp`` and ``reviews.timestamp`` are float epoch
    seconds (UTC); ``items.attributes`` and ``users.attributes`` hold dicts.
    """

    name: str
    items: pd.DataFrame = field(default_factory=lambda: _empty(ITEM_COLUMNS))
    users: pd.DataFrame = field(default_factory=lambda: _empty(USER_COLUMNS))
    events: pd.DataFrame = field(default_factory=lambda: _empty(EVENT_COLUMNS))
    reviews: pd.DataFrame = field(default_factory=lambda: _empty(REVIEW_COLUMNS))
    description: str = ""
