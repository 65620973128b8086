"""The one reference request threads read (the served version's state), and the
bookkeeping that keeps it consistent while a new version is being built.

Loading a version takes seconds; catalogue updates that arrive meanwhile are remembered
and applied to the new version before it is installed. Installing a version, updating the
catalogue and erasing a person are serialised by :attr:`CurrentState.lock`, so none of
them can undo another.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from recmind.serving.results import NotReadyError
from recmind.serving.state import ServingState

NOT_READY = "no model is being served yet: publish one with `recmind train` or POST /v1/admin/train"


class CurrentState:
    """The served :class:`ServingState` (None before a version loads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        """Held while the reference is replaced (install, catalogue update, erasure)."""
        self._state: ServingState | None = None
        self._loading = 0
        self._pending_items: list[str] = []

    @property
    def state(self) -> ServingState | None:
        """The current state (one atomic read)."""
        return self._state

    def require(self) -> ServingState:
        """The current state; :class:`NotReadyError` before a version loads."""
        state = self._state
        if state is None:
            raise NotReadyError(NOT_READY)
        return state

    def replace_locked(self, state: ServingState) -> None:
        """Publish ``state`` (the caller holds :attr:`lock`)."""
        self._state = state

    # -- a version being built -----------------------------------------------------------

    def begin_load(self) -> int:
        """A version starts building; returns the mark :meth:`install` catches up from."""
        with self.lock:
            self._loading += 1
            return len(self._pending_items)

    def abandon_load(self) -> None:
        """The version being built failed (the served one stays)."""
        with self.lock:
            self._finish_load_locked()

    def install(
        self,
        state: ServingState,
        mark: int,
        catch_up: Callable[[ServingState, list[str]], ServingState],
        before: Callable[[ServingState], None],
    ) -> str | None:
        """Publish a freshly built ``state``: items changed since ``mark`` are applied to it
        (``catch_up``), then ``before`` runs on it, under the lock. Returns the version it
        replaces."""
        with self.lock:
            pending = self._pending_items[mark:]
            if pending:
                state = catch_up(state, pending)
            self._finish_load_locked()
            before(state)
            previous = self._state.served.version if self._state is not None else None
            self._state = state
            return previous

    def note_items_locked(self, item_ids: list[str]) -> None:
        """Remember changed items for versions being built (the caller holds the lock)."""
        if self._loading:
            self._pending_items.extend(item_ids)

    def _finish_load_locked(self) -> None:
        self._loading -= 1
        if not self._loading:
            self._pending_items.clear()
