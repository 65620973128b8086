"""The people a campaign goes to, streamed in batches in a stable order.

A segment is read page by page in user-id order (keyset pagination: ``user_id > last``), so
100,000 members never sit in memory at once and a page costs the same wherever it starts.
Likely buyers and look-alikes are computed once, as of the moment the campaign started
(``started_at``): a rerun after a crash computes the same people from the same events, so
the idempotency keys of those already written match and nobody gets the message twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select

from recmind.data.schema import segment_members
from recmind.data.store import Store
from recmind.marketing.audiences import (
    BuyersConfig,
    LookalikeConfig,
    buyers_from_store,
    lookalikes_from_store,
)
from recmind.marketing.campaigns.definition import (
    BuyersAudience,
    CampaignDefinition,
    LookalikeAudience,
    SegmentAudience,
    UsersAudience,
)


def _open_members(segment_id: str) -> object:
    return (segment_members.c.segment_id == segment_id) & segment_members.c.exited_at.is_(None)


def segment_size(store: Store, segment_id: str) -> int:
    with store.engine.connect() as connection:
        found = connection.execute(
            select(func.count(func.distinct(segment_members.c.user_id))).where(
                _open_members(segment_id)  # type: ignore[arg-type]
            )
        ).scalar_one()
    return int(found)


def segment_pages(store: Store, segment_id: str, batch: int) -> Iterator[list[str]]:
    """The segment's current members in user-id order, ``batch`` at a time."""
    last: str | None = None
    while True:
        query = (
            select(segment_members.c.user_id)
            .where(_open_members(segment_id))  # type: ignore[arg-type]
            .distinct()
            .order_by(segment_members.c.user_id)
            .limit(batch)
        )
        if last is not None:
            query = query.where(segment_members.c.user_id > last)
        with store.engine.connect() as connection:
            page = [str(r[0]) for r in connection.execute(query)]
        if not page:
            return
        yield page
        last = page[-1]


def _segment_ids(store: Store, segment_id: str) -> list[str]:
    return [u for page in segment_pages(store, segment_id, 10_000) for u in page]


@dataclass(frozen=True)
class ResolvedAudience:
    """An audience ready to stream: its size and its pages."""

    size: int
    store: Store
    segment_id: str | None = None
    user_ids: tuple[str, ...] = ()

    def pages(self, batch: int) -> Iterator[list[str]]:
        if self.segment_id is not None:
            yield from segment_pages(self.store, self.segment_id, batch)
            return
        for start in range(0, len(self.user_ids), batch):
            yield list(self.user_ids[start : start + batch])


def resolve_audience(
    store: Store, definition: CampaignDefinition, *, as_of: float
) -> ResolvedAudience:
    """The campaign's audience as of ``as_of`` (a segment: its members when streamed)."""
    audience = definition.audience
    if isinstance(audience, SegmentAudience):
        size = segment_size(store, audience.segment)
        return ResolvedAudience(size=size, store=store, segment_id=audience.segment)
    if isinstance(audience, UsersAudience):
        ids = tuple(audience.user_ids)
    elif isinstance(audience, BuyersAudience):
        found = buyers_from_store(
            store,
            BuyersConfig(window_days=audience.window_days, top=audience.top),
            as_of=as_of,
            item_ids=audience.items,
            category=audience.category,
        )
        ids = tuple(found.user_ids)
    else:
        assert isinstance(audience, LookalikeAudience)
        seeds = audience.seeds or _segment_ids(store, str(audience.seed_segment))
        found = lookalikes_from_store(store, seeds, LookalikeConfig(top=audience.top), as_of=as_of)
        ids = tuple(found.user_ids)
    return ResolvedAudience(size=len(ids), store=store, user_ids=ids)
