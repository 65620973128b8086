"""Indexes on events for segments and the incremental feature refresh.

``(event_type, timestamp, user_id)``: "who did X since a moment" (event rules with a window,
funnels, the refresh's new and window-leaving events, which name every event type) reads a
range of one index instead of every event; ``(user_id, event_type, timestamp)``: a person's
events of one type (correlated EXISTS of funnels and derived day fields). Measured by
``benchmarks/segments_count.py`` (2-3x faster counts at 10M events) and
``benchmarks/customers_scale.py``.

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
    op.create_index(
        "ix_events_event_type_timestamp_user_id", "events", ["event_type", "timestamp", "user_id"]
    )
    op.create_index(
        "ix_events_user_id_event_type_timestamp", "events", ["user_id", "event_type", "timestamp"]
    )


def downgrade() -> None:
    op.drop_index("ix_events_user_id_event_type_timestamp", table_name="events")
    op.drop_index("ix_events_event_type_timestamp_user_id", table_name="events")
