"""The field catalogue: every field a rule may name, with its type, meaning and (where the
set is finite) its allowed values.

Fields come from four places: the profile (``users``: ``created_at``, ``timezone``,
``email``, ``consent_email`` and ``attributes.KEY``), the materialised features
(``customer_features``), the lifetime-value predictions (``customer_predictions``) and the
derived day fields, computed from events at the evaluation moment
(``days_since_last_purchase`` ...). ``category_shares.CATEGORY`` reads one category's share
from the features' JSON. The catalogue also lists the event types, the shop's categories
(every ``|``-separated member of an item's category and every ``/``-prefix of one) and the
stored segments: what the plain-language drafter's JSON schema is built from. No customer
data enters it: only names, the categories and the segment names.
"""

from __future__ import annotations

from typing import Literal

import orjson
from pydantic import BaseModel, ConfigDict
from sqlalchemy import BigInteger, Boolean, Double, Table, select

from recmind.data.bundle import EVENT_TYPES
from recmind.data.schema import customer_features, customer_predictions, items, segments, users
from recmind.data.store import Store

FieldType = Literal["number", "integer", "text", "boolean", "time"]
Source = Literal["profile", "attribute", "feature", "prediction", "derived", "score"]
ATTRIBUTE_PREFIX = "attributes."
SHARE_PREFIX = "category_shares."
ATTRIBUTE_SAMPLE = 2000
"""Users whose attributes are read to learn the attribute keys (and their types)."""

DERIVED: dict[str, tuple[tuple[str, ...], str, str]] = {
    # name: (event types, "max" | "min" of their timestamps, description)
    "days_since_last_purchase": (
        ("purchase",),
        "max",
        "Days from the customer's last purchase to the evaluation moment.",
    ),
    "days_since_last_event": (
        EVENT_TYPES,
        "max",
        "Days from the customer's last event of any kind to the evaluation moment.",
    ),
    "days_since_first_purchase": (
        ("purchase",),
        "min",
        "Days from the customer's first purchase to the evaluation moment (buyer tenure).",
    ),
    "days_since_last_view": (
        ("view",),
        "max",
        "Days from the customer's last product view to the evaluation moment.",
    ),
    "days_since_last_cart": (
        ("add_to_cart",),
        "max",
        "Days from the customer's last add-to-cart to the evaluation moment.",
    ),
}
"""Day fields computed from the events before the evaluation moment (not from features)."""

SCORES: dict[str, tuple[str, str, str, int, str]] = {
    # name: (table, column, "asc" | "desc", tiles, description)
    "rfm_recency_score": (
        "features",
        "recency_days",
        "desc",
        5,
        "RFM recency quintile (1-5, 5 = bought most recently) among customers with an order.",
    ),
    "rfm_frequency_score": (
        "features",
        "order_count",
        "asc",
        5,
        "RFM frequency quintile (1-5, 5 = most orders) among customers with an order.",
    ),
    "rfm_monetary_score": (
        "features",
        "monetary_total",
        "asc",
        5,
        "RFM monetary quintile (1-5, 5 = spent most) among customers with an order.",
    ),
    "expected_spend_decile": (
        "predictions",
        "expected_spend",
        "asc",
        10,
        "Decile (1-10, 10 = highest) of predicted spend over the horizon.",
    ),
}
"""Rank scores computed in SQL over the stored features / predictions: with N rows and
``r`` the rank of a row (ties share the lowest rank), the score is
``1 + tiles * (r - 1) // N``, so equal values always get equal scores. RFM scores rank only
customers with at least one order and a known recency."""

DESCRIPTIONS: dict[str, str] = {
    "created_at": "When the customer's account was created (epoch seconds or ISO date).",
    "timezone": "The customer's IANA time zone, e.g. Europe/Berlin.",
    "email": "The customer's e-mail address.",
    "consent_email": "Whether the customer agreed to receive marketing e-mail.",
    "first_event_at": "Moment of the customer's first event.",
    "last_event_at": "Moment of the customer's last event.",
    "first_purchase_at": "Moment of the customer's first purchase.",
    "last_purchase_at": "Moment of the customer's last purchase.",
    "last_view_at": "Moment of the customer's last product view.",
    "last_cart_at": "Moment of the customer's last add-to-cart.",
    "tenure_days": "Days since the customer's first event (at the features' moment).",
    "recency_days": "Days since the customer's last purchase (at the features' moment).",
    "purchase_count": "Number of purchase events, all time.",
    "order_count": "Number of orders (distinct purchase days), all time.",
    "monetary_total": "Total money spent, all time.",
    "avg_order_value": "Average money spent per order.",
    "interpurchase_days": "Mean days between consecutive orders.",
    "top_category": "The category the customer interacts with most.",
    "preferred_hour": "Hour of day (0-23, the customer's time zone) they are most active.",
    "preferred_weekday": "Weekday (0 = Monday ... 6 = Sunday) they are most active.",
    "p_active": "Predicted probability that the customer is still active (0-1).",
    "expected_purchases": "Predicted number of orders over the prediction horizon.",
    "expected_spend": "Predicted spend over the prediction horizon (lifetime value).",
    "churn_risk": "Predicted probability of no purchase over the horizon (0-1).",
    "next_purchase_at": "Predicted moment of the next purchase.",
}
_WINDOW_NAMES = {"views": "product views", "carts": "add-to-carts", "purchases": "purchases"}
for _kind, _words in (*_WINDOW_NAMES.items(), ("events", "events of any kind")):
    for _days in (7, 30, 90):
        DESCRIPTIONS[f"{_kind}_{_days}d"] = f"Number of {_words} in the last {_days} days."

HIDDEN_COLUMNS = {"user_id", "computed_at", "as_of", "category_shares", "consent_email"}
HIDDEN_PREDICTIONS = {"user_id", "computed_at", "as_of", "horizon_days", "model"}
RANGES: dict[str, tuple[int, ...]] = {
    "preferred_hour": tuple(range(24)),
    "preferred_weekday": tuple(range(7)),
}


class FieldSpec(BaseModel):
    """One field a rule may name."""

    model_config = ConfigDict(frozen=True)

    name: str
    type: FieldType
    description: str
    source: Source
    allowed: tuple[str | int, ...] | None = None
    """The values the field can take, where that set is finite and known."""


class Catalogue(BaseModel):
    """The fields, event types, categories and stored segments rules may name."""

    model_config = ConfigDict(frozen=True)

    fields: tuple[FieldSpec, ...]
    event_types: tuple[str, ...] = EVENT_TYPES
    categories: tuple[str, ...] = ()
    segments: dict[str, str] = {}
    """Stored segments: id -> name."""

    def field(self, name: str) -> FieldSpec | None:
        """The named field; ``attributes.KEY`` and ``category_shares.CATEGORY`` of keys not
        listed resolve too (an attribute's type then follows the rule's value)."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        if name.startswith(ATTRIBUTE_PREFIX) and len(name) > len(ATTRIBUTE_PREFIX):
            return FieldSpec(
                name=name, type="text", description="A profile attribute.", source="attribute"
            )
        if name.startswith(SHARE_PREFIX) and len(name) > len(SHARE_PREFIX):
            return share_spec(name[len(SHARE_PREFIX) :])
        return None


def share_spec(category: str) -> FieldSpec:
    return FieldSpec(
        name=SHARE_PREFIX + category,
        type="number",
        description=f"Share (0-1) of the customer's events in category {category!r} "
        "(only their top 5 categories are kept; others are not set).",
        source="feature",
    )


def _column_type(column_name: str, sql_type: object) -> FieldType:
    if column_name.endswith("_at"):
        return "time"
    if isinstance(sql_type, Boolean):
        return "boolean"
    if isinstance(sql_type, BigInteger):
        return "integer"
    if isinstance(sql_type, Double):
        return "number"
    return "text"


def static_fields(categories: tuple[str, ...] = ()) -> list[FieldSpec]:
    """Every field that does not depend on the store's content (attribute keys do)."""
    specs = [
        FieldSpec(name="created_at", type="time", description="", source="profile"),
        FieldSpec(name="timezone", type="text", description="", source="profile"),
        FieldSpec(name="email", type="text", description="", source="profile"),
        FieldSpec(name="consent_email", type="boolean", description="", source="profile"),
    ]
    tables: tuple[tuple[Table, set[str], Source], ...] = (
        (customer_features, HIDDEN_COLUMNS, "feature"),
        (customer_predictions, HIDDEN_PREDICTIONS, "prediction"),
    )
    for table, hidden, source in tables:
        for column in table.columns:
            if column.name in hidden:
                continue
            specs.append(
                FieldSpec(
                    name=column.name,
                    type=_column_type(column.name, column.type),
                    description="",
                    source=source,
                    allowed=RANGES.get(column.name)
                    or (categories or None if column.name == "top_category" else None),
                )
            )
    specs.extend(
        FieldSpec(name=name, type="number", description=text, source="derived")
        for name, (_, _, text) in DERIVED.items()
    )
    specs.extend(
        FieldSpec(
            name=name,
            type="integer",
            description=text,
            source="score",
            allowed=tuple(range(1, tiles + 1)),
        )
        for name, (_, _, _, tiles, text) in SCORES.items()
    )
    return [
        spec.model_copy(update={"description": spec.description or DESCRIPTIONS[spec.name]})
        for spec in specs
    ]


def shop_categories(store: Store) -> tuple[str, ...]:
    """Every category an event rule may name: each ``|``-separated member of an item's
    category and each ``/``-prefix of a member, sorted."""
    with store.engine.connect() as connection:
        raw = connection.execute(
            select(items.c.category).where(items.c.category.is_not(None)).distinct()
        ).scalars()
        found: set[str] = set()
        for value in raw:
            for member in str(value).split("|"):
                parts = member.strip().split("/")
                for end in range(1, len(parts) + 1):
                    prefix = "/".join(parts[:end]).strip()
                    if prefix:
                        found.add(prefix)
    return tuple(sorted(found))


def attribute_fields(store: Store, sample: int = ATTRIBUTE_SAMPLE) -> list[FieldSpec]:
    """``attributes.KEY`` for the keys found in the first ``sample`` users' attributes; a key
    whose values are all numbers (or all booleans) is typed so, else text."""
    kinds: dict[str, set[str]] = {}
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(users.c.attributes)
            .where(users.c.attributes.is_not(None))
            .order_by(users.c.user_id)
            .limit(sample)
        ).scalars()
        for text in rows:
            try:
                parsed = orjson.loads(text)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(parsed, dict):
                continue
            for key, value in parsed.items():
                if isinstance(value, bool):
                    kind = "boolean"
                elif isinstance(value, int | float):
                    kind = "number"
                elif isinstance(value, str):
                    kind = "text"
                else:
                    continue
                kinds.setdefault(str(key), set()).add(kind)
    specs = []
    for key in sorted(kinds):
        seen = kinds[key]
        typed: FieldType = "text"
        if seen == {"number"}:
            typed = "number"
        elif seen == {"boolean"}:
            typed = "boolean"
        specs.append(
            FieldSpec(
                name=ATTRIBUTE_PREFIX + key,
                type=typed,
                description=f"The profile attribute {key!r}.",
                source="attribute",
            )
        )
    return specs


def field_catalogue(store: Store) -> list[FieldSpec]:
    """Every field a rule may name in this store (profile, attributes, features,
    predictions, derived day fields)."""
    return list(load_catalogue(store).fields)


def stored_segments(store: Store) -> dict[str, str]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(segments.c.segment_id, segments.c.name).order_by(segments.c.segment_id)
        ).all()
    return {str(row[0]): str(row[1]) for row in rows}


def load_catalogue(store: Store) -> Catalogue:
    """The full catalogue of the store: fields, event types, categories, segments."""
    categories = shop_categories(store)
    fields = static_fields(categories)
    fields[4:4] = attribute_fields(store)
    return Catalogue(fields=tuple(fields), categories=categories, segments=stored_segments(store))
