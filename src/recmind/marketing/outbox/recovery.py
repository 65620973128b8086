"""What a worker that died (``kill -9``, a crash, a lost machine) left in the outbox.

A worker's rows carry its claim (``claimed_by``, ``claimed_until``). Once the claim has
expired, nobody is working on them, and their status says how far the worker got:

- ``handoff``: the channel was given everything but its final commit, and the worker then
  either sent that commit (email: the final dot, after which the server keeps the message)
  or died in the instant between recording the hand-off and sending it. The server has the
  message whole or discarded it whole; resending could deliver it twice. The row is marked
  ``sent`` with :data:`HANDED_OVER_NOTE`, **never resent**: a duplicate is the one failure
  the outbox promises never to commit.
- ``sending``: the worker died before the hand-off, so the channel never received the final
  commit (an SMTP server discards a DATA whose connection drops before the dot). The row is
  claimed again by :func:`recmind.marketing.outbox.store.claim_due`; here only the rows
  whose every attempt ended that way are given up (``dead``), so a message that kills its
  worker cannot kill the next one forever.

This runs at the start of every :func:`recmind.marketing.outbox.delivery.deliver_due` pass,
so a restarted worker (or any other) cleans up before it claims new work.
"""

from __future__ import annotations

from dataclasses import dataclass

from recmind.data.store import Store
from recmind.marketing.outbox.store import DEAD, HANDOFF, SENDING, SENT, dialect_sql, writing

HANDED_OVER_NOTE = (
    "recovered: the worker stopped after handing the message over; counted as sent, not resent"
)


@dataclass(frozen=True)
class Recovered:
    """Rows recovery changed: ``handed_over`` (now sent) and ``exhausted`` (now dead)."""

    handed_over: int
    exhausted: int


def recover_expired(store: Store, *, now: float, max_attempts: int) -> Recovered:
    """Settle the rows of workers whose claim expired before ``now`` (see the module
    docstring); one short transaction, nothing to do in the common case."""
    handed_over = dialect_sql(
        store,
        f"UPDATE outbox SET status = '{SENT}', last_error = ?, attempts = attempts + 1, "
        "sent_at = COALESCE(sent_at, claimed_until), claimed_by = NULL, claimed_until = NULL "
        f"WHERE status = '{HANDOFF}' AND claimed_until < ?",
    )
    exhausted = dialect_sql(
        store,
        f"UPDATE outbox SET status = '{DEAD}', last_error = ?, claimed_by = NULL, "
        f"claimed_until = NULL WHERE status = '{SENDING}' AND claimed_until < ? "
        "AND attempts >= ?",
    )
    gave_up = f"the worker stopped during each of its {max_attempts} attempts"
    with writing(store) as cursor:
        cursor.execute(handed_over, (HANDED_OVER_NOTE, now))
        sent = max(0, int(cursor.rowcount))
        cursor.execute(exhausted, (gave_up, now, max_attempts))
        dead = max(0, int(cursor.rowcount))
    return Recovered(sent, dead)
