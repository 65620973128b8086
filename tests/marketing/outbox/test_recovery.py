"""A worker that dies at each point of a send, then another worker: what the SMTP server
holds. The death is simulated inside the process (an exception that nothing in the channel
catches, where the real one is SIGKILL: ``test_kill.py``), so each point is hit exactly."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from tests.marketing.outbox.helpers import NOW, add_people, message, open_settings, row, statuses
from tests.marketing.smtp_server import SmtpServer

from recmind.config import Settings
from recmind.data.store import Store
from recmind.marketing.channels.email_smtp import EmailSession
from recmind.marketing.outbox.delivery import deliver_due
from recmind.marketing.outbox.handoff import Handoffs, Handover
from recmind.marketing.outbox.recovery import HANDED_OVER_NOTE, recover_expired
from recmind.marketing.outbox.store import claim_due, enqueue

CLAIM = 60.0


class Died(BaseException):
    """The worker's death at a chosen point."""


def _claimed(store: Store, settings: Settings, people: Sequence[str]) -> list[dict[str, object]]:
    add_people(store, people)
    enqueue(store, [message(u) for u in people], now=NOW)
    return claim_due(store, worker_id="doomed", now=NOW, limit=100, claim_seconds=CLAIM)


def _handoffs(store: Store) -> Handoffs:
    return Handoffs(store, worker_id="doomed", claim_seconds=CLAIM, clock=lambda: NOW + 1)


def test_death_before_the_handoff_the_message_is_sent_once_later(
    store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    settings = open_settings(tmp_path, smtp=smtp_server.settings())
    rows = _claimed(store, settings, ["u1", "u2"])

    def die(ids: Sequence[str]) -> Handover:
        raise Died

    session = EmailSession(settings)
    with pytest.raises(Died):
        list(session.deliver(rows, die, now=NOW))
    session.close()
    assert smtp_server.count_by_key() == {}  # the bodies went, the dots did not
    assert set(statuses(store).values()) == {"sending"}
    later = NOW + CLAIM + 1
    assert deliver_due(store, settings, worker_id="next", now=later, limit=10) == 2
    assert sorted(smtp_server.count_by_key().values()) == [1, 1]
    assert all(row(store, str(r["message_id"]))["attempts"] == 1 for r in rows)


def test_death_after_the_dots_the_message_is_recovered_as_sent_not_resent(
    store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    settings = open_settings(tmp_path, smtp=smtp_server.settings())
    rows = _claimed(store, settings, ["u1", "u2"])
    handoffs = _handoffs(store)
    session = EmailSession(settings)
    outcomes = list(session.deliver(rows, handoffs, now=NOW))  # then dies: nothing recorded
    handoffs.close()
    session.close()
    assert [o.kind for o in outcomes] == ["sent", "sent"]
    assert set(statuses(store).values()) == {"handoff"}
    assert recover_expired(store, now=NOW + 30, max_attempts=8).handed_over == 0  # claim holds
    assert (
        deliver_due(
            store,
            open_settings(tmp_path, smtp=smtp_server.settings()),
            worker_id="next",
            now=NOW + CLAIM + 2,
            limit=10,
        )
        == 0
    )
    for r in rows:
        recovered = row(store, str(r["message_id"]))
        assert recovered["status"] == "sent" and recovered["last_error"] == HANDED_OVER_NOTE
        assert recovered["sent_at"] == NOW + 1
    assert sorted(smtp_server.count_by_key().values()) == [1, 1]


def test_death_between_the_commit_and_the_dot_loses_the_round_never_duplicates(
    store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    """The documented window (docs/outbox.md): the hand-off is committed, the dots have not
    left. Recovery cannot tell this from a death just after the dots, and resending could
    duplicate: the messages count as sent, and the server never had them."""
    settings = open_settings(tmp_path, smtp=smtp_server.settings())
    rows = _claimed(store, settings, ["u1", "u2"])
    handoffs = _handoffs(store)

    class CommitThenDie:
        def __init__(self, handover: Handover) -> None:
            self.handover = handover
            self.owned = handover.owned

        def commit(self) -> None:
            self.handover.commit()
            raise Died

        def abort(self) -> None:
            self.handover.abort()

    session = EmailSession(settings)
    with pytest.raises(Died):
        list(session.deliver(rows, lambda ids: CommitThenDie(handoffs(ids)), now=NOW))
    handoffs.close()
    session.close()
    deliver_due(store, settings, worker_id="next", now=NOW + CLAIM + 2, limit=10)
    assert set(statuses(store).values()) == {"sent"}
    assert smtp_server.count_by_key() == {}


def test_a_message_that_kills_every_worker_is_given_up_and_only_it(
    store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    """Three workers claim two messages, start on the first and die: the first is dead
    after its three attempts; the second, claimed three times but never started on, is
    not charged and is delivered."""
    settings = open_settings(tmp_path, smtp=smtp_server.settings(), max_attempts=3)
    add_people(store, ["poison", "innocent"])
    poison, innocent = message("poison"), message("innocent")
    enqueue(store, [poison], now=NOW - 1)
    enqueue(store, [innocent], now=NOW)
    moment = NOW
    for n in range(3):
        worker = f"doomed{n}"
        claimed = claim_due(store, worker_id=worker, now=moment, limit=2, claim_seconds=CLAIM)
        assert len(claimed) == 2
        handoffs = Handoffs(store, worker_id=worker, claim_seconds=CLAIM, clock=time.time)
        handoffs.attempting([poison.message_id])
        handoffs.close()
        moment += CLAIM + 1
    assert row(store, poison.message_id)["attempts"] == 3
    assert row(store, innocent.message_id)["attempts"] == 0
    assert deliver_due(store, settings, worker_id="next", now=moment, limit=10) == 1
    dead = row(store, poison.message_id)
    assert dead["status"] == "dead" and "each of its 3 attempts" in dead["last_error"]
    assert smtp_server.count_by_key() == {innocent.idempotency_key: 1}
