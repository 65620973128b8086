"""Stored campaigns: create, update while a draft, schedule, cancel, list, read, and what
happened to their messages.

States (``campaigns.status``)::

    draft --schedule--> scheduled --(due: a worker claims it)--> sending --> sent
      |                    |                                        |
      +--------------------+------------------cancel----------------+--> cancelled

A campaign created with ``schedule_at`` starts out scheduled. "Send now" is a schedule at the
current moment. Cancelling a campaign that is sending stops it after the batch in progress;
messages already in the outbox keep their own fate (the outbox has its own cancel).
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal, get_args

import orjson
from sqlalchemy import Connection, func, insert, select, update

from recmind.config.settings import Settings
from recmind.data.schema import campaigns, outbox
from recmind.data.store import Store
from recmind.data.write_lock import write_lock
from recmind.marketing.campaigns.definition import (
    CampaignDefinition,
    LookalikeAudience,
    SegmentAudience,
)
from recmind.marketing.content.templates import available_templates
from recmind.marketing.segments.repository import SegmentNotFoundError, get_segment

Status = Literal["draft", "scheduled", "sending", "sent", "cancelled"]
STATUSES: tuple[str, ...] = get_args(Status)
EDITABLE = ("draft",)
SCHEDULABLE = ("draft", "scheduled")
CANCELLABLE = ("draft", "scheduled", "sending")


class CampaignNotFoundError(KeyError):
    """No campaign has this id."""

    def __init__(self, campaign_id: str) -> None:
        super().__init__(campaign_id)
        self.campaign_id = campaign_id

    def __str__(self) -> str:
        return f"no campaign {self.campaign_id!r}"


class CampaignError(ValueError):
    """A campaign that refers to something that does not exist (``field`` names where)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class CampaignStateError(ValueError):
    """The change is not allowed in the campaign's state (e.g. editing one that is sending)."""


@dataclass(frozen=True)
class Campaign:
    """A stored campaign."""

    campaign_id: str
    name: str
    definition: CampaignDefinition
    status: Status
    scheduled_at: float | None
    created_at: float
    updated_at: float
    started_at: float | None
    finished_at: float | None
    claimed_by: str | None = None
    claimed_until: float | None = None
    last_error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "campaign_id": self.campaign_id,
            "name": self.name,
            "status": self.status,
            "definition": self.definition.stored(),
            "scheduled_at": self.scheduled_at,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "last_error": self.last_error,
        }


def campaign_from_row(row: Any) -> Campaign:
    definition = CampaignDefinition.model_validate(orjson.loads(row.definition))
    return Campaign(
        campaign_id=str(row.campaign_id),
        name=str(row.name),
        definition=definition,
        status=row.status,
        scheduled_at=None if row.scheduled_at is None else float(row.scheduled_at),
        created_at=float(row.created_at),
        updated_at=float(row.updated_at),
        started_at=None if row.started_at is None else float(row.started_at),
        finished_at=None if row.finished_at is None else float(row.finished_at),
        claimed_by=row.claimed_by,
        claimed_until=None if row.claimed_until is None else float(row.claimed_until),
        last_error=row.last_error,
    )


def _dump(definition: CampaignDefinition) -> str:
    return orjson.dumps(definition.stored(), option=orjson.OPT_SORT_KEYS).decode()


def _new_id(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:48].strip("-")
    return f"{slug or 'campaign'}-{uuid.uuid4().hex[:8]}"


def check_definition(store: Store, settings: Settings, definition: CampaignDefinition) -> None:
    """:class:`CampaignError` when the template or a segment the campaign names is unknown."""
    known = available_templates(settings)
    if definition.template not in known:
        raise CampaignError(
            "template", f"no template {definition.template!r} (known: {', '.join(sorted(known))})"
        )
    audience = definition.audience
    segment, field = None, ""
    if isinstance(audience, SegmentAudience):
        segment, field = audience.segment, "audience.segment"
    elif isinstance(audience, LookalikeAudience) and audience.seed_segment:
        segment, field = audience.seed_segment, "audience.seed_segment"
    if segment is not None:
        try:
            get_segment(store, segment)
        except SegmentNotFoundError:
            raise CampaignError(field, f"no segment {segment!r}") from None


def _get(connection: Connection, campaign_id: str) -> Campaign:
    row = connection.execute(
        select(campaigns).where(campaigns.c.campaign_id == campaign_id)
    ).first()
    if row is None:
        raise CampaignNotFoundError(campaign_id)
    return campaign_from_row(row)


def get_campaign(store: Store, campaign_id: str) -> Campaign:
    """The campaign, or :class:`CampaignNotFoundError`."""
    with store.engine.connect() as connection:
        return _get(connection, campaign_id)


def list_campaigns(store: Store, status: str | None = None) -> list[Campaign]:
    """Every campaign (or those in ``status``), newest first."""
    query = select(campaigns).order_by(campaigns.c.created_at.desc(), campaigns.c.campaign_id)
    if status is not None:
        query = query.where(campaigns.c.status == status)
    with store.engine.connect() as connection:
        return [campaign_from_row(r) for r in connection.execute(query)]


def create_campaign(
    store: Store, settings: Settings, definition: CampaignDefinition, *, now: float | None = None
) -> Campaign:
    """Store a new campaign: scheduled when it has ``schedule_at``, else a draft."""
    check_definition(store, settings, definition)
    moment = time.time() if now is None else now
    scheduled = definition.scheduled_at
    campaign_id = _new_id(definition.name)
    with write_lock(store), store.engine.begin() as connection:
        connection.execute(
            insert(campaigns).values(
                campaign_id=campaign_id,
                name=definition.name,
                definition=_dump(definition),
                status="draft" if scheduled is None else "scheduled",
                scheduled_at=scheduled,
                created_at=moment,
                updated_at=moment,
            )
        )
        return _get(connection, campaign_id)


def _change(
    store: Store, campaign_id: str, allowed: tuple[str, ...], action: str, values: dict[str, Any]
) -> Campaign:
    """Apply ``values`` when the campaign's status is in ``allowed`` (checked in the
    update itself, so a worker claiming it at the same moment cannot be overruled)."""
    with write_lock(store), store.engine.begin() as connection:
        done = connection.execute(
            update(campaigns)
            .where(campaigns.c.campaign_id == campaign_id, campaigns.c.status.in_(allowed))
            .values(**values)
        ).rowcount
        campaign = _get(connection, campaign_id)
        if not done:
            raise CampaignStateError(
                f"campaign {campaign_id!r} is {campaign.status}: it cannot be {action} "
                f"(only when {' or '.join(allowed)})"
            )
        return campaign


def update_campaign(
    store: Store,
    settings: Settings,
    campaign_id: str,
    definition: CampaignDefinition,
    *,
    now: float | None = None,
) -> Campaign:
    """Replace a draft's definition (its ``schedule_at`` schedules it)."""
    check_definition(store, settings, definition)
    scheduled = definition.scheduled_at
    values: dict[str, Any] = {
        "name": definition.name,
        "definition": _dump(definition),
        "updated_at": time.time() if now is None else now,
    }
    if scheduled is not None:
        values.update(status="scheduled", scheduled_at=scheduled)
    return _change(store, campaign_id, EDITABLE, "edited", values)


def schedule_campaign(
    store: Store, campaign_id: str, at: float, *, now: float | None = None
) -> Campaign:
    """Send the campaign at ``at`` (epoch seconds; now or earlier: at the next worker round)."""
    moment = time.time() if now is None else now
    values = {"status": "scheduled", "scheduled_at": float(at), "updated_at": moment}
    return _change(store, campaign_id, SCHEDULABLE, "scheduled", values)


def cancel_campaign(store: Store, campaign_id: str, *, now: float | None = None) -> Campaign:
    """Stop the campaign (a sending one stops after its current batch)."""
    moment = time.time() if now is None else now
    values = {"status": "cancelled", "finished_at": moment, "updated_at": moment}
    return _change(store, campaign_id, CANCELLABLE, "cancelled", values)


def campaign_stats(store: Store, campaign_id: str) -> dict[str, Any]:
    """The campaign's messages by outbox status, and the skipped ones by reason."""
    by_status: dict[str, int] = {}
    reasons: dict[str, int] = {}
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(outbox.c.status, outbox.c.skip_reason, func.count())
            .where(outbox.c.source_kind == "campaign", outbox.c.source_id == campaign_id)
            .group_by(outbox.c.status, outbox.c.skip_reason)
        )
        for status, reason, count in rows:
            by_status[str(status)] = by_status.get(str(status), 0) + int(count)
            if reason:
                key = str(reason).split(":")[0]
                reasons[key] = reasons.get(key, 0) + int(count)
    return {
        "messages": sum(by_status.values()),
        "by_status": dict(sorted(by_status.items())),
        "skipped_by_reason": dict(sorted(reasons.items())),
    }
