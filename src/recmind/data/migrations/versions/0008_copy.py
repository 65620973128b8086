"""Copy generation: the shop's brand profile (``brand_profiles``), facts read from items'
descriptions and reviews with their source (``item_facts``), and the checked copy variants
campaigns and journey steps generate once and personalise by slots (``copy_variants``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "brand_profiles",
        sa.Column("brand_id", sa.String(64), nullable=False),
        sa.Column("profile", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("brand_id", name="pk_brand_profiles"),
    )
    op.create_table(
        "item_facts",
        sa.Column("item_id", sa.String(255), nullable=False),
        sa.Column("fact", sa.String(32), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("built_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("item_id", "fact", "source", name="pk_item_facts"),
    )
    op.create_table(
        "copy_variants",
        sa.Column("variant_key", sa.String(64), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("segment", sa.Text(), nullable=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("parts", sa.Text(), nullable=False),
        sa.Column("attempts", sa.BigInteger(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("seconds", sa.Double(), nullable=True),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("variant_key", name="pk_copy_variants"),
    )
    op.create_index("ix_copy_variants_scope", "copy_variants", ["scope"])


def downgrade() -> None:
    op.drop_index("ix_copy_variants_scope", table_name="copy_variants")
    op.drop_table("copy_variants")
    op.drop_table("item_facts")
    op.drop_table("brand_profiles")
