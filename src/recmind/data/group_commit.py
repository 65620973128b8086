"""Group commit: event batches that arrive while others are being written are validated
together and share one transaction.

Every request still gets its own per-row verdict and is answered only after the
transaction holding its rows has committed, but the fixed costs (building and validating a
frame, the statements, the fsync of a commit, index pages dirtied) are paid once per group
instead of once per request. Two stages overlap: while one group is being written (its
fsync leaves the CPU free), the next one is validated. Under concurrent load this
multiplies ingestion throughput; a lone request waits for nobody.

No extra thread: the first caller that finds no validation in progress validates every
pending batch (its own included) as one frame; the first caller that finds the store free
writes every group validated meanwhile in one transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from recmind.config import Settings
from recmind.data.event_writes import (
    EventsOutcome,
    PreparedEvents,
    prepare_events,
    write_prepared,
)
from recmind.data.store import Store


@dataclass
class _Job:
    records: Sequence[Any]
    taken: bool = False
    done: bool = False
    outcome: EventsOutcome | None = None
    error: Exception | None = None


def split_outcome(outcome: EventsOutcome, sizes: Sequence[int]) -> list[EventsOutcome]:
    """The outcome of a concatenation of batches of ``sizes``, batch by batch."""
    first_row: dict[str, int] = {}
    for index, user in enumerate(outcome.row_users):
        if user is not None:
            first_row.setdefault(user, index)
    parts = []
    start = 0
    for size in sizes:
        end = start + size
        accepted = [i - start for i in outcome.accepted if start <= i < end]
        users = dict.fromkeys(outcome.row_users[start + i] for i in accepted)
        created = [u for u in outcome.created_user_ids if start <= first_row.get(u, -1) < end]
        parts.append(
            EventsOutcome(
                received=size,
                event_ids=outcome.event_ids[start:end],
                accepted=accepted,
                duplicates=[i - start for i in outcome.duplicates if start <= i < end],
                rejected=[
                    replace(r, index=r.index - start)
                    for r in outcome.rejected
                    if start <= r.index < end
                ],
                users_created=len(created),
                user_ids=[u for u in users if u is not None],
                row_users=outcome.row_users[start:end],
                created_user_ids=created,
            )
        )
        start = end
    return parts


class GroupCommitter:
    """Writes event batches of concurrent callers in shared transactions."""

    def __init__(self, store: Store, settings: Settings, max_group_events: int = 20_000) -> None:
        self.store = store
        self.settings = settings
        self.max_group_events = max_group_events
        self._cond = threading.Condition()
        self._pending: list[_Job] = []
        self._ready: list[tuple[list[_Job], PreparedEvents]] = []
        self._preparing = False
        self._writing = False

    def ingest(self, records: Sequence[Any]) -> EventsOutcome:
        """Validate and store one batch (blocking) with the verdicts
        :func:`recmind.data.event_writes.ingest_events` gives; a row repeating a row of an
        earlier batch of the same transaction is a duplicate, as if that batch had come
        first."""
        job = _Job(records)
        with self._cond:
            self._pending.append(job)
            while not job.taken and self._preparing:
                self._cond.wait()
            group = None
            if not job.taken:
                self._preparing = True
                group = self._take()
        if group is not None:
            self._prepare(group)
        while True:
            with self._cond:
                while not job.done and (self._writing or not self._ready):
                    self._cond.wait()
                if job.done:
                    break
                self._writing = True
                ready, self._ready = self._ready, []
            self._write(ready)
        if job.error is not None:
            raise job.error
        assert job.outcome is not None
        return job.outcome

    def _take(self) -> list[_Job]:
        group: list[_Job] = []
        total = 0
        while self._pending:
            size = len(self._pending[0].records)
            if group and total + size > self.max_group_events:
                break
            job = self._pending.pop(0)
            job.taken = True
            group.append(job)
            total += size
        return group

    def _prepare(self, group: list[_Job]) -> None:
        """Validate a group as one frame (while another group may be being written)."""
        records = [r for job in group for r in job.records]
        try:
            prepared = prepare_events(self.store, records, self.settings)
        except Exception as exc:
            with self._cond:
                self._finish(group, exc)
                self._preparing = False
                self._cond.notify_all()
            return
        with self._cond:
            self._ready.append((group, prepared))
            self._preparing = False
            self._cond.notify_all()

    def _write(self, ready: list[tuple[list[_Job], PreparedEvents]]) -> None:
        """Write every group validated meanwhile in one transaction (one commit, one fsync)."""
        error: Exception | None = None
        try:
            write_prepared(self.store, [prepared for _, prepared in ready])
        except Exception as exc:
            error = exc
        with self._cond:
            for group, prepared in ready:
                if error is None:
                    parts = split_outcome(prepared.outcome, [len(j.records) for j in group])
                    for job, part in zip(group, parts, strict=True):
                        job.outcome = part
                self._finish(group, error)
            self._writing = False
            self._cond.notify_all()

    @staticmethod
    def _finish(group: list[_Job], error: Exception | None) -> None:
        for job in group:
            job.error = error
            job.done = True
