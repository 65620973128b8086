"""The shop's knowledge: orders (a person's purchases with their lines, status, carrier,
tracking and expected delivery) and the policy knowledge base (markdown documents and the
passages they are split into by headings).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("order_id", sa.String(255), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("total", sa.Double(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("carrier", sa.Text(), nullable=True),
        sa.Column("tracking_number", sa.Text(), nullable=True),
        sa.Column("expected_delivery", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("order_id", name="pk_orders"),
    )
    op.create_index("ix_orders_user_id_created_at", "orders", ["user_id", "created_at"])
    op.create_table(
        "kb_documents",
        sa.Column("doc_id", sa.String(255), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("passages", sa.BigInteger(), nullable=False),
        sa.Column("imported_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("doc_id", name="pk_kb_documents"),
    )
    op.create_table(
        "kb_passages",
        sa.Column("passage_id", sa.String(64), nullable=False),
        sa.Column("doc_id", sa.String(255), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("passage_id", name="pk_kb_passages"),
    )
    op.create_index("ix_kb_passages_doc_id_position", "kb_passages", ["doc_id", "position"])


def downgrade() -> None:
    op.drop_index("ix_kb_passages_doc_id_position", table_name="kb_passages")
    op.drop_table("kb_passages")
    op.drop_table("kb_documents")
    op.drop_index("ix_orders_user_id_created_at", table_name="orders")
    op.drop_table("orders")
