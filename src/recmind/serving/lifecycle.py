"""Which version is served: a watcher thread polls LATEST and swaps in a newly published
(or rolled back) version; an admin can serve an earlier version at once (rollback).

A version that fails to load (a damaged or half-copied artefact, a missing dependency, not
enough memory) is retried with exponential back-off: after ``load_retry_seconds``, then
twice as long after each further failure, at most ``load_retry_max_seconds``. Meanwhile the
previous version keeps serving, and :attr:`Lifecycle.load_failure` says which version
failed, why, and when it is tried next (``/readyz`` shows it).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from recmind.config import Settings
from recmind.rec.artifacts import ModelStore
from recmind.serving.current import CurrentState
from recmind.serving.loading import VersionLoader
from recmind.serving.snapshot import latest_version

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadFailure:
    """The newest published version could not be loaded."""

    version: str
    error: str
    attempts: int
    """Failed loads of this version in a row."""
    next_retry_at: float
    """Epoch seconds of the next try."""
    next_retry_monotonic: float


def retry_delay(attempts: int, first: float, longest: float) -> float:
    """Seconds before the next try after ``attempts`` failures in a row: ``first``,
    doubling each time, at most ``longest``."""
    return float(min(longest, first * 2.0 ** min(attempts - 1, 64)))


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
        self._failure: LoadFailure | None = None
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def version(self) -> str | None:
        state = self.current.state
        return state.served.version if state else None

    @property
    def load_failure(self) -> LoadFailure | None:
        """The version LATEST names when it failed to load (None once it loads, or when
        LATEST names another version)."""
        return self._failure

    def start(self) -> None:
        """Load the latest published model (if any) and start watching for new ones."""
        try:
            self.reload()
        except Exception:
            logger.exception("could not load the published model; it is retried with back-off")
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
            except Exception as exc:
                failure = self._failure
                wait = failure.next_retry_monotonic - time.monotonic() if failure else 0.0
                logger.warning(
                    "loading model version %s failed (%s); serving %s; next try in %.0f s",
                    failure.version if failure else "?",
                    exc,
                    self.version or "nothing",
                    wait,
                )

    def reload(self) -> bool:
        """Swap in the version LATEST names if it differs from the served one; True when
        a new version is now served."""
        with self._swap_lock:
            wanted = latest_version(self.settings.models_dir)
            failure = self._failure
            if failure is not None and failure.version != wanted:
                self._failure = failure = None  # LATEST moved on
            if wanted is None or wanted == self.version:
                return False
            if failure is not None and time.monotonic() < failure.next_retry_monotonic:
                return False
            try:
                self.loader.load(wanted)
            except Exception as exc:
                self._failure = self._failed(wanted, exc, failure)
                raise
            self._failure = None
            return True

    def _failed(self, version: str, exc: Exception, before: LoadFailure | None) -> LoadFailure:
        attempts = before.attempts + 1 if before is not None else 1
        serving = self.settings.serving
        delay = retry_delay(attempts, serving.load_retry_seconds, serving.load_retry_max_seconds)
        return LoadFailure(
            version=version,
            error=f"{type(exc).__name__}: {exc}",
            attempts=attempts,
            next_retry_at=time.time() + delay,
            next_retry_monotonic=time.monotonic() + delay,
        )

    def use_version(self, version: str) -> None:
        """Serve ``version`` now and make it LATEST (rollback); ValueError if unknown."""
        with self._swap_lock:
            self.models._info(version)  # ValueError naming the saved versions
            if version != self.version:
                self.loader.load(version)
            self.models.set_latest(version)
