"""Erase a person everywhere this process can reach: the store (rows and tombstone, one
transaction), quarantine files, cached portraits and cached generations about them.

A job above ``data``, ``text`` and ``profiles`` (as training is), shared by
``DELETE /v1/users/{id}`` and ``recmind users erase``. What it cannot reach directly is
covered by the tombstone it leaves: a running server stops using the person at its next
request for them (:mod:`recmind.serving`), the next training leaves their history out and
rewrites or deletes every kept model version that holds it (:mod:`recmind.rec.retention`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recmind.config import Settings
from recmind.data.privacy import erase_rows, record_tombstone, scrub_quarantine
from recmind.data.store import Store
from recmind.data.tombstones import erased_at, subject_of
from recmind.profiles.cache import PortraitCache
from recmind.rec.base import Recommender
from recmind.text.llm.cache import GenerationCache, Subject
from recmind.text.llm.factory import llm_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErasureReport:
    """What one erasure removed (counts only)."""

    user_id: str
    user_row: bool
    events: int
    reviews: int
    generated_texts: int
    quarantine_rows: int
    orders: int = 0
    handoffs: int = 0

    @property
    def found(self) -> bool:
        """Whether anything was stored about the person."""
        return bool(
            self.user_row
            or self.events
            or self.reviews
            or self.orders
            or self.handoffs
            or self.generated_texts
            or self.quarantine_rows
        )


def portrait_cache(settings: Settings) -> PortraitCache:
    """The generated-portrait cache of this home."""
    return PortraitCache(settings.home / "cache" / "portraits")


def generation_cache(settings: Settings) -> GenerationCache:
    """The generation cache the configured language model writes to (the same folder
    :func:`recmind.text.llm.factory.create_generator` chooses)."""
    configured = llm_settings(settings).cache_dir
    root: Path = configured if configured is not None else settings.home / "cache" / "llm"
    return GenerationCache(root)


def subject(settings: Settings, user_id: str, store: Store | None = None) -> Subject:
    """``user_id`` as the subject of generations (its keyed hash); with ``store``, also a
    check that they have not been erased there since this moment, so generations about
    them that finish after an erasure are not cached."""
    secret = settings.api.secret
    tag = subject_of(user_id, secret)
    if store is None:
        return Subject(tag)
    started = time.time()

    def present() -> bool:
        when = erased_at(store, user_id, secret)
        return when is None or when < started

    return Subject(tag, present)


def erase_user(
    store: Store,
    settings: Settings,
    user_id: str,
    *,
    forget_texts: Callable[[str], int] | None = None,
) -> ErasureReport:
    """Erase ``user_id``: rows and tombstone in one transaction, then quarantine entries,
    generated texts (``forget_texts``, default: the portrait cache; a server passes its
    profile service, which also cancels the person's generation jobs) and cached
    generations about them. The tombstone is written whenever anything was found (with the
    rows when there were rows)."""
    secret = settings.api.secret
    rows = erase_rows(store, user_id, secret)
    scrubbed = scrub_quarantine(settings.quarantine_dir, user_id)
    texts = (forget_texts or portrait_cache(settings).forget)(user_id)
    texts += generation_cache(settings).forget(subject_of(user_id, secret))
    report = ErasureReport(
        user_id=user_id,
        user_row=rows.user_row,
        events=rows.events,
        reviews=rows.reviews,
        generated_texts=texts,
        quarantine_rows=scrubbed,
        orders=rows.orders,
        handoffs=rows.handoffs,
    )
    if report.found and not rows.found:
        record_tombstone(store, user_id, secret)
    if report.found:
        logger.info(
            "user erased",
            extra={
                "events": rows.events,
                "reviews": rows.reviews,
                "orders": rows.orders,
                "handoffs": rows.handoffs,
                "quarantine_rows": scrubbed,
            },
        )
    return report


def holds_erased_history(model: Recommender, store: Store, secret: str, user_id: str) -> bool:
    """Whether ``model``'s training row for ``user_id`` is an erased person's history
    (rows dated at or before their erasure): a command reading the artefact directly must
    then treat them as unknown, as the server does."""
    data = model.interactions_
    index = int(data.lookup_users([user_id])[0])
    if index < 0:
        return False
    when = erased_at(store, user_id, secret)
    return when is not None and bool(np.any(data.timestamps[data.user_index == index] <= when))
