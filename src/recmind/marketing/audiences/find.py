"""The entry points the CLI, the service and the benchmarks share: resolve what is asked
(items or a category, seed users), cut the log at ``as_of`` and compute the audience."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from recmind.data.store import Store
from recmind.marketing.audiences.audience import Audience
from recmind.marketing.audiences.buyers import BuyersConfig, Progress, likely_buyers
from recmind.marketing.audiences.log import EventLog
from recmind.marketing.audiences.lookalike import LookalikeConfig, lookalikes
from recmind.marketing.audiences.source import events_before, item_categories
from recmind.marketing.audiences.targets import resolve_target


def find_buyers(
    log: EventLog,
    items: pd.DataFrame,
    config: BuyersConfig,
    *,
    as_of: float,
    item_ids: Sequence[str] | None = None,
    category: str | None = None,
    progress: Progress | None = None,
) -> Audience:
    """Likely buyers of ``item_ids`` or of ``category`` (exactly one) in the
    ``config.window_days`` after ``as_of``, from ``log``'s events strictly before it;
    ``items`` is the catalogue (``item_id``, ``category``)."""
    log = log.before(as_of)
    target = resolve_target(log, items, item_ids=item_ids, category=category)
    return likely_buyers(log, target, as_of, config, progress)


def buyers_from_store(
    store: Store,
    config: BuyersConfig,
    *,
    as_of: float,
    item_ids: Sequence[str] | None = None,
    category: str | None = None,
    progress: Progress | None = None,
) -> Audience:
    """:func:`find_buyers` over the store's events before ``as_of``."""
    log = EventLog.from_frame(events_before(store, as_of), as_of)
    return find_buyers(
        log,
        item_categories(store),
        config,
        as_of=as_of,
        item_ids=item_ids,
        category=category,
        progress=progress,
    )


def lookalikes_from_store(
    store: Store, seeds: Sequence[str], config: LookalikeConfig, *, as_of: float
) -> Audience:
    """:func:`~recmind.marketing.audiences.lookalike.lookalikes` over the store's events
    before ``as_of``."""
    log = EventLog.from_frame(events_before(store, as_of), as_of)
    return lookalikes(log, seeds, as_of, config)
