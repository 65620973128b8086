"""Stored journeys (SQLite and PostgreSQL): versions only when the definition changes, the
status kept across versions, any version read back, statistics from the enrolments, and a
folder applied all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import insert

from recmind.config import Settings
from recmind.data.schema import enrolments
from recmind.data.store import Store
from recmind.marketing.journeys.definition import WaitStep
from recmind.marketing.journeys.files import ApplyError, apply_files, shipped_examples
from recmind.marketing.journeys.repository import (
    JourneyNotFoundError,
    active_journeys,
    apply_journey,
    apply_with_outcome,
    get_journey,
    journey_stats,
    list_journeys,
    set_status,
    versions,
)
from recmind.marketing.journeys.validate import load_journey

CART = """
id: cart
name: Cart
trigger: {type: event, event: add_to_cart}
steps:
  - {id: pause, type: wait, duration: 1h}
  - {id: remind, type: send, channel: email, template: cart_abandonment}
"""


def test_apply_versions_only_changes_and_keeps_the_status(store: Store) -> None:
    journey, outcome = apply_with_outcome(store, load_journey(CART), now=100.0)
    assert (outcome, journey.version, journey.status) == ("created", 1, "active")
    assert journey.created_at == journey.updated_at == 100.0
    # the same journey written differently (seconds instead of 1h) is the same definition
    same = load_journey(CART.replace("duration: 1h", "duration: 3600"))
    journey, outcome = apply_with_outcome(store, same, now=200.0)
    assert (outcome, journey.version, journey.updated_at) == ("unchanged", 1, 100.0)

    set_status(store, "cart", "paused", now=250.0)
    changed = load_journey(CART.replace("duration: 1h", "duration: 2h"))
    journey, outcome = apply_with_outcome(store, changed, now=300.0)
    assert (outcome, journey.version, journey.status) == ("updated", 2, "paused")
    assert (journey.created_at, journey.updated_at) == (100.0, 300.0)

    first = get_journey(store, "cart", version=1)
    assert (first.version, first.latest_version) == (1, 2)
    pause = first.definition.steps[0]
    assert isinstance(pause, WaitStep) and pause.duration == 3600
    current = get_journey(store, "cart")
    pause = current.definition.steps[0]
    assert isinstance(pause, WaitStep) and pause.duration == 7200
    assert [v["version"] for v in versions(store, "cart")] == [1, 2]
    assert versions(store, "cart")[0]["definition"]["steps"][0]["duration"] == 3600
    with pytest.raises(JourneyNotFoundError, match="has no version 3"):
        get_journey(store, "cart", version=3)
    with pytest.raises(JourneyNotFoundError, match="no journey 'nope'"):
        get_journey(store, "nope")
    with pytest.raises(JourneyNotFoundError):
        versions(store, "nope")


def test_status_and_active_journeys(store: Store) -> None:
    apply_journey(store, load_journey(CART))
    apply_journey(store, load_journey(CART.replace("id: cart", "id: other")))
    assert [j.journey_id for j in active_journeys(store)] == ["cart", "other"]
    assert set_status(store, "other", "archived").status == "archived"
    assert [j.journey_id for j in active_journeys(store)] == ["cart"]
    assert set_status(store, "cart", "paused").status == "paused"
    assert active_journeys(store) == []
    assert [j.status for j in list_journeys(store)] == ["paused", "archived"]
    assert [j.journey_id for j in list_journeys(store, "archived")] == ["other"]
    set_status(store, "cart", "active")
    assert [j.journey_id for j in active_journeys(store)] == ["cart"]
    with pytest.raises(ValueError, match="one of active, paused, archived"):
        set_status(store, "cart", "stopped")
    with pytest.raises(JourneyNotFoundError):
        set_status(store, "nope", "paused")


def _enrol(store: Store, n: int, state: str, step: str | None, reason: str | None) -> None:
    rows = [
        {
            "enrolment_id": f"{state}-{step}-{reason}-{i}",
            "journey_id": "cart",
            "version": 1,
            "user_id": f"u{i}",
            "entry_key": f"{state}-{step}-{reason}-{i}",
            "state": state,
            "step_id": step,
            "due_at": 0.0 if state == "active" else None,
            "entered_at": 1.0,
            "ended_at": None if state == "active" else 2.0,
            "exit_reason": reason,
        }
        for i in range(n)
    ]
    with store.engine.begin() as connection:
        connection.execute(insert(enrolments), rows)


def test_stats_count_enrolments(store: Store) -> None:
    apply_journey(store, load_journey(CART))
    assert journey_stats(store, "cart").to_dict() == {
        "entered": 0,
        "active": 0,
        "completed": 0,
        "exited": 0,
        "exited_by_reason": {},
        "at_step": {},
    }
    _enrol(store, 3, "active", "pause", None)
    _enrol(store, 1, "active", "remind", None)
    _enrol(store, 4, "completed", None, None)
    _enrol(store, 2, "exited", None, "goal")
    _enrol(store, 1, "exited", None, "unsubscribed")
    _enrol(store, 1, "exited", None, "error: template broke")
    _enrol(store, 1, "exited", None, "error: SMTP said no")
    stats = journey_stats(store, "cart")
    assert (stats.entered, stats.active, stats.completed, stats.exited) == (13, 4, 4, 5)
    assert stats.exited_by_reason == {"goal": 2, "unsubscribed": 1, "error": 2}
    assert stats.at_step == {"pause": 3, "remind": 1}


def test_a_folder_is_applied_all_or_nothing(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "a.yaml").write_text(CART)
    (tmp_path / "b.yaml").write_text(CART.replace("id: cart", "id: b").replace("1h", "soon"))
    (tmp_path / "c.yaml").write_text(CART.replace("name: Cart", "name: Copy"))
    (tmp_path / "notes.txt").write_text("not a journey")
    paths = sorted(tmp_path.glob("*.yaml"))
    with pytest.raises(ApplyError) as caught:
        apply_files(paths, store, settings)
    texts = [str(e) for e in caught.value.errors]
    assert len(texts) == 2
    assert texts[0].startswith(f"{tmp_path / 'b.yaml'}: steps[0] (pause).duration: 'soon'")
    assert texts[1] == f"{tmp_path / 'c.yaml'}: id: journey id 'cart' is also the id in " + str(
        tmp_path / "a.yaml"
    )
    assert list_journeys(store) == []

    applied = apply_files(shipped_examples(), store, settings, now=10.0)
    assert {a.outcome for a in applied} == {"created"}
    again = apply_files(shipped_examples(), store, settings, now=20.0)
    assert {a.outcome for a in again} == {"unchanged"}
    assert len(active_journeys(store)) == len(applied) >= 9
