"""The online serving engine: the published model, hot swap, and the hooks the API calls
after a write is durable."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from recmind.config import Settings
from recmind.data.store import Store
from recmind.rec.artifacts import ModelStore
from recmind.serving.snapshot import ServedModel, latest_version, load_snapshot

logger = logging.getLogger(__name__)


class ServingEngine:
    """Serves the model version LATEST names under ``settings.models_dir``.

    A background thread polls LATEST every ``settings.serving.reload_seconds`` and swaps in
    a newly published (or rolled back) version: the new model is loaded completely, then one
    reference is replaced, so requests never fail or mix versions.
    """

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.models = ModelStore(settings.models_dir)
        self._served: ServedModel | None = None
        self._swap_lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._forgotten: set[str] = set()
        self._forget_lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------

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
            self._watcher.join(timeout=10)
            self._watcher = None

    def _watch(self) -> None:
        while not self._stop.wait(self.settings.serving.reload_seconds):
            try:
                self.reload()
            except Exception:
                logger.exception("reloading the published model failed; keeping the current one")

    # -- what is served --------------------------------------------------------------

    @property
    def served(self) -> ServedModel | None:
        """The current snapshot (one atomic read); None before a model is published."""
        return self._served

    @property
    def ready(self) -> bool:
        return self._served is not None

    @property
    def version(self) -> str | None:
        served = self._served
        return served.version if served else None

    @property
    def model_name(self) -> str | None:
        served = self._served
        return served.name if served else None

    def reload(self) -> bool:
        """Swap in the version LATEST names if it differs from the served one; True when
        a new version is now served."""
        with self._swap_lock:
            wanted = latest_version(self.settings.models_dir)
            if wanted is None or wanted == self.version:
                return False
            snapshot = load_snapshot(self.settings.models_dir, wanted)
            if snapshot is None:
                return False
            self._install(snapshot)
            return True

    def use_version(self, version: str) -> None:
        """Serve ``version`` now and make it LATEST (rollback); ValueError if unknown."""
        with self._swap_lock:
            snapshot = load_snapshot(self.settings.models_dir, version)
            if snapshot is None:
                raise ValueError(f"unknown model version {version!r}")
            self.models.set_latest(version)
            self._install(snapshot)

    def _install(self, snapshot: ServedModel) -> None:
        previous = self.version
        self._served = snapshot
        logger.info(
            "serving %s %s (was %s)", snapshot.name, snapshot.version, previous or "nothing"
        )

    # -- hooks called by the API after a durable write ------------------------------

    def events_ingested(self, user_ids: Sequence[str]) -> None:
        """New events of these users are stored: their next recommendations must see them."""

    def items_changed(self, item_ids: Sequence[str]) -> None:
        """These items were created, updated or deleted."""

    def forget_user(self, user_id: str) -> None:
        """The user was erased: from now on the served model treats them as unknown."""
        with self._forget_lock:
            self._forgotten.add(str(user_id))

    def is_forgotten(self, user_id: str) -> bool:
        return str(user_id) in self._forgotten
