"""Stored experiments: the format's checks, creation, starting, stopping with a winner."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError
from tests.marketing.experiments.shop import T0, experiment

from recmind.data.bundle import EVENT_TYPES
from recmind.data.store import Store
from recmind.marketing.experiments.definition import EventType, ExperimentDefinition
from recmind.marketing.experiments.repository import (
    ExperimentExistsError,
    ExperimentNotFoundError,
    ExperimentStateError,
    exposure_counts,
    get_experiment,
    list_experiments,
    start_experiment,
    stop_experiment,
)


def _definition(**data: object) -> ExperimentDefinition:
    base: dict[str, object] = {"name": "x", "variants": [{"name": "a"}, {"name": "b"}]}
    return ExperimentDefinition.model_validate(base | data)


def test_the_format_refuses_what_cannot_be_read_out() -> None:
    assert set(get_args(EventType)) == set(EVENT_TYPES)
    with pytest.raises(ValidationError, match="unique"):
        _definition(variants=[{"name": "a"}, {"name": "a"}])
    with pytest.raises(ValidationError, match="reserved"):
        _definition(variants=[{"name": "a"}, {"name": "holdout"}])
    with pytest.raises(ValidationError, match="at most one"):
        _definition(variants=[{"name": "a", "control": True}, {"name": "b", "control": True}])
    with pytest.raises(ValidationError, match="min_share"):
        _definition(
            kind="bandit", metrics={"min_share": 0.4}, variants=[{"name": n} for n in "abc"]
        )
    with pytest.raises(ValidationError, match="at least 2"):
        _definition(variants=[{"name": "a"}])
    with pytest.raises(ValidationError, match="greater than 0"):
        _definition(variants=[{"name": "a", "weight": 0}, {"name": "b"}])
    with pytest.raises(ValidationError, match="Extra inputs"):
        _definition(colour="red")
    first = _definition().normalised_variants()
    assert [v.control for v in first] == [True, False]
    marked = _definition(variants=[{"name": "a"}, {"name": "b", "control": True}])
    assert [v.control for v in marked.normalised_variants()] == [False, True]


def test_create_start_stop(store: Store) -> None:
    draft = experiment(store, start=False, variants=[{"name": "a"}, {"name": "b", "weight": 3}])
    assert draft.status == "draft" and draft.started_at is None
    assert draft.control.name == "a" and draft.salt == "subjects"
    assert draft.resting_variant == "a"
    running = start_experiment(store, "subjects", now=T0 + 1)
    assert (running.status, running.started_at) == ("running", T0 + 1)
    with pytest.raises(ExperimentStateError, match="is running"):
        start_experiment(store, "subjects")
    with pytest.raises(ValueError, match="no variant 'c'"):
        stop_experiment(store, "subjects", winner="c")
    stopped = stop_experiment(store, "subjects", winner="b", now=T0 + 2)
    assert (stopped.status, stopped.winner, stopped.stopped_at) == ("stopped", "b", T0 + 2)
    assert stopped.resting_variant == "b"
    with pytest.raises(ExperimentStateError, match="only when running"):
        stop_experiment(store, "subjects")
    assert get_experiment(store, "subjects") == stopped
    assert exposure_counts(store, "subjects") == {}


def test_ids_names_and_listing(store: Store) -> None:
    experiment(store)
    with pytest.raises(ExperimentExistsError):
        experiment(store)
    other = experiment(store, experiment_id=None, name="Spring Copy!", salt="s1", start=False)
    assert other.experiment_id.startswith("spring-copy-") and other.salt == "s1"
    assert {e.experiment_id for e in list_experiments(store)} == {"subjects", other.experiment_id}
    assert [e.experiment_id for e in list_experiments(store, "draft")] == [other.experiment_id]
    with pytest.raises(ExperimentNotFoundError, match="no experiment 'nope'"):
        get_experiment(store, "nope")
    stored = get_experiment(store, "subjects").to_dict()
    assert stored["metrics"]["window_days"] == 7.0 and stored["variants"][0]["control"]
