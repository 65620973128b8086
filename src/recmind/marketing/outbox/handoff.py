"""The hand-off: recording that a channel now holds a message, all but its final commit.

A channel with a last step it can withhold (SMTP's final dot) hands a round of messages off
like this (:mod:`recmind.marketing.channels.email_smtp`)::

    handover = handoff(ids)   # UPDATE ... SET status = 'handoff' ... RETURNING
    ...                       # keep the ids in handover.owned, drop the others unfinished
    handover.commit()         # durable against the worker's death from here on
    send the final dots       # nothing else in between

    handover.confirm()        # PostgreSQL: the answer to the COMMIT, read after the dots

(On SQLite the update runs inside ``BEGIN IMMEDIATE`` and ``commit()`` commits. On
PostgreSQL the connection is in pipeline mode: ``BEGIN`` and the update go out together,
``commit()`` sends ``COMMIT`` without waiting for its answer, and ``confirm()`` reads it once
the dots have left. The server commits what it has received even if the worker dies right
after sending it, so the window below does not include the wait for the server's answer,
which on a busy machine is the wait for the worker to be scheduled again. Should the
``COMMIT`` itself fail after the dots went out, ``confirm()`` marks the rows handed off
again.)

Only rows still ``sending`` under this worker's claim are handed off (``owned``); the others
were taken over by another worker after this one stalled past its claim, and the channel
abandons them before their final step.

**The window.** Between the moment the commit is durable (SQLite: the write-ahead log frame
is written; PostgreSQL: the server commits) and the moment the dots have left, a death of
the worker leaves ``handoff`` rows whose dots were never sent: recovery counts them as sent
(resending could duplicate the ones whose dot did leave), so such a message is lost. To keep
that window as short as the machine allows:

- the transaction runs on one connection kept for the whole pass (no pool checkout, no
  reset between the commit and the dots), and which rows are owned is known when the
  commit returns, so the channel has its list of sockets ready;
- the commit does not wait for the disk (SQLite ``synchronous=NORMAL`` on this connection,
  PostgreSQL ``synchronous_commit=off`` for this session): the worker's death does not
  undo a commit that has been written, only the machine's would, and then the row goes
  back to ``sending``, which is retried (a duplicate only if the machine died after the dot).

``docs/outbox.md`` measures the window against a round's duration.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from recmind.data.store import Store
from recmind.data.write_lock import write_lock
from recmind.marketing.outbox.store import HANDOFF, SENDING

logger = logging.getLogger(__name__)


class Handover:
    """One round's hand-off transaction (see the module docstring)."""

    def __init__(self, owner: Handoffs, owned: set[str]) -> None:
        self.owner = owner
        self.owned = owned
        self._open = True

    def commit(self) -> None:
        """Make the hand-off durable (the channel sends its final step right after, then
        calls :meth:`confirm`)."""
        if self._open:
            self._open = False
            self.owner.finish(commit=True)

    def confirm(self) -> None:
        """After the final steps went out: wait for the commit's answer (PostgreSQL)."""
        self.owner.confirm(self.owned)

    def abort(self) -> None:
        """Undo it: the rows go back to ``sending`` (the channel did not send their last
        step)."""
        if self._open:
            self._open = False
            self.owner.finish(commit=False, owned=self.owned)


class Handoffs:
    """A worker's hand-offs during one pass, over one connection (``handoff(ids)``)."""

    def __init__(
        self,
        store: Store,
        *,
        worker_id: str,
        claim_seconds: float,
        clock: Callable[[], float],
    ) -> None:
        self.store = store
        self.worker_id = worker_id
        self.claim_seconds = claim_seconds
        self.clock = clock
        self._connection: Any = None
        self._lock: AbstractContextManager[object] | None = None
        self._pipeline: Any = None
        self._cursor: Any = None

    def _connect(self) -> Any:  # a pooled DB-API connection
        """The pass's connection. PostgreSQL: autocommit, so a hand-off is one round trip
        (the ``UPDATE ... RETURNING`` commits before its answer comes back)."""
        if self._connection is None:
            connection: Any = self.store.engine.raw_connection()
            cursor = connection.cursor()
            if self.store.dialect == "sqlite":
                cursor.execute("PRAGMA synchronous=NORMAL")
            else:
                connection.driver_connection.autocommit = True
                cursor.execute("SET synchronous_commit TO off")
            cursor.close()
            self._connection = connection
        return self._connection

    def __call__(self, message_ids: Sequence[str]) -> Handover:
        """Begin the hand-off of ``message_ids``; returns the open :class:`Handover`."""
        if not message_ids:
            return Handover(self, set())
        lock = write_lock(self.store)
        lock.__enter__()
        self._lock = lock
        try:
            connection = self._connect()
            now = self.clock()
            postgres = self.store.dialect == "postgresql"
            ids: tuple[Any, ...]
            if postgres:
                # Pipeline mode: BEGIN and the update go out together (one round trip), and
                # the COMMIT of finish() leaves without waiting for its answer.
                driver = connection.driver_connection
                self._pipeline = driver.pipeline()
                self._pipeline.__enter__()
                cursor = self._cursor = driver.cursor()
                cursor.execute("BEGIN")
                where, ids, marks = "= ANY(%s)", (list(message_ids),), "%s"
            else:
                cursor = connection.cursor()
                cursor.execute("BEGIN IMMEDIATE")
                where, ids = f"IN ({', '.join('?' * len(message_ids))})", tuple(message_ids)
                marks = "?"
            cursor.execute(
                f"UPDATE outbox SET status = '{HANDOFF}', sent_at = {marks}, "
                f"claimed_until = {marks} WHERE message_id {where} "
                f"AND status = '{SENDING}' AND claimed_by = {marks} RETURNING message_id",
                (now, now + self.claim_seconds, *ids, self.worker_id),
            )
            owned = {str(r[0]) for r in cursor.fetchall()}
            if not postgres:
                cursor.close()
        except BaseException:
            self.finish(commit=False)
            raise
        return Handover(self, owned)

    def attempting(self, message_ids: Sequence[str]) -> None:
        """Count one attempt for each of ``message_ids`` (taken over from a dead worker)
        before the channel starts on them again, committed at once without waiting for the
        disk: a message that kills every worker that tries it is given up after
        ``max_attempts`` (recovery); the rest of a dead worker's batch, not started on
        again, is not charged."""
        if not message_ids:
            return
        postgres = self.store.dialect == "postgresql"
        mark = "%s" if postgres else "?"
        where = "= ANY(%s)" if postgres else f"IN ({', '.join('?' * len(message_ids))})"
        ids: tuple[Any, ...] = (list(message_ids),) if postgres else tuple(message_ids)
        with write_lock(self.store):
            connection = self._connect()
            cursor = connection.cursor()
            try:
                if not postgres:
                    cursor.execute("BEGIN IMMEDIATE")
                cursor.execute(
                    f"UPDATE outbox SET attempts = attempts + 1 WHERE message_id {where} "
                    f"AND status = '{SENDING}' AND claimed_by = {mark}",
                    (*ids, self.worker_id),
                )
                if not postgres:
                    connection.commit()
            except BaseException:
                if not postgres:
                    connection.rollback()
                raise
            finally:
                cursor.close()

    def finish(self, *, commit: bool, owned: set[str] | None = None) -> None:
        """Commit or undo the open hand-off and release the write lock. PostgreSQL: the
        ``COMMIT`` is sent and not waited for (:meth:`confirm` does), so the final steps
        follow it at once; an undo is a ``ROLLBACK``, waited for."""
        try:
            connection = self._connection
            if connection is not None and self.store.dialect == "sqlite":
                if commit:
                    connection.commit()
                else:
                    connection.rollback()
            elif self._cursor is not None:
                self._cursor.execute("COMMIT" if commit else "ROLLBACK")
                connection.driver_connection.pgconn.flush()
                if not commit:
                    self._end_pipeline()
        finally:
            lock, self._lock = self._lock, None
            if lock is not None:
                lock.__exit__(None, None, None)

    def _end_pipeline(self) -> None:
        pipeline, cursor, self._pipeline, self._cursor = self._pipeline, self._cursor, None, None
        try:
            if pipeline is not None:
                pipeline.__exit__(None, None, None)
        finally:
            if cursor is not None:
                cursor.close()

    def confirm(self, owned: set[str]) -> None:
        """Wait for the answer to the hand-off's ``COMMIT`` (PostgreSQL; nothing to wait
        for on SQLite). Had it failed after the final steps went out, the rows are marked
        handed off again, so they are never sent twice."""
        if self._pipeline is None:
            return
        try:
            self._end_pipeline()
        except Exception:
            logger.exception("the hand-off commit failed after the final steps went out")
            if owned:
                cursor = self._connection.cursor()
                cursor.execute(
                    f"UPDATE outbox SET status = '{HANDOFF}' WHERE message_id = ANY(%s) "
                    f"AND status = '{SENDING}' AND claimed_by = %s",
                    (sorted(owned), self.worker_id),
                )
                cursor.close()

    def close(self) -> None:
        """Restore the connection's durability setting and return it to the pool (a hand-off
        left open by a failure is finished first: a sent ``COMMIT`` is read, an unsent one
        never happens)."""
        if self._pipeline is not None:
            try:
                self._end_pipeline()
            except Exception:
                logger.exception("an unfinished hand-off failed")
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            cursor = connection.cursor()
            if self.store.dialect == "sqlite":
                cursor.execute("PRAGMA synchronous=FULL")
            else:
                cursor.execute("RESET synchronous_commit")
                connection.driver_connection.autocommit = False
            cursor.close()
        finally:
            connection.close()


def mark_handoff(
    store: Store,
    message_ids: Sequence[str],
    *,
    worker_id: str,
    now: float,
    claim_seconds: float,
) -> set[str]:
    """Hand ``message_ids`` off and commit at once; returns the ids that were still this
    worker's claim. ``sent_at`` is set here, so caps count a message from its hand-off."""
    handoffs = Handoffs(store, worker_id=worker_id, claim_seconds=claim_seconds, clock=lambda: now)
    try:
        handover = handoffs(message_ids)
        handover.commit()
        handover.confirm()
        return handover.owned
    finally:
        handoffs.close()
