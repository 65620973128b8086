"""``recmind worker``: the loop that makes marketing run by itself.

Each round, with the clock read afresh for each part:

1. journey triggers are scanned (:func:`~recmind.marketing.journeys.triggers.scan_triggers`);
2. waiting people whose awaited event, goal or unsubscription arrived are woken
   (:func:`~recmind.marketing.journeys.engine.wake_waiting`);
3. due journey steps are taken, a batch at a time, until none is due
   (:func:`~recmind.marketing.journeys.engine.advance_due`; a ``random_split`` that names
   an experiment asks :class:`~recmind.marketing.experiments.journeys.JourneyExperiments`);
4. due campaigns run (:func:`~recmind.marketing.campaigns.runner.run_due_campaigns`);
5. due outbox messages are delivered, a batch at a time
   (:func:`~recmind.marketing.outbox.delivery.deliver_due`).

A round that found nothing to do sleeps ``worker_poll_seconds``. Every part keeps its state
in the store, so any number of workers can run side by side and a restart resumes where the
last one stopped (the claims of a worker that died expire after ``claim_seconds``). A part
that fails is logged and retried next round; the others go on.

Stopping (SIGTERM, SIGINT or :meth:`MarketingWorker.stop`) lets the current enrolment or
message finish, then gives the enrolments this worker still holds back at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from recmind.config import Settings
from recmind.data.store import Store
from recmind.marketing.campaigns.runner import run_due_campaigns
from recmind.marketing.experiments.journeys import JourneyExperiments
from recmind.marketing.journeys.engine import advance_due, wake_waiting
from recmind.marketing.journeys.files import apply_files, journey_files
from recmind.marketing.journeys.scheduler import release_claims
from recmind.marketing.journeys.triggers import scan_triggers
from recmind.marketing.messages import MessageComposer
from recmind.marketing.outbox.delivery import deliver_due

logger = logging.getLogger(__name__)

MAX_BATCHES = 1000
"""Batches of steps (or of messages) one round takes at most before the next part runs."""


def default_worker_id() -> str:
    """``host-pid``: unique among the workers sharing a store (at most 64 characters)."""
    return f"{socket.gethostname()}-{os.getpid()}"[-64:]


@dataclass
class Round:
    """What one round did."""

    entered: int = 0
    woken: int = 0
    advanced: int = 0
    campaign_messages: int = 0
    delivered: int = 0
    failures: int = 0

    @property
    def busy(self) -> bool:
        return bool(self.entered or self.advanced or self.campaign_messages or self.delivered)


class MarketingWorker:
    """Runs rounds until stopped (or once). ``clock`` is the time source (tests move it)."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        composer: MessageComposer,
        *,
        worker_id: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.settings = settings
        self.composer = composer
        self.worker_id = (worker_id or default_worker_id())[:64]
        self.clock = clock
        self.experiments = JourneyExperiments(store, settings, clock=clock)
        self._stop = threading.Event()

    def stop(self) -> None:
        """Ask the loop to stop after the current enrolment or message."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def apply_journey_files(self) -> int:
        """Apply the journey files of ``marketing.journeys_dir`` (none: 0): all of them
        checked first, none applied if one fails (the error is raised)."""
        folder = self.settings.marketing.journeys_dir
        if folder is None:
            return 0
        applied = apply_files(journey_files(folder), self.store, self.settings, now=self.clock())
        for one in applied:
            logger.info("journey %s: %s", one.journey.journey_id, one.outcome)
        return len(applied)

    def _part(self, result: Round, name: str, work: Callable[[], int]) -> int:
        try:
            return work()
        except Exception:
            logger.exception("worker %s: %s failed", self.worker_id, name)
            result.failures += 1
            return 0

    def _batches(self, step: Callable[[], int]) -> int:
        """Repeat ``step`` (one batch) while it finds work and no stop was asked."""
        total = 0
        for _ in range(MAX_BATCHES):
            if self.stopping:
                break
            done = step()
            total += done
            if done == 0:
                break
        return total

    def run_round(self) -> Round:
        """One round of every part (see the module docstring)."""
        store, settings, worker = self.store, self.settings, self.worker_id
        limit = settings.marketing.batch_size
        result = Round()
        result.entered = self._part(
            result, "triggers", lambda: scan_triggers(store, settings, now=self.clock())
        )
        result.woken = self._part(result, "wake", lambda: wake_waiting(store, now=self.clock()))

        def advance() -> int:
            return advance_due(
                store,
                settings,
                self.composer,
                worker_id=worker,
                now=self.clock(),
                limit=limit,
                assigner=self.experiments,
                should_stop=lambda: self.stopping,
            )

        result.advanced = self._part(result, "journeys", lambda: self._batches(advance))
        if not self.stopping:
            result.campaign_messages = self._part(
                result,
                "campaigns",
                lambda: run_due_campaigns(
                    store, settings, self.composer, worker_id=worker, now=self.clock()
                ),
            )

        def deliver() -> int:
            return deliver_due(store, settings, worker_id=worker, now=self.clock(), limit=limit)

        result.delivered = self._part(result, "delivery", lambda: self._batches(deliver))
        if result.busy or result.failures:
            logger.info("worker %s round: %s", worker, asdict(result))
        return result

    def run(self, *, once: bool = False) -> Round:
        """Run rounds until :meth:`stop` (or one round with ``once``); returns the totals.
        Claims still held when it stops are given back."""
        total = Round()
        logger.info("worker %s started", self.worker_id)
        try:
            while not self.stopping:
                done = self.run_round()
                for name, value in asdict(done).items():
                    setattr(total, name, getattr(total, name) + value)
                if once:
                    break
                if not done.busy:
                    self._stop.wait(self.settings.marketing.worker_poll_seconds)
        finally:
            released = release_claims(self.store, worker_id=self.worker_id)
            logger.info("worker %s stopped (%d claims given back)", self.worker_id, released)
        return total
