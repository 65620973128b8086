"""Customer intelligence and segments: materialised customer features and lifetime-value
predictions, segments with their versions, and materialised segment membership.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_features",
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("computed_at", sa.Double(), nullable=False),
        sa.Column("as_of", sa.Double(), nullable=False),
        sa.Column("first_event_at", sa.Double(), nullable=True),
        sa.Column("last_event_at", sa.Double(), nullable=True),
        sa.Column("first_purchase_at", sa.Double(), nullable=True),
        sa.Column("last_purchase_at", sa.Double(), nullable=True),
        sa.Column("last_view_at", sa.Double(), nullable=True),
        sa.Column("last_cart_at", sa.Double(), nullable=True),
        sa.Column("tenure_days", sa.Double(), nullable=True),
        sa.Column("recency_days", sa.Double(), nullable=True),
        sa.Column("purchase_count", sa.BigInteger(), nullable=False),
        sa.Column("order_count", sa.BigInteger(), nullable=False),
        sa.Column("monetary_total", sa.Double(), nullable=False),
        sa.Column("avg_order_value", sa.Double(), nullable=True),
        sa.Column("interpurchase_days", sa.Double(), nullable=True),
        sa.Column("views_7d", sa.BigInteger(), nullable=False),
        sa.Column("views_30d", sa.BigInteger(), nullable=False),
        sa.Column("views_90d", sa.BigInteger(), nullable=False),
        sa.Column("carts_7d", sa.BigInteger(), nullable=False),
        sa.Column("carts_30d", sa.BigInteger(), nullable=False),
        sa.Column("carts_90d", sa.BigInteger(), nullable=False),
        sa.Column("purchases_7d", sa.BigInteger(), nullable=False),
        sa.Column("purchases_30d", sa.BigInteger(), nullable=False),
        sa.Column("purchases_90d", sa.BigInteger(), nullable=False),
        sa.Column("events_7d", sa.BigInteger(), nullable=False),
        sa.Column("events_30d", sa.BigInteger(), nullable=False),
        sa.Column("events_90d", sa.BigInteger(), nullable=False),
        sa.Column("top_category", sa.Text(), nullable=True),
        sa.Column("category_shares", sa.Text(), nullable=True),
        sa.Column("preferred_hour", sa.BigInteger(), nullable=True),
        sa.Column("preferred_weekday", sa.BigInteger(), nullable=True),
        sa.Column("consent_email", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("user_id", name="pk_customer_features"),
    )
    op.create_table(
        "customer_predictions",
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("computed_at", sa.Double(), nullable=False),
        sa.Column("as_of", sa.Double(), nullable=False),
        sa.Column("horizon_days", sa.Double(), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("p_active", sa.Double(), nullable=True),
        sa.Column("expected_purchases", sa.Double(), nullable=True),
        sa.Column("expected_spend", sa.Double(), nullable=True),
        sa.Column("churn_risk", sa.Double(), nullable=True),
        sa.Column("next_purchase_at", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("user_id", name="pk_customer_predictions"),
    )
    op.create_table(
        "segments",
        sa.Column("segment_id", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.Column("refreshed_at", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("segment_id", name="pk_segments"),
        sa.UniqueConstraint("name", name="uq_segments_name"),
    )
    op.create_table(
        "segment_versions",
        sa.Column("segment_id", sa.String(64), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("segment_id", "version", name="pk_segment_versions"),
    )
    op.create_table(
        "segment_members",
        sa.Column("segment_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("entered_at", sa.Double(), nullable=False),
        sa.Column("exited_at", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("segment_id", "user_id", "entered_at", name="pk_segment_members"),
    )
    op.create_index(
        "ix_segment_members_segment_id_exited_at", "segment_members", ["segment_id", "exited_at"]
    )
    op.create_index("ix_segment_members_user_id", "segment_members", ["user_id"])


def downgrade() -> None:
    op.drop_table("segment_members")
    op.drop_table("segment_versions")
    op.drop_table("segments")
    op.drop_table("customer_predictions")
    op.drop_table("customer_features")
