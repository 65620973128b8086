"""Erased people in the serving engine: from the moment of erasure the served model never
uses their history (their training row is ignored, their events dated before the erasure
too) and no cache holds anything about them.

The tombstones in the store (:mod:`recmind.data.tombstones`) are the truth, so this holds
after a restart and for erasures made by another process (``recmind users erase``): every
request for a person looks their tombstone up (one primary-key read). An id that comes
back after its erasure is a new person: their newer events are used, and so is the
training row of a version trained after the erasure (which holds only those).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np

from recmind.data.store import Store
from recmind.data.tombstones import Erasures, erased_at, load_erasures
from recmind.serving.history import LiveEvents
from recmind.serving.snapshot import ServedModel

if TYPE_CHECKING:
    from recmind.serving.cache import ScoreCache
    from recmind.serving.current import CurrentState
    from recmind.serving.state import ServingState


class ForgottenUsers:
    """People erased while this process runs (shared by every version's cache): the
    served model treats them as unknown and no cache stores anything about them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._ids: set[str] = set()

    def forget(self, user_id: str, caches: list[ScoreCache]) -> None:
        """Mark ``user_id`` erased and drop it from ``caches``, atomically with respect to
        :meth:`ScoreCache.put`."""
        with self.lock:
            self._ids.add(user_id)
            for cache in caches:
                cache.drop([user_id])

    def update(self, user_ids: set[str]) -> None:
        with self.lock:
            self._ids.update(user_ids)

    def snapshot(self) -> list[str]:
        with self.lock:
            return list(self._ids)

    def holds_locked(self, user_id: str) -> bool:
        """Membership for a caller already holding :attr:`lock`."""
        return user_id in self._ids

    def __contains__(self, user_id: object) -> bool:
        with self.lock:
            return user_id in self._ids


def holds_erased(served: ServedModel, index: int, erased: float) -> bool:
    """Whether the training row ``index`` of ``served`` is history dated at or before an
    erasure at ``erased`` (a version trained after it holds only newer rows, if any)."""
    _, times = served.histories.user(index)
    return bool(np.any(times <= erased))


def erased_users(served: ServedModel, erasures: Erasures) -> set[str]:
    """People whose training rows in ``served`` are an erased person's history (one keyed
    hash per training user, only when there are tombstones)."""
    if not len(erasures):
        return set()
    ids = list(served.user_index)
    limits = erasures.limits(ids)
    return {
        ids[n]
        for n in np.flatnonzero(~np.isnan(limits))
        if holds_erased(served, served.user_index[ids[n]], float(limits[n]))
    }


def after(events: LiveEvents, erased: float) -> LiveEvents:
    """Only the events dated after an erasure at ``erased`` (a returning id's new ones)."""
    keep = events.timestamps > erased
    if keep.all():
        return events
    return LiveEvents(
        item_ids=tuple(i for i, k in zip(events.item_ids, keep, strict=True) if k),
        event_types=tuple(t for t, k in zip(events.event_types, keep, strict=True) if k),
        timestamps=events.timestamps[keep],
        values=events.values[keep],
    )


class Erasure:
    """What the engine knows about erased people, and how it honours it."""

    def __init__(self, store: Store, current: CurrentState, secret: str) -> None:
        self.store = store
        self.current = current
        self.secret = secret
        self.forgotten = ForgottenUsers()

    def forget_user(self, user_id: str) -> None:
        """The person was erased: from now on the served model treats them as unknown
        (their training row is ignored) and no cache holds anything about them."""
        with self.current.lock:  # serialised with installing a new version's cache
            state = self.current.state
            caches = [state.resources.cache] if state is not None else []
            self.forgotten.forget(str(user_id), caches)

    def is_forgotten(self, user_id: str) -> bool:
        return str(user_id) in self.forgotten

    def erased_at(self, user_id: str) -> float | None:
        """When the person was erased (None: never), from the store's tombstones."""
        return erased_at(self.store, user_id, self.secret)

    def view(self, served: ServedModel, user_id: str) -> tuple[int, float | None]:
        """``(row, erased_at)``: the person's row in the served model (-1 when unknown or
        when it is an erased person's history) and when they were erased (None: never;
        their live events dated up to then are not theirs to use either). An erasure made
        by another process is noticed here, and the person's cached lists dropped."""
        erased = self.erased_at(user_id)
        index = served.user_index.get(user_id, -1)
        if erased is None or index < 0:
            return index, erased
        if not holds_erased(served, index, erased):
            return index, erased  # a version trained after the erasure: a new person
        if user_id not in self.forgotten:
            self.forget_user(user_id)
        return -1, erased

    def note_version(self, served: ServedModel) -> None:
        """A version is being loaded: people whose training rows in it are an erased
        person's history get no cached list (and no warmed one)."""
        self.forgotten.update(erased_users(served, load_erasures(self.store, self.secret)))

    def skipped(self) -> set[str]:
        """People no list may be computed for (warm-up leaves them out)."""
        return set(self.forgotten.snapshot())

    def scrub_locked(self, state: ServingState) -> None:
        """Drop erased people from a version's cache before it serves (the caller holds
        the current-state lock)."""
        for user_id in self.forgotten.snapshot():
            state.resources.cache.drop([user_id])
