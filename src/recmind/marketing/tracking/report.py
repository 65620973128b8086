"""Per-journey and per-campaign reports: how many people entered, were sent a message, were
skipped (by reason) or held back by quiet hours, opened (unreliable), clicked, converted
(last touch, with revenue) and unsubscribed, compared with the global holdout.

Everything is counted in the store with grouped SQL (a few queries per source), for the
messages written in ``[since, until]`` (default: all time until now). Test sends are not
counted. The funnel counts people: entered, sent, opened, clicked, converted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Connection, func, select, text

from recmind.config import Settings
from recmind.data.schema import campaigns, enrolments, journeys, outbox
from recmind.data.store import Store
from recmind.marketing.tracking.attribution import (
    Attributed,
    RateComparison,
    attributed,
    holdout_comparison,
)

SourceKind = Literal["journey", "campaign"]
SOURCE_KINDS: tuple[SourceKind, ...] = ("journey", "campaign")
DELIVERED = ("sent", "handoff")
WAITING = ("pending", "sending")

_EVENTS_SQL = """
SELECT me.kind, COUNT(DISTINCT me.message_id) AS messages, COUNT(DISTINCT me.user_id) AS people
FROM message_events me JOIN outbox o ON o.message_id = me.message_id
WHERE o.source_kind = :kind AND o.source_id = :source
  AND o.created_at >= :since AND o.created_at <= :until
GROUP BY me.kind
"""


class ReportError(LookupError):
    """No journey or campaign of that id."""


@dataclass(frozen=True)
class Stage:
    name: str
    people: int
    unreliable: bool = False


@dataclass
class SourceReport:
    """One journey's or campaign's figures over a period."""

    kind: SourceKind
    source_id: str
    name: str | None
    since: float
    until: float
    entered: int = 0
    messages: int = 0
    sent: int = 0
    sent_people: int = 0
    waiting: int = 0
    failed: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    deferred: int = 0
    opened: int = 0
    opened_people: int = 0
    clicked: int = 0
    clicked_people: int = 0
    unsubscribed: int = 0
    converted: int = 0
    purchases: int = 0
    revenue: float = 0.0
    holdout: RateComparison | None = None

    def funnel(self) -> list[Stage]:
        return [
            Stage("entered", self.entered),
            Stage("sent", self.sent_people),
            Stage("opened", self.opened_people, unreliable=True),
            Stage("clicked", self.clicked_people),
            Stage("converted", self.converted),
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.source_id,
            "name": self.name,
            "since": self.since,
            "until": self.until,
            "entered": self.entered,
            "messages": self.messages,
            "sent": self.sent,
            "sent_people": self.sent_people,
            "waiting": self.waiting,
            "failed": self.failed,
            "skipped": dict(sorted(self.skipped.items())),
            "skipped_total": sum(self.skipped.values()),
            "deferred": self.deferred,
            "opened": self.opened,
            "opened_people": self.opened_people,
            "opens_unreliable": True,
            "clicked": self.clicked,
            "clicked_people": self.clicked_people,
            "unsubscribed": self.unsubscribed,
            "converted": self.converted,
            "purchases": self.purchases,
            "revenue": round(self.revenue, 2),
            "holdout": None if self.holdout is None else self.holdout.to_dict(),
            "funnel": [
                {"stage": s.name, "people": s.people, "unreliable": s.unreliable}
                for s in self.funnel()
            ],
        }


def _name(connection: Connection, kind: SourceKind, source_id: str) -> tuple[bool, str | None]:
    table = journeys if kind == "journey" else campaigns
    key = table.c.journey_id if kind == "journey" else table.c.campaign_id
    row = connection.execute(select(table.c.name).where(key == source_id)).first()
    return row is not None, None if row is None else str(row[0])


def _fill_outbox(connection: Connection, report: SourceReport, params: dict[str, Any]) -> None:
    where = (
        (outbox.c.source_kind == report.kind)
        & (outbox.c.source_id == report.source_id)
        & (outbox.c.created_at >= report.since)
        & (outbox.c.created_at <= report.until)
    )
    query = (
        select(outbox.c.status, outbox.c.skip_reason, func.count())
        .where(where)
        .group_by(outbox.c.status, outbox.c.skip_reason)
    )
    for status, reason, count in connection.execute(query):
        report.messages += int(count)
        if status in DELIVERED:
            report.sent += int(count)
        elif status in WAITING:
            report.waiting += int(count)
        elif status == "dead":
            report.failed += int(count)
        elif status == "skipped":
            key = str(reason or "unspecified")
            report.skipped[key] = report.skipped.get(key, 0) + int(count)
    report.sent_people = int(
        connection.execute(
            select(func.count(func.distinct(outbox.c.user_id))).where(
                where & outbox.c.status.in_(DELIVERED)
            )
        ).scalar_one()
    )
    if report.kind == "journey":
        entered = select(func.count()).where(
            (enrolments.c.journey_id == report.source_id)
            & (enrolments.c.entered_at >= report.since)
            & (enrolments.c.entered_at <= report.until)
        )
    else:
        entered = select(func.count(func.distinct(outbox.c.user_id))).where(where)
    report.entered = int(connection.execute(entered).scalar_one())
    for kind, messages, people in connection.execute(text(_EVENTS_SQL), params):
        if kind == "deferred":
            report.deferred = int(messages)
        elif kind == "open":
            report.opened, report.opened_people = int(messages), int(people)
        elif kind == "click":
            report.clicked, report.clicked_people = int(messages), int(people)
        elif kind == "unsubscribe":
            report.unsubscribed = int(people)


def _report(
    connection: Connection,
    settings: Settings,
    report: SourceReport,
    conversions: dict[tuple[str, str], Attributed],
) -> SourceReport:
    """Fill ``report`` (kind, id, name and period set) from the store."""
    kind, source_id, since, until = report.kind, report.source_id, report.since, report.until
    params = {"kind": kind, "source": source_id, "since": since, "until": until}
    _fill_outbox(connection, report, params)
    found = conversions.get((kind, source_id))
    if found is not None:
        report.converted, report.purchases, report.revenue = (
            found.people,
            found.purchases,
            found.revenue,
        )
    report.holdout = holdout_comparison(
        connection,
        kind,
        source_id,
        attribution_days=settings.marketing.attribution_days,
        since=since,
        until=until,
    )
    return report


def source_report(
    store: Store,
    settings: Settings,
    kind: SourceKind,
    source_id: str,
    *,
    now: float,
    since: float | None = None,
    until: float | None = None,
) -> SourceReport:
    """The report of one journey or campaign (:class:`ReportError` when neither it nor a
    message of it exists)."""
    if kind not in SOURCE_KINDS:
        raise ReportError(f"unknown kind {kind!r}: journey or campaign")
    start, end = since if since is not None else 0.0, until if until is not None else now
    with store.engine.connect() as connection:
        exists, name = _name(connection, kind, source_id)
        if not exists:
            any_message = connection.execute(
                select(outbox.c.message_id)
                .where((outbox.c.source_kind == kind) & (outbox.c.source_id == source_id))
                .limit(1)
            ).first()
            if any_message is None:
                raise ReportError(f"no {kind} {source_id!r}")
        conversions = attributed(
            connection,
            attribution_days=settings.marketing.attribution_days,
            since=start,
            until=end,
            kind=kind,
            source=source_id,
        )
        report = SourceReport(kind, source_id, name, start, end)
        return _report(connection, settings, report, conversions)


def all_reports(
    store: Store,
    settings: Settings,
    *,
    now: float,
    since: float | None = None,
    until: float | None = None,
    on_report: Callable[[str], None] | None = None,
) -> list[SourceReport]:
    """A report for every journey and campaign (and any source the outbox names);
    ``on_report(label)`` is called after each (a progress bar)."""
    start, end = since if since is not None else 0.0, until if until is not None else now
    with store.engine.connect() as connection:
        names: dict[tuple[SourceKind, str], str | None] = {}
        for journey_id, name in connection.execute(select(journeys.c.journey_id, journeys.c.name)):
            names[("journey", journey_id)] = name
        for campaign_id, name in connection.execute(
            select(campaigns.c.campaign_id, campaigns.c.name)
        ):
            names[("campaign", campaign_id)] = name
        for kind, source_id in connection.execute(
            select(outbox.c.source_kind, outbox.c.source_id)
            .where(outbox.c.source_kind.in_(SOURCE_KINDS))
            .distinct()
        ):
            names.setdefault((kind, source_id), None)
        conversions = attributed(
            connection,
            attribution_days=settings.marketing.attribution_days,
            since=start,
            until=end,
        )
        out = []
        for (kind, sid), name in sorted(names.items()):
            report = SourceReport(kind, sid, name, start, end)
            out.append(_report(connection, settings, report, conversions))
            if on_report is not None:
                on_report(f"{kind} {sid}")
        return out
