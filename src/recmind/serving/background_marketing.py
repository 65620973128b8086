"""The marketing worker inside ``recmind serve`` (``marketing.serve_worker``): one process
for a shop on a laptop.

The same :class:`~recmind.serving.marketing_worker.MarketingWorker` as ``recmind worker``,
run on a thread of the service with the service's own serving engine behind the messages'
recommendations (no second copy of the model in memory). Separate ``recmind worker``
processes may run beside it: claims in the store keep every step and message single.
"""

from __future__ import annotations

import logging
import threading

from recmind.config import Settings
from recmind.data.store import Store
from recmind.marketing.content.compose import OutboxComposer
from recmind.serving.engine import ServingEngine
from recmind.serving.marketing_worker import MarketingWorker, default_worker_id
from recmind.serving.message_recommender import served_recommender

logger = logging.getLogger(__name__)


class BackgroundMarketing:
    """Runs a :class:`MarketingWorker` on a daemon thread until :meth:`stop`."""

    def __init__(self, store: Store, settings: Settings, engine: ServingEngine) -> None:
        recommender = served_recommender(engine)
        composer = OutboxComposer(store, settings, recommender)
        self.worker = MarketingWorker(
            store, settings, composer, worker_id=f"serve-{default_worker_id()}"
        )
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Apply the journey files (a bad one is logged and the worker does not start:
        the API still serves), then run rounds on a thread."""
        try:
            self.worker.apply_journey_files()
        except Exception:
            logger.exception("journey files not applied: the marketing worker is not started")
            return
        self._thread = threading.Thread(
            target=self.worker.run, name="recmind-marketing", daemon=True
        )
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the current step or message, give the claims back, and wait."""
        self.worker.stop()
        if self._thread is not None:
            self._thread.join(timeout)
