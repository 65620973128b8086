"""Erased people in the serving engine: from the moment of erasure the served model treats
them as unknown (their training row is ignored) and no cache holds anything about them."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from sqlalchemy import text

from recmind.data.store import Store
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


def erased_users(served: ServedModel, store: Store) -> set[str]:
    """People the model was trained on who no longer exist in the store (erased before
    this process started): treated as unknown. Empty when the store has no users at all."""
    with store.engine.connect() as connection:
        present = {str(r[0]) for r in connection.execute(text("SELECT user_id FROM users"))}
    if not present:
        return set()
    return {u for u in served.user_index if u not in present}


class Erasure:
    """What the engine knows about erased people, and how it honours it."""

    def __init__(self, store: Store, current: CurrentState) -> None:
        self.store = store
        self.current = current
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

    def user_index(self, served: ServedModel, user_id: str) -> int:
        """The person's row in the served model; -1 when unknown or erased."""
        if user_id in self.forgotten:
            return -1
        return served.user_index.get(user_id, -1)

    def note_version(self, served: ServedModel) -> None:
        """A version is being loaded: people it was trained on who are gone from the store
        count as erased."""
        self.forgotten.update(erased_users(served, self.store))

    def skipped(self) -> set[str]:
        """People no list may be computed for (warm-up leaves them out)."""
        return set(self.forgotten.snapshot())

    def scrub_locked(self, state: ServingState) -> None:
        """Drop erased people from a version's cache before it serves (the caller holds
        the current-state lock)."""
        for user_id in self.forgotten.snapshot():
            state.resources.cache.drop([user_id])
