"""A segment's current members as CSV: user id, e-mail (only where the person consented
to marketing e-mail), when they entered, and a few features.

Rows stream from the store in pages; erased people are gone from the membership table
(erasure deletes their rows), so they are never exported.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy import case, select, true

from recmind.data.schema import customer_features, customer_predictions, segment_members, users
from recmind.data.store import Store
from recmind.marketing.segments.repository import get_segment

COLUMNS = (
    "user_id",
    "email",
    "entered_at",
    "recency_days",
    "order_count",
    "monetary_total",
    "expected_spend",
    "churn_risk",
)
PAGE = 5_000


def _iso(moment: float | None) -> str:
    if moment is None:
        return ""
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds")


def export_rows(store: Store, segment_id: str) -> Iterator[dict[str, Any]]:
    """The current members in user id order, one dict per person (``COLUMNS``)."""
    get_segment(store, segment_id)
    email = case((users.c.consent_email.is_(true()), users.c.email), else_=None)
    query = (
        select(
            segment_members.c.user_id,
            email.label("email"),
            segment_members.c.entered_at,
            customer_features.c.recency_days,
            customer_features.c.order_count,
            customer_features.c.monetary_total,
            customer_predictions.c.expected_spend,
            customer_predictions.c.churn_risk,
        )
        .select_from(segment_members)
        .outerjoin(users, users.c.user_id == segment_members.c.user_id)
        .outerjoin(customer_features, customer_features.c.user_id == segment_members.c.user_id)
        .outerjoin(
            customer_predictions, customer_predictions.c.user_id == segment_members.c.user_id
        )
        .where(segment_members.c.segment_id == segment_id, segment_members.c.exited_at.is_(None))
        .order_by(segment_members.c.user_id)
    )
    after: str | None = None
    while True:
        page = query if after is None else query.where(segment_members.c.user_id > after)
        with store.engine.connect() as connection:
            rows = connection.execute(page.limit(PAGE)).all()
        for row in rows:
            found = dict(row._mapping)
            found["entered_at"] = _iso(found["entered_at"])
            yield found
        if len(rows) < PAGE:
            return
        after = rows[-1].user_id


def csv_lines(store: Store, segment_id: str) -> Iterator[str]:
    """The export as CSV text, a header then one line per member (for streaming)."""

    class _Line:
        text = ""

        def write(self, value: str) -> int:
            self.text += value
            return len(value)

    line = _Line()
    writer = csv.DictWriter(line, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in export_rows(store, segment_id):
        yield line.text
        line.text = ""
        writer.writerow(row)
    yield line.text


def write_csv(store: Store, segment_id: str, out: TextIO) -> int:
    """Write the export to ``out``; returns the number of members written."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    written = 0
    for row in export_rows(store, segment_id):
        writer.writerow(row)
        written += 1
    return written
