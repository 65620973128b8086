"""SQLAlchemy table definitions of the store.

The first migration in ``migrations/versions`` creates exactly these tables; a test checks
that the migrated schema and this metadata agree. Timestamps are DOUBLE epoch seconds (UTC),
ids are strings, ``attributes`` columns hold JSON text (an object, keys sorted).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    Index,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

ID = String(255)

items = Table(
    "items",
    metadata,
    Column("item_id", ID, primary_key=True),
    Column("title", Text, nullable=False),
    Column("description", Text),
    Column("category", Text),
    Column("price", Double),
    Column("stock", BigInteger),
    Column("language", String(32)),
    Column("attributes", Text),
)

users = Table(
    "users",
    metadata,
    Column("user_id", ID, primary_key=True),
    Column("created_at", Double),
    Column("email", Text),
    Column("consent_email", Boolean),
    Column("timezone", String(64)),
    Column("attributes", Text),
)

events = Table(
    "events",
    metadata,
    Column("event_id", ID, primary_key=True),
    Column("user_id", ID, nullable=False),
    Column("item_id", ID),
    Column("event_type", String(32), nullable=False),
    Column("timestamp", Double, nullable=False),
    Column("value", Double),
    Column("query", Text),
    # One unique index serves two needs: no event twice per (user, item, type, time), and
    # a user's history in time order (its leading columns are user_id, timestamp).
    UniqueConstraint("user_id", "timestamp", "item_id", "event_type"),
    Index(None, "item_id"),
)

reviews = Table(
    "reviews",
    metadata,
    Column("review_id", ID, primary_key=True),
    Column("user_id", ID, nullable=False),
    Column("item_id", ID, nullable=False),
    Column("rating", Double),
    Column("text", Text),
    Column("timestamp", Double),
    Index(None, "item_id"),
    Index(None, "user_id"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(64), primary_key=True),
    Column("name", Text),
    # HMAC-SHA256 (hex) of the whole key under the server secret: the key itself is never
    # stored, and a stolen table is useless without the secret.
    Column("key_hash", String(64), nullable=False),
    Column("scopes", Text, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("revoked_at", Double),
    Column("last_used_at", Double),
)

tombstones = Table(
    "tombstones",
    metadata,
    # HMAC-SHA256 (hex) of the erased user's id under the server secret: every component
    # can ask "is this id erased?" while the table never holds the id itself.
    Column("subject", String(64), primary_key=True),
    # Everything the person had is dated at or before this moment (epoch seconds): the
    # later of the erasure's clock time and their newest erased row's timestamp.
    Column("erased_at", Double, nullable=False),
)

TABLES = {"items": items, "users": users, "events": events, "reviews": reviews}
"""The store's data tables by entity name, in import order (``api_keys`` and
``tombstones`` are not data)."""
