"""Loading one model version: read the artefact, build its catalogue and caches, warm the
list cache, then install it with one assignment, so requests never fail or mix versions."""

from __future__ import annotations

import logging
import time

from recmind.config import Settings
from recmind.data.store import Store
from recmind.serving.catalog_updates import CatalogUpdates
from recmind.serving.current import CurrentState
from recmind.serving.erasure import Erasure
from recmind.serving.snapshot import load_snapshot
from recmind.serving.state import ServingState, build_state
from recmind.serving.warm import rank_in_child, rank_people

logger = logging.getLogger(__name__)


class VersionLoader:
    """Builds a version completely and installs it as the current state."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        current: CurrentState,
        erasure: Erasure,
        catalog: CatalogUpdates,
    ) -> None:
        self.settings = settings
        self.store = store
        self.current = current
        self.erasure = erasure
        self.catalog = catalog

    def load(self, version: str) -> None:
        """Build everything ``version`` needs, then publish it with one assignment."""
        started = time.perf_counter()
        mark = self.current.begin_load()
        try:
            served = load_snapshot(self.settings.models_dir, version)
            if served is None:
                raise FileNotFoundError(f"no model version {version!r}")
            self.erasure.note_version(served)
            state = build_state(served, self.settings, self.store, self.erasure.forgotten)
            in_child = self.current.state is not None and self.settings.serving.warm_in_child
            warmed = self.warm(state, in_child=in_child)
        except BaseException:
            self.current.abandon_load()
            raise
        previous = self.current.install(
            state, mark, catch_up=self.catalog.catch_up, before=self.erasure.scrub_locked
        )
        logger.info(
            "serving %s %s (was %s): built in %.2f s, %d lists precomputed",
            served.name,
            served.version,
            previous or "nothing",
            time.perf_counter() - started,
            warmed,
        )

    def warm(self, state: ServingState, *, in_child: bool) -> int:
        """Rank the most recently active people now, so their first request is a hit; in a
        low-priority child process when requests are being served (see
        :mod:`recmind.serving.warm`). A failure only costs cache misses."""
        serving = self.settings.serving
        if serving.cache_users <= 0 or serving.precompute_users <= 0:
            return 0
        skip = self.erasure.skipped()
        cache = state.resources.cache
        try:
            if in_child:
                ranked = rank_in_child(self.settings, state.served.version, skip)
            else:
                ranked = list(rank_people(state.served, self.store, self.settings, skip))
        except Exception:
            logger.exception("warming the list cache failed; lists are computed on demand")
            return 0
        for user_id, lists in ranked:
            cache.put(user_id, True, lists)
        return len(ranked)
