"""Keeps what the service knows of its customers current while it runs.

Every ``customers.refresh_seconds`` a background thread brings the customer features up to
the clock from the event stream (:func:`recmind.customers.refresh.refresh_features`: only
people with new events, or with events leaving a window, are recomputed), then refreshes
every segment's membership at the same moment (people entering get a new stay, people
leaving get ``exited_at``: what journeys trigger on). Every ``customers.predict_seconds``
the lifetime-value models are refitted and the predictions rewritten before the segments
(the first pass always predicts), so segments on predicted value or churn risk see them; a
failed fit keeps the previous predictions. The first pass runs one period after
start. A pass that fails is logged and tried again at the next period; nothing is lost,
since each step writes in its own transaction and the next pass starts from what is stored.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from recmind.config import Settings
from recmind.customers.predictions import build_predictions
from recmind.customers.refresh import refresh_features
from recmind.data.store import Store
from recmind.marketing.segments.builtins import ensure_builtins
from recmind.marketing.segments.membership import refresh_all

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefreshPass:
    """What one pass did: the moment, customers recomputed, whether predictions were
    refitted, segments refreshed and people who entered or left one."""

    as_of: float
    customers_computed: int
    predicted: bool
    segments: int
    entered: int
    exited: int
    seconds: float


class CustomerRefresher:
    """The background thread of :mod:`recmind.serving.customer_refresh`."""

    def __init__(
        self, store: Store, settings: Settings, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.settings = settings.customers
        self.clock = clock
        self.last: RefreshPass | None = None
        self.last_error: str | None = None
        self._predicted_at: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Install the built-in segments in a store that has none yet (its first use), then
        start the thread (not when ``refresh_seconds`` is 0)."""
        ensure_builtins(self.store)
        if self.settings.refresh_seconds <= 0 or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="customer-refresh", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
            self._thread = None

    def _predictions_due(self) -> bool:
        every = self.settings.predict_seconds
        if every <= 0:
            return False
        return self._predicted_at is None or time.monotonic() - self._predicted_at >= every

    def run_once(self, *, predict: bool | None = None) -> RefreshPass:
        """One pass at the clock's moment (``predict`` None: when due)."""
        with self._lock:
            started = time.perf_counter()
            as_of = self.clock()
            features = refresh_features(self.store, as_of=as_of)
            predicted = self._predictions_due() if predict is None else predict
            if predicted:
                self._predicted_at = time.monotonic()
                try:
                    build_predictions(self.store, as_of, self.settings.horizon_days)
                except Exception as exc:  # the segments still refresh on the features
                    self.last_error = f"predictions: {type(exc).__name__}: {exc}"
                    logger.exception("lifetime-value predictions failed; kept the previous ones")
                    predicted = False
            results = refresh_all(self.store, as_of=as_of)
            done = RefreshPass(
                as_of=as_of,
                customers_computed=features.computed,
                predicted=predicted,
                segments=len(results),
                entered=sum(r.entered for r in results),
                exited=sum(r.exited for r in results),
                seconds=time.perf_counter() - started,
            )
            self.last = done
            return done

    def _loop(self) -> None:
        while not self._stop.wait(self.settings.refresh_seconds):
            try:
                done = self.run_once()
            except Exception as exc:  # logged, retried at the next period
                self.last_error = f"{type(exc).__name__}: {exc}"
                logger.exception("customer refresh failed; trying again next period")
                continue
            self.last_error = None
            logger.info(
                "customers refreshed",
                extra={
                    "customers_computed": done.customers_computed,
                    "predicted": done.predicted,
                    "segments": done.segments,
                    "entered": done.entered,
                    "exited": done.exited,
                    "seconds": round(done.seconds, 3),
                },
            )
