"""Which version is served: a watcher thread polls LATEST and swaps in a newly published
(or rolled back) version; an admin can serve an earlier version at once (rollback)."""

from __future__ import annotations

import logging
import threading

from recmind.config import Settings
from recmind.rec.artifacts import ModelStore
from recmind.serving.current import CurrentState
from recmind.serving.loading import VersionLoader
from recmind.serving.snapshot import latest_version

logger = logging.getLogger(__name__)


class Lifecycle:
    """Start, stop, reload and roll back the served version."""

    def __init__(
        self,
        settings: Settings,
        models: ModelStore,
        current: CurrentState,
        loader: VersionLoader,
    ) -> None:
        self.settings = settings
        self.models = models
        self.current = current
        self.loader = loader
        self._swap_lock = threading.Lock()
        self._failed_version: str | None = None
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def version(self) -> str | None:
        state = self.current.state
        return state.served.version if state else None

    def start(self) -> None:
        """Load the latest published model (if any) and start watching for new ones."""
        try:
            self.reload()
        except Exception:
            logger.exception("could not load the published model; serving none until one loads")
        if self._watcher is None:
            self._stop.clear()
            self._watcher = threading.Thread(
                target=self._watch, name="recmind-model-watcher", daemon=True
            )
            self._watcher.start()

    def stop(self) -> None:
        """Stop the watcher thread (the served model stays usable)."""
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=30)
            self._watcher = None

    def _watch(self) -> None:
        while not self._stop.wait(self.settings.serving.reload_seconds):
            try:
                self.reload()
            except Exception:
                logger.exception("reloading the published model failed; keeping the current one")

    def reload(self) -> bool:
        """Swap in the version LATEST names if it differs from the served one; True when
        a new version is now served."""
        with self._swap_lock:
            wanted = latest_version(self.settings.models_dir)
            if wanted is None or wanted in (self.version, self._failed_version):
                return False
            try:
                self.loader.load(wanted)
            except Exception:
                self._failed_version = wanted  # not retried until LATEST changes
                raise
            self._failed_version = None
            return True

    def use_version(self, version: str) -> None:
        """Serve ``version`` now and make it LATEST (rollback); ValueError if unknown."""
        with self._swap_lock:
            self.models._info(version)  # ValueError naming the saved versions
            if version != self.version:
                self.loader.load(version)
            self.models.set_latest(version)
