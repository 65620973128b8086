"""The scheduler's promises on a real store (SQLite and PostgreSQL): two workers at once
never take the same step; a worker that dies between its claim and its commit loses the
claim when it expires, the next worker redoes the step and the message is written once; a
clean shutdown gives its claims back at once."""

from __future__ import annotations

import threading

import pytest
from tests.marketing.journeys.runtime_helpers import (
    T0,
    RecordingComposer,
    enrolled,
    event,
    journey,
    user,
)

from recmind.config import Settings
from recmind.data.store import Store
from recmind.marketing.journeys.engine import advance_due
from recmind.marketing.journeys.scheduler import (
    claim_due,
    commit_state,
    release_claims,
    write_transaction,
)
from recmind.marketing.journeys.triggers import scan_triggers
from recmind.marketing.messages import MessageRequest

SEND = {
    "id": "welcome",
    "trigger": {"type": "event", "event": "signup"},
    "steps": [
        {"id": "hi", "type": "send", "channel": "email", "template": "welcome"},
        {"id": "again", "type": "send", "channel": "email", "template": "welcome_2"},
    ],
}


def _people(store: Store, settings: Settings, n: int) -> None:
    journey(store, SEND)
    for k in range(n):
        user(store, f"u{k}")
        event(store, f"u{k}", "signup", T0 + 5, None)
    assert scan_triggers(store, settings, now=T0 + 6) == n


def test_two_workers_never_take_the_same_step(store: Store, settings: Settings) -> None:
    _people(store, settings, 120)
    composer = RecordingComposer()
    errors: list[BaseException] = []

    def work(worker_id: str) -> None:
        try:
            while advance_due(store, settings, composer, worker_id=worker_id, now=T0 + 10, limit=7):
                pass
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert composer.calls == len(composer.requests) == 240  # no step composed twice
    assert {r["state"] for r in enrolled(store)} == {"completed"}


class Killed(BaseException):
    """The worker dies (``kill -9``): nothing after this point runs."""


class DyingComposer(RecordingComposer):
    """Writes the message, then the worker dies before the enrolment's state is written."""

    def __call__(self, request: MessageRequest, *, now: float) -> bool:
        super().__call__(request, now=now)
        raise Killed


def test_a_crash_after_the_send_redoes_the_step_once(store: Store, settings: Settings) -> None:
    _people(store, settings, 1)
    outbox = DyingComposer()
    with pytest.raises(Killed):
        advance_due(store, settings, outbox, worker_id="dead", now=T0 + 10, limit=10)
    assert enrolled(store)[0]["claimed_by"] == "dead"
    survivor = RecordingComposer()
    survivor.requests = outbox.requests  # the same outbox: the key is already there
    claim = settings.marketing.claim_seconds
    assert advance_due(store, settings, survivor, worker_id="w2", now=T0 + 11, limit=10) == 0
    later = T0 + 10 + claim + 1
    assert advance_due(store, settings, survivor, worker_id="w2", now=later, limit=10) == 1
    keys = [r.step_id for r in survivor.requests]
    assert keys == ["hi", "again"]  # "hi" was composed again but written once
    assert enrolled(store)[0]["state"] == "completed"


def test_a_stale_worker_cannot_commit(store: Store, settings: Settings) -> None:
    _people(store, settings, 1)
    claim = settings.marketing.claim_seconds
    (stale,) = claim_due(store, worker_id="slow", now=T0 + 10, limit=5, claim_seconds=claim)
    composer = RecordingComposer()
    later = T0 + 10 + claim + 1
    assert advance_due(store, settings, composer, worker_id="w2", now=later, limit=5) == 1
    with write_transaction(store) as connection:
        assert not commit_state(connection, stale, worker_id="slow", values={"due_at": 1.0})
    assert enrolled(store)[0]["state"] == "completed"


def test_clean_shutdown_releases_claims(store: Store, settings: Settings) -> None:
    _people(store, settings, 3)
    claim = settings.marketing.claim_seconds
    assert len(claim_due(store, worker_id="a", now=T0 + 10, limit=5, claim_seconds=claim)) == 3
    assert claim_due(store, worker_id="b", now=T0 + 10, limit=5, claim_seconds=claim) == []
    assert release_claims(store, worker_id="a") == 3
    composer = RecordingComposer()
    assert advance_due(store, settings, composer, worker_id="b", now=T0 + 10, limit=5) == 3


def test_stop_between_enrolments(store: Store, settings: Settings) -> None:
    _people(store, settings, 4)
    composer = RecordingComposer()
    asked = iter([False, True])
    done = advance_due(
        store,
        settings,
        composer,
        worker_id="a",
        now=T0 + 10,
        limit=4,
        should_stop=lambda: next(asked, True),
    )
    assert done == 1
    release_claims(store, worker_id="a")
    assert advance_due(store, settings, composer, worker_id="b", now=T0 + 10, limit=9) == 3
