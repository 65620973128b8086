"""Initial schema: items, users, events, reviews.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(255)


def upgrade() -> None:
    op.create_table(
        "items",
        sa.Column("item_id", ID, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("category", sa.Text()),
        sa.Column("price", sa.Double()),
        sa.Column("stock", sa.BigInteger()),
        sa.Column("language", sa.String(32)),
        sa.Column("attributes", sa.Text()),
        sa.PrimaryKeyConstraint("item_id", name="pk_items"),
    )
    op.create_table(
        "users",
        sa.Column("user_id", ID, nullable=False),
        sa.Column("created_at", sa.Double()),
        sa.Column("email", sa.Text()),
        sa.Column("consent_email", sa.Boolean()),
        sa.Column("timezone", sa.String(64)),
        sa.Column("attributes", sa.Text()),
        sa.PrimaryKeyConstraint("user_id", name="pk_users"),
    )
    op.create_table(
        "events",
        sa.Column("event_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("item_id", ID),
        sa.Column("event_type", sa.String(32), nullable=False),
        sa.Column("timestamp", sa.Double(), nullable=False),
        sa.Column("value", sa.Double()),
        sa.Column("query", sa.Text()),
        sa.PrimaryKeyConstraint("event_id", name="pk_events"),
        sa.UniqueConstraint(
            "user_id",
            "timestamp",
            "item_id",
            "event_type",
            name="uq_events_user_id_timestamp_item_id_event_type",
        ),
    )
    op.create_index("ix_events_item_id", "events", ["item_id"])
    op.create_table(
        "reviews",
        sa.Column("review_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("item_id", ID, nullable=False),
        sa.Column("rating", sa.Double()),
        sa.Column("text", sa.Text()),
        sa.Column("timestamp", sa.Double()),
        sa.PrimaryKeyConstraint("review_id", name="pk_reviews"),
    )
    op.create_index("ix_reviews_item_id", "reviews", ["item_id"])
    op.create_index("ix_reviews_user_id", "reviews", ["user_id"])


def downgrade() -> None:
    op.drop_table("reviews")
    op.drop_table("events")
    op.drop_table("users")
    op.drop_table("items")
