"""Experiments: A/B/n tests and Thompson-sampling bandits (``experiments``) and every
assignment or decision they made, with its propensity and settled reward
(``experiment_exposures``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "experiments",
        sa.Column("experiment_id", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("variants", sa.Text(), nullable=False),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("winner", sa.String(64), nullable=True),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.Column("started_at", sa.Double(), nullable=True),
        sa.Column("stopped_at", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("experiment_id", name="pk_experiments"),
    )
    op.create_table(
        "experiment_exposures",
        sa.Column("exposure_id", sa.String(64), nullable=False),
        sa.Column("experiment_id", sa.String(64), nullable=False),
        sa.Column("decision_key", sa.Text(), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("variant", sa.String(64), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("propensity", sa.Double(), nullable=True),
        sa.Column("context", sa.Text(), nullable=True),
        sa.Column("reward", sa.Double(), nullable=True),
        sa.Column("rewarded_at", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("exposure_id", name="pk_experiment_exposures"),
        sa.UniqueConstraint(
            "experiment_id",
            "decision_key",
            name="uq_experiment_exposures_experiment_id_decision_key",
        ),
    )
    op.create_index(
        "ix_experiment_exposures_experiment_id_user_id_at",
        "experiment_exposures",
        ["experiment_id", "user_id", "at"],
    )
    op.create_index("ix_experiment_exposures_user_id", "experiment_exposures", ["user_id"])


def downgrade() -> None:
    op.drop_table("experiment_exposures")
    op.drop_table("experiments")
