"""An index on events' timestamps: what happened since a moment, without reading every event.

The incremental refresh of customer features asks which customers have events in a few short
time ranges (new since the last refresh, or leaving a 7/30/90-day window), and segment counts
bound the people with recent events the same way; without this index each such question
reads the whole events table (seconds at 10 million events), with it a few index pages.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_events_timestamp", "events", ["timestamp"])


def downgrade() -> None:
    op.drop_index("ix_events_timestamp", table_name="events")
