"""Journeys' ``random_split`` steps that name an experiment: the worker's assigner sends each
person down the branch of their sticky variant and logs the exposure; held-out people go
down the control's branch and are logged as the holdout; unknown experiments fall back to
the step's own split; branches that do not match the variants are an error."""

from __future__ import annotations

from typing import Any

import pytest
from tests.marketing.experiments.shop import experiment
from tests.marketing.journeys.runtime_helpers import T0, RecordingComposer, event, journey, user

from recmind.config import Settings
from recmind.data.store import Store
from recmind.marketing.experiments.assignment import sticky_variant
from recmind.marketing.experiments.journeys import (
    BranchMismatchError,
    JourneyExperiments,
    branch_index,
)
from recmind.marketing.experiments.repository import (
    exposure_counts,
    get_experiment,
    start_experiment,
)
from recmind.marketing.journeys.definition import Branch
from recmind.marketing.journeys.steps import stable_branch
from recmind.marketing.journeys.triggers import scan_triggers
from recmind.marketing.policy.holdout import in_holdout
from recmind.serving.marketing_worker import MarketingWorker


def _split_journey(store: Store, branches: list[dict[str, Any]], name: str = "subjects") -> None:
    steps = [
        {"id": "ab", "type": "random_split", "experiment": name, "branches": branches},
        {"id": "a", "type": "send", "channel": "email", "template": "a", "next": "exit"},
        {"id": "b", "type": "send", "channel": "email", "template": "b"},
    ]
    journey(store, {"id": "s", "trigger": {"type": "event", "event": "signup"}, "steps": steps})


def _signups(store: Store, settings: Settings, people: list[str]) -> None:
    for name in people:
        user(store, name)
        event(store, name, "signup", T0 + 5, None)
    scan_triggers(store, settings, now=T0 + 6)


def test_branches_by_name_or_by_position(store: Store) -> None:
    found = experiment(store)
    named = [Branch(weight=1, next="b", name="short"), Branch(weight=1, next="a", name="control")]
    assert branch_index(found, "control", named) == 1
    unnamed = [Branch(weight=1, next="a"), Branch(weight=1, next="b")]
    assert branch_index(found, "short", unnamed) == 1
    with pytest.raises(BranchMismatchError, match="name them after the variants"):
        branch_index(found, "short", [*unnamed, Branch(weight=1, next="c")])
    with pytest.raises(BranchMismatchError):
        branch_index(found, "short", [Branch(weight=1, next="a", name="x"), *unnamed[1:]])


def test_the_worker_splits_by_the_experiment(store: Store, settings: Settings) -> None:
    settings.marketing.holdout_percent = 10.0
    found = experiment(store)
    _split_journey(
        store,
        [
            {"weight": 1, "next": "a", "name": "control"},
            {"weight": 1, "next": "b", "name": "short"},
        ],
    )
    people = [f"u{n}" for n in range(60)]
    _signups(store, settings, people)
    composer = RecordingComposer()
    worker = MarketingWorker(store, settings, composer, worker_id="w", clock=lambda: T0 + 7)
    worker.run_round()
    got = {r.user_id: r.template for r in composer.requests}
    assert set(got) == set(people)
    held = {p for p in people if in_holdout(p, settings)}
    assert held  # 10% of 60: some are held out
    for person in people:
        variant = "control" if person in held else sticky_variant(found, person).name
        assert got[person] == {"control": "a", "short": "b"}[variant], person
    counts = exposure_counts(store, "subjects")
    assert counts.get("holdout", 0) == len(held)
    assert counts["control"] + counts["short"] == len(people) - len(held)


def test_an_unknown_experiment_falls_back_to_the_step_s_split(
    store: Store, settings: Settings
) -> None:
    assigner = JourneyExperiments(store, settings, clock=lambda: T0)
    branches = [Branch(weight=1, next="a"), Branch(weight=3, next="b")]
    picks = [assigner("missing", f"u{n}", branches) for n in range(50)]
    assert picks == [stable_branch("missing", f"u{n}", branches) for n in range(50)]


def test_stops_and_starts_reach_journeys_after_the_refresh(
    store: Store, settings: Settings
) -> None:
    settings.marketing.holdout_percent = 0.0
    experiment(store, start=False)
    now = [T0]
    assigner = JourneyExperiments(store, settings, clock=lambda: now[0], refresh_seconds=60)
    branches = [
        Branch(weight=1, next="a", name="control"),
        Branch(weight=1, next="b", name="short"),
    ]
    people = [f"p{n}" for n in range(30)]
    assert all(assigner("subjects", p, branches) == 0 for p in people)  # a draft: control
    start_experiment(store, "subjects")
    now[0] += 30
    assert all(assigner("subjects", p, branches) == 0 for p in people)  # cached still
    now[0] += 31
    picks = [assigner("subjects", p, branches) for p in people]
    found = get_experiment(store, "subjects")
    assert picks == [found.names.index(sticky_variant(found, p).name) for p in people]
    assert sum(exposure_counts(store, "subjects").values()) == 30


def test_a_bandit_behind_a_journey(store: Store, settings: Settings) -> None:
    settings.marketing.holdout_percent = 0.0
    experiment(store, kind="bandit", metrics={"min_share": 0.2})
    assigner = JourneyExperiments(store, settings, clock=lambda: T0)
    branches = [
        Branch(weight=1, next="a", name="control"),
        Branch(weight=1, next="b", name="short"),
    ]
    picks = [assigner("subjects", f"u{n}", branches) for n in range(40)]
    assert set(picks) == {0, 1}
    assert picks == [assigner("subjects", f"u{n}", branches) for n in range(40)]  # once each
    assert sum(exposure_counts(store, "subjects").values()) == 40
