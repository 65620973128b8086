"""Running due campaigns: claim one atomically, stream its audience to the composer in
batches, keep the claim alive, mark it sent.

Claims are data, as in the outbox: a worker sets ``claimed_by`` and ``claimed_until`` in the
same statement that picks the campaign (PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so two
workers never take the same one; SQLite: one statement under its single writer). After each
batch the worker extends its claim; a worker that dies stops extending it, and once
``claimed_until`` has passed another worker (or the same one restarted) claims the campaign
again and starts over. Starting over is safe and cheap: every message's idempotency key is
``campaign_key(campaign_id, user_id)``, the composer skips keys already in the outbox with
one query per batch, and the audience is computed as of the campaign's first start.

A campaign whose audience cannot be computed (its segment was deleted, its seeds are
unknown) is cancelled with the reason in ``last_error``: retrying would fail the same way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import and_, func, or_, select, update

from recmind.config.settings import Settings
from recmind.data.schema import campaigns
from recmind.data.store import Store
from recmind.data.write_lock import write_lock
from recmind.marketing.campaigns.audience import resolve_audience
from recmind.marketing.campaigns.repository import Campaign, campaign_from_row
from recmind.marketing.content.compose import ComposeResult
from recmind.marketing.messages import MessageComposer, MessageRequest, campaign_key

logger = logging.getLogger(__name__)


@dataclass
class CampaignProgress:
    """How far a campaign run has come (``done`` of ``total`` people)."""

    campaign_id: str
    total: int
    done: int = 0
    result: ComposeResult | None = None


Progress = Callable[[CampaignProgress], None]


@runtime_checkable
class _DetailedComposer(Protocol):
    def compose(self, requests: Sequence[MessageRequest], *, now: float) -> ComposeResult: ...


@runtime_checkable
class _BatchComposer(Protocol):
    def compose_many(self, requests: Sequence[MessageRequest], *, now: float) -> int: ...


def _due(now: float) -> Any:
    return or_(
        and_(campaigns.c.status == "scheduled", campaigns.c.scheduled_at <= now),
        and_(
            campaigns.c.status == "sending",
            or_(campaigns.c.claimed_until.is_(None), campaigns.c.claimed_until < now),
        ),
    )


def claim_due_campaign(
    store: Store,
    *,
    worker_id: str,
    now: float,
    claim_seconds: float,
    campaign_id: str | None = None,
) -> Campaign | None:
    """Claim the campaign due longest ago (scheduled and due, or sending with an expired
    claim) for ``worker_id`` until ``now + claim_seconds``; None when none is due.
    ``campaign_id``: only that one (``recmind campaigns send`` runs it in the foreground)."""
    due = (
        _due(now)
        if campaign_id is None
        else and_(_due(now), campaigns.c.campaign_id == campaign_id)
    )
    pick = (
        select(campaigns.c.campaign_id)
        .where(due)
        .order_by(campaigns.c.scheduled_at, campaigns.c.campaign_id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        update(campaigns)
        .where(campaigns.c.campaign_id == pick, due)
        .values(
            status="sending",
            claimed_by=worker_id,
            claimed_until=now + claim_seconds,
            started_at=func.coalesce(campaigns.c.started_at, now),
            updated_at=now,
        )
        .returning(*campaigns.c)
    )
    with write_lock(store), store.engine.begin() as connection:
        row = connection.execute(statement).first()
    return None if row is None else campaign_from_row(row)


def _guarded(store: Store, campaign_id: str, worker_id: str, values: dict[str, Any]) -> bool:
    """Apply ``values`` if the campaign is still sending under ``worker_id``'s claim."""
    statement = (
        update(campaigns)
        .where(
            campaigns.c.campaign_id == campaign_id,
            campaigns.c.claimed_by == worker_id,
            campaigns.c.status == "sending",
        )
        .values(**values)
    )
    with write_lock(store), store.engine.begin() as connection:
        return bool(connection.execute(statement).rowcount)


def _requests(campaign: Campaign, user_ids: Sequence[str]) -> list[MessageRequest]:
    definition = campaign.definition
    slot = definition.recommendations
    return [
        MessageRequest(
            idempotency_key=campaign_key(campaign.campaign_id, user_id),
            user_id=user_id,
            channel=definition.channel,
            source_kind="campaign",
            source_id=campaign.campaign_id,
            template=definition.template,
            recommendation_source=slot.source,
            recommendation_count=slot.count,
            in_stock_only=slot.in_stock_only,
            context=dict(definition.context),
            copy=definition.copy_options,
        )
        for user_id in user_ids
    ]


def _compose(composer: MessageComposer, requests: list[MessageRequest], now: float) -> int:
    """The rows written for ``requests`` (in one batch when the composer takes batches)."""
    if isinstance(composer, _DetailedComposer):
        return composer.compose(requests, now=now).written
    if isinstance(composer, _BatchComposer):
        return composer.compose_many(requests, now=now)
    return sum(1 for request in requests if composer(request, now=now))


def run_campaign(
    store: Store,
    settings: Settings,
    composer: MessageComposer,
    campaign: Campaign,
    *,
    worker_id: str,
    now: float,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """Compose the messages of a campaign this worker has claimed, batch by batch; returns
    the outbox rows written. Stops early when the campaign was cancelled or its claim taken
    over, and when ``should_stop()`` says so (the worker is shutting down: the claim is
    given back, so another worker resumes the campaign at once); marks it sent when the
    audience is done."""
    started = time.monotonic()

    def clock() -> float:
        return now + (time.monotonic() - started)

    marketing = settings.marketing
    as_of = campaign.started_at if campaign.started_at is not None else now
    try:
        audience = resolve_audience(store, campaign.definition, as_of=as_of)
    except (LookupError, ValueError) as error:
        reason = f"the audience could not be computed: {error}"
        logger.error("campaign %s: %s", campaign.campaign_id, reason)
        at = clock()
        _guarded(
            store,
            campaign.campaign_id,
            worker_id,
            {"status": "cancelled", "last_error": reason, "finished_at": at, "updated_at": at},
        )
        return 0
    state = CampaignProgress(campaign.campaign_id, audience.size, result=ComposeResult())
    written = 0
    for page in audience.pages(marketing.batch_size):
        requests = _requests(campaign, page)
        if isinstance(composer, _DetailedComposer):
            result = composer.compose(requests, now=clock())
            assert state.result is not None
            state.result.add(result)
            written += result.written
        else:
            written += _compose(composer, requests, clock())
        state.done += len(page)
        if progress is not None:
            progress(state)
        at = clock()
        if should_stop is not None and should_stop():
            _guarded(store, campaign.campaign_id, worker_id, {"claimed_until": at})
            logger.info("campaign %s paused after %d people", campaign.campaign_id, state.done)
            return written
        if not _guarded(
            store,
            campaign.campaign_id,
            worker_id,
            {"claimed_until": at + marketing.claim_seconds, "updated_at": at},
        ):
            logger.info("campaign %s stopped: cancelled or taken over", campaign.campaign_id)
            return written
    at = clock()
    _guarded(
        store,
        campaign.campaign_id,
        worker_id,
        {
            "status": "sent",
            "finished_at": at,
            "updated_at": at,
            "claimed_by": None,
            "claimed_until": None,
        },
    )
    logger.info(
        "campaign %s composed for %d people: %d messages written",
        campaign.campaign_id,
        state.done,
        written,
    )
    return written


def run_due_campaigns(
    store: Store,
    settings: Settings,
    composer: MessageComposer,
    *,
    worker_id: str,
    now: float,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """Run every campaign due at ``now``, one after another; returns the outbox rows
    written (0: nothing was due, or everything was already written). ``should_stop`` is
    asked between batches (see :func:`run_campaign`)."""
    started = time.monotonic()
    written = 0
    while should_stop is None or not should_stop():
        moment = now + (time.monotonic() - started)
        campaign = claim_due_campaign(
            store,
            worker_id=worker_id,
            now=moment,
            claim_seconds=settings.marketing.claim_seconds,
        )
        if campaign is None:
            return written
        written += run_campaign(
            store,
            settings,
            composer,
            campaign,
            worker_id=worker_id,
            now=moment,
            progress=progress,
            should_stop=should_stop,
        )
    return written
