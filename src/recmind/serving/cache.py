"""Ranked lists of the served model, cached per person and keyed by exactly what they
depend on, so a cached list is never stale.

An entry belongs to one model version (each version gets its own cache, dropped at the
swap) and holds the history key it was computed from (the person's item indices at request
time): a new event changes the key, so the next request recomputes. ``events_ingested``
and ``forget_user`` also drop the entry at once (memory, and nothing kept about an erased
person). What is kept: the top ``depth`` item indices and scores, seen items excluded or
not; filters are applied per request on top.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from recmind.serving.erasure import ForgottenUsers


@dataclass(frozen=True)
class RankedList:
    """The best ``len(items)`` model items for one history, best first (ties broken by the
    model's seeded keys); ``complete`` when no other item had a finite score."""

    key: bytes
    items: np.ndarray
    scores: np.ndarray
    complete: bool


class ScoreCache:
    """A bounded LRU of :class:`RankedList` by ``(user_id, exclude_seen)``."""

    def __init__(self, max_entries: int, forgotten: ForgottenUsers) -> None:
        self.max_entries = max_entries
        self.forgotten = forgotten
        self._entries: OrderedDict[tuple[str, bool], RankedList] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, user_id: str, exclude_seen: bool, key: bytes) -> RankedList | None:
        """The entry of this person if it was computed from the same history ``key``."""
        with self._lock:
            entry = self._entries.get((user_id, exclude_seen))
            if entry is None or entry.key != key:
                self.misses += 1
                return None
            self._entries.move_to_end((user_id, exclude_seen))
            self.hits += 1
            return entry

    def put(self, user_id: str, exclude_seen: bool, entry: RankedList) -> None:
        """Keep ``entry`` unless the person was erased (checked under the erasure lock, so
        an erasure racing this request cannot leave an entry behind)."""
        if self.max_entries <= 0:
            return
        with self.forgotten.lock, self._lock:
            if self.forgotten.holds_locked(user_id):
                return
            self._entries[(user_id, exclude_seen)] = entry
            self._entries.move_to_end((user_id, exclude_seen))
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def drop(self, user_ids: list[str] | tuple[str, ...]) -> None:
        """Forget these people's entries."""
        with self._lock:
            for user_id in user_ids:
                self._entries.pop((user_id, True), None)
                self._entries.pop((user_id, False), None)

    def holds(self, user_id: str) -> bool:
        with self._lock:
            return (user_id, True) in self._entries or (user_id, False) in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
