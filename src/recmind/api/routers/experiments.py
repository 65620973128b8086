"""Experiments: ``/v1/experiments`` (``marketing`` scope).

Create (a draft, or running with ``start``), list, read, start, stop (with the variant
everyone gets from then on), ask for a person's variant (logged while it runs: the way a
shop's own pages or apps take part), and read out: the JSON readout and its picture. A
readout blocked by a sample-ratio mismatch is still a 200 whose ``blocked`` is true: the
counts are the answer, and there is nothing to retry.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Response

from recmind.api.deps import SettingsDep, StoreDep, require_scope
from recmind.api.errors import UnprocessableError
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut, FieldProblem, Responses
from recmind.api.schemas_experiments import (
    AssignIn,
    AssignmentOut,
    ExperimentIn,
    ExperimentList,
    ExperimentOut,
    ReadoutOut,
    StopIn,
)
from recmind.data.store import Store
from recmind.marketing.experiments.assignment import assign
from recmind.marketing.experiments.definition import ID_PATTERN
from recmind.marketing.experiments.plot import readout_plot
from recmind.marketing.experiments.readout import Readout, compute_readout
from recmind.marketing.experiments.repository import (
    STATUSES,
    Experiment,
    ExperimentExistsError,
    ExperimentNotFoundError,
    ExperimentStateError,
    create_experiment,
    exposure_counts,
    get_experiment,
    list_experiments,
    start_experiment,
    stop_experiment,
)

router = APIRouter(
    tags=["experiments"],
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_scope("marketing"))],
)
ExperimentId = Annotated[str, Path(pattern=ID_PATTERN, description="The experiment's id.")]
Moment = Annotated[
    float | None,
    Query(ge=0, le=1e11, description="Read out as of this moment (epoch seconds; default now)."),
]
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "No such experiment."}}
CONFLICT: Responses = {
    409: {"model": ErrorOut, "description": "Not allowed in the experiment's state."}
}
INVALID: Responses = {422: {"model": ErrorOut, "description": "The field that is wrong."}}


def _out(store: Store, experiment: Experiment) -> dict[str, Any]:
    return experiment.to_dict() | {"exposures": exposure_counts(store, experiment.experiment_id)}


def _get(store: Store, experiment_id: str) -> Experiment:
    try:
        return get_experiment(store, experiment_id)
    except ExperimentNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/v1/experiments", response_model=ExperimentList, summary="Every experiment")
def get_experiments(
    store: StoreDep,
    status: Annotated[str | None, Query(description=f"One of {', '.join(STATUSES)}.")] = None,
) -> dict[str, Any]:
    if status is not None and status not in STATUSES:
        problem = FieldProblem(
            loc=["query", "status"], msg=f"one of {', '.join(STATUSES)}", type="enum", input=status
        )
        raise UnprocessableError([problem])
    return {"experiments": [_out(store, e) for e in list_experiments(store, status)]}


@router.post(
    "/v1/experiments",
    response_model=ExperimentOut,
    status_code=201,
    summary="Create an experiment (a draft, or running with start)",
    responses=INVALID | {409: {"model": ErrorOut, "description": "The id is taken."}},
)
def post_experiment(store: StoreDep, body: ExperimentIn) -> dict[str, Any]:
    try:
        created = create_experiment(store, body.definition(), start=body.start)
    except ExperimentExistsError as exc:
        raise HTTPException(409, str(exc)) from exc
    return _out(store, created)


@router.get(
    "/v1/experiments/{experiment_id}",
    response_model=ExperimentOut,
    summary="One experiment, with its exposures per variant",
    responses=NOT_FOUND,
)
def get_one(store: StoreDep, experiment_id: ExperimentId) -> dict[str, Any]:
    return _out(store, _get(store, experiment_id))


@router.post(
    "/v1/experiments/{experiment_id}/start",
    response_model=ExperimentOut,
    summary="Start assigning people (a draft only)",
    responses=NOT_FOUND | CONFLICT,
)
def post_start(store: StoreDep, experiment_id: ExperimentId) -> dict[str, Any]:
    _get(store, experiment_id)
    try:
        return _out(store, start_experiment(store, experiment_id))
    except ExperimentStateError as exc:
        raise HTTPException(409, str(exc)) from exc


@router.post(
    "/v1/experiments/{experiment_id}/stop",
    response_model=ExperimentOut,
    summary="Stop assigning; everyone gets the winner (default: the control)",
    responses=NOT_FOUND | CONFLICT | INVALID,
)
def post_stop(
    store: StoreDep,
    experiment_id: ExperimentId,
    body: Annotated[StopIn | None, Body()] = None,
) -> dict[str, Any]:
    experiment = _get(store, experiment_id)
    winner = None if body is None else body.winner
    if winner is not None and winner not in experiment.names:
        problem = FieldProblem(
            loc=["body", "winner"],
            msg=f"no variant {winner!r} (variants: {', '.join(experiment.names)})",
            type="unknown_reference",
            input=winner,
        )
        raise UnprocessableError([problem])
    try:
        return _out(store, stop_experiment(store, experiment_id, winner=winner))
    except ExperimentStateError as exc:
        raise HTTPException(409, str(exc)) from exc


@router.post(
    "/v1/experiments/{experiment_id}/assign",
    response_model=AssignmentOut,
    summary="A person's variant (logged as an exposure while the experiment runs)",
    responses=NOT_FOUND | INVALID,
)
def post_assign(
    store: StoreDep, settings: SettingsDep, experiment_id: ExperimentId, body: AssignIn
) -> dict[str, Any]:
    experiment = _get(store, experiment_id)
    result = assign(
        store,
        settings,
        experiment,
        body.user_id,
        now=time.time(),
        key=body.key,
        context=body.context,
    )
    return result.to_dict()


def _readout(store: Store, experiment_id: str, at: float | None) -> Readout:
    return compute_readout(store, _get(store, experiment_id), now=at)


@router.get(
    "/v1/experiments/{experiment_id}/readout",
    response_model=ReadoutOut,
    summary="The readout: arms, sample-ratio check, frequentist and Bayesian tests",
    responses=NOT_FOUND,
)
def get_readout(store: StoreDep, experiment_id: ExperimentId, at: Moment = None) -> dict[str, Any]:
    return _readout(store, experiment_id, at).to_dict()


@router.get(
    "/v1/experiments/{experiment_id}/readout.png",
    summary="The readout's picture (PNG)",
    response_class=Response,
    responses=NOT_FOUND | {200: {"content": {"image/png": {}}}},
)
def get_readout_plot(store: StoreDep, experiment_id: ExperimentId, at: Moment = None) -> Response:
    readout = _readout(store, experiment_id, at)
    with tempfile.TemporaryDirectory(prefix="recmind-readout-") as folder:
        path = readout_plot(readout, FilePath(folder) / "readout.png")
        return Response(path.read_bytes(), media_type="image/png")
