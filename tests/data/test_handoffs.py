"""The handoff queue on SQLite and PostgreSQL: enqueue, list open (oldest first), take
once, close, refusals naming the problem, export and erasure with the person."""

from __future__ import annotations

import pytest

from recmind.data.handoffs import (
    HandoffError,
    close,
    enqueue,
    get_handoff,
    list_handoffs,
    list_open,
    take,
)
from recmind.data.privacy import erase_rows, user_rows
from recmind.data.store import Store

SECRET = "a-test-secret"


def test_the_lifecycle_open_taken_closed(store: Store) -> None:
    first = enqueue(
        store, conversation_id="c-1", user_id="u1", reason="complaint", summary=" late ", now=10
    )
    second = enqueue(
        store, conversation_id="c-2", user_id=None, reason="asked_for_human", summary="hi", now=20
    )
    assert (first.status, first.summary, first.taken_by) == ("open", "late", None)
    assert [h.handoff_id for h in list_open(store)] == [first.handoff_id, second.handoff_id]

    taken = take(store, first.handoff_id, "agent-ann", now=30)
    assert (taken.status, taken.taken_by, taken.taken_at) == ("taken", "agent-ann", 30)
    assert [h.handoff_id for h in list_open(store)] == [second.handoff_id]
    with pytest.raises(HandoffError, match="is taken: it cannot be taken"):
        take(store, first.handoff_id, "agent-bob")
    assert get_handoff(store, first.handoff_id).taken_by == "agent-ann"  # type: ignore[union-attr]

    closed = close(store, first.handoff_id, now=40)
    assert (closed.status, closed.closed_at, closed.taken_by) == ("closed", 40, "agent-ann")
    with pytest.raises(HandoffError, match="is closed"):
        close(store, first.handoff_id)
    assert close(store, second.handoff_id).status == "closed"  # open straight to closed
    assert list_open(store) == []
    assert len(list_handoffs(store, status=None)) == 2
    assert [h.handoff_id for h in list_handoffs(store, status="closed", limit=1)] == [
        first.handoff_id
    ]


def test_refusals_name_the_problem(store: Store) -> None:
    with pytest.raises(HandoffError, match="unknown reason 'angry'"):
        enqueue(store, conversation_id="c", user_id=None, reason="angry", summary="s")
    with pytest.raises(HandoffError, match="no handoff 'nope'"):
        take(store, "nope", "agent")
    with pytest.raises(HandoffError, match="no handoff 'nope'"):
        close(store, "nope")
    with pytest.raises(HandoffError, match="unknown status"):
        list_handoffs(store, status="pending")
    queued = enqueue(store, conversation_id="c", user_id=None, reason="other", summary="s")
    with pytest.raises(HandoffError, match="who takes"):
        take(store, queued.handoff_id, "  ")


def test_exported_and_erased_with_the_person(store: Store) -> None:
    mine = enqueue(store, conversation_id="c-1", user_id="u1", reason="other", summary="mine")
    theirs = enqueue(store, conversation_id="c-2", user_id="u2", reason="other", summary="x")
    exported = user_rows(store, "u1")["handoffs"]
    assert [h["handoff_id"] for h in exported] == [mine.handoff_id]
    assert exported[0]["summary"] == "mine"
    erase_rows(store, "u1", SECRET)
    assert get_handoff(store, mine.handoff_id) is None
    assert get_handoff(store, theirs.handoff_id) is not None
    assert user_rows(store, "u1")["handoffs"] == []


def test_a_person_known_only_by_a_handoff_is_erased_with_a_tombstone(store: Store) -> None:
    enqueue(store, conversation_id="c", user_id="only-handoff", reason="other", summary="s")
    erased = erase_rows(store, "only-handoff", SECRET)
    assert erased.found and erased.handoffs == 1 and erased.erased_at is not None
    assert user_rows(store, "only-handoff")["handoffs"] == []
