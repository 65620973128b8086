"""Journeys: ``/v1/journeys`` (``marketing`` scope).

A journey is posted as JSON or as its YAML file (``Content-Type: application/yaml``);
applying is idempotent (the same definition again is no new version) and a changed one is
the next version, its status kept. A bad journey is a 422 with one problem per mistake:
``loc`` the path in the body (``["body", "steps", 2, "timeout"]``) and ``msg`` naming the
step id and the field in words.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from recmind.api.deps import SettingsDep, StoreDep, require_scope
from recmind.api.errors import UnprocessableError
from recmind.api.responses import json_response
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut, FieldProblem, Responses
from recmind.api.schemas_journeys import (
    JOURNEY_DOC,
    JOURNEY_EXAMPLE,
    JourneyApplied,
    JourneyChecked,
    JourneyDetail,
    JourneyList,
    JourneyOut,
    JourneyVersions,
)
from recmind.config import Settings
from recmind.data.store import Store
from recmind.marketing.content.templates import available_templates
from recmind.marketing.journeys.definition import JourneyDefinition
from recmind.marketing.journeys.json_schema import journey_json_schema
from recmind.marketing.journeys.problems import JourneyError, JourneyProblem
from recmind.marketing.journeys.repository import (
    Journey,
    JourneyNotFoundError,
    apply_with_outcome,
    dump,
    get_journey,
    journey_stats,
    list_journeys,
    set_status,
    versions,
)
from recmind.marketing.journeys.validate import (
    MAX_FILE_BYTES,
    check_against_store,
    journey_from_data,
    parse_text,
)
from recmind.marketing.segments.catalogue import stored_segments

router = APIRouter(
    tags=["journeys"],
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_scope("marketing"))],
)
JourneyId = Annotated[
    str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", description="The journey's id.")
]
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "No such journey or version."}}
INVALID: Responses = {
    422: {"model": ErrorOut, "description": "Every problem, each naming its step and field."},
    415: {"model": ErrorOut, "description": "Neither JSON nor YAML."},
}
BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": JOURNEY_DOC,
        "content": {
            "application/json": {
                "schema": {"type": "object", "additionalProperties": True},
                "example": JOURNEY_EXAMPLE,
            },
            "application/yaml": {"schema": {"type": "string"}},
        },
    }
}


def journey_problems(exc: JourneyError) -> UnprocessableError:
    """The 422 of a bad journey: ``loc`` its path in the body, ``msg`` the plain sentence
    (``steps[2] (remind).timeout: ...``)."""
    return UnprocessableError(
        [
            FieldProblem(loc=["body", *p.path], msg=str(p), type=p.kind, input=p.value)
            for p in exc.problems
        ]
    )


def _out(store: Store, journey: Journey) -> dict[str, Any]:
    return journey.to_dict() | {"stats": journey_stats(store, journey.journey_id).to_dict()}


def _get(store: Store, journey_id: str, version: int | None = None) -> Journey:
    try:
        return get_journey(store, journey_id, version)
    except JourneyNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc


def _check(body: bytes, kind: str, store: Store, settings: Settings) -> JourneyDefinition:
    """The posted journey, checked (shape, structure, the store), or the 422 naming each
    problem (run off the event loop: a large YAML file takes a while to read)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnprocessableError(
            [FieldProblem(loc=["body"], msg="the body is not UTF-8 text", type="encoding")]
        ) from exc
    try:
        if kind in YAML_TYPES:
            data = parse_text(text)
        else:
            try:
                data = orjson.loads(body)
            except orjson.JSONDecodeError as exc:
                message = f"not valid JSON: {exc}"
                raise JourneyError([JourneyProblem((), message, kind="syntax")]) from None
        definition = journey_from_data(data)
        check_against_store(definition, store, settings)
    except JourneyError as exc:
        raise journey_problems(exc) from exc
    return definition


async def _definition(request: Request, store: Store, settings: Settings) -> JourneyDefinition:
    body = await request.body()
    if len(body) > MAX_FILE_BYTES:
        raise HTTPException(413, f"a journey is at most {MAX_FILE_BYTES} bytes")
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if kind not in (*YAML_TYPES, "application/json", ""):
        raise HTTPException(
            415, f"send the journey as application/json or application/yaml, not {kind}"
        )
    return await run_in_threadpool(_check, body, kind, store, settings)


@router.get("/v1/journeys", response_model=JourneyList, summary="Every journey")
def get_journeys(store: StoreDep) -> dict[str, Any]:
    return {"journeys": [_out(store, j) for j in list_journeys(store)]}


@router.post(
    "/v1/journeys",
    response_model=JourneyApplied,
    status_code=201,
    summary="Apply a journey (JSON or YAML): created, a new version, or unchanged",
    description=JOURNEY_DOC + " 201 when created, 200 when updated or unchanged.",
    openapi_extra=BODY,
    responses=INVALID | {200: {"model": JourneyApplied, "description": "Updated or unchanged."}},
)
async def post_journey(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    definition = await _definition(request, store, settings)
    journey, outcome = await run_in_threadpool(apply_with_outcome, store, definition)
    body = await run_in_threadpool(_out, store, journey)
    return json_response(body | {"outcome": outcome}, 201 if outcome == "created" else 200)


@router.post(
    "/v1/journeys/validate",
    response_model=JourneyChecked,
    summary="Check a journey (JSON or YAML) without storing it",
    description=JOURNEY_DOC,
    openapi_extra=BODY,
    responses=INVALID,
)
async def post_validate(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    definition = await _definition(request, store, settings)
    return json_response(
        {
            "journey_id": definition.id,
            "name": definition.name,
            "steps": len(definition.steps),
            "definition": dump(definition),
        }
    )


@router.get(
    "/v1/journeys/schema",
    summary="The JSON Schema of journey files (for editors)",
    response_model=dict[str, Any],
)
def get_schema(
    store: StoreDep,
    settings: SettingsDep,
    choices: Annotated[
        bool, Query(description="List the store's segment ids and the template names.")
    ] = False,
) -> dict[str, Any]:
    if not choices:
        return journey_json_schema()
    return journey_json_schema(
        templates=available_templates(settings), segments=list(stored_segments(store))
    )


@router.get(
    "/v1/journeys/{journey_id}",
    response_model=JourneyDetail,
    summary="One journey (current or an earlier version) with its statistics",
    responses=NOT_FOUND,
)
def get_one(
    store: StoreDep,
    journey_id: JourneyId,
    version: Annotated[int | None, Query(ge=1, le=2**62, description="A version.")] = None,
) -> dict[str, Any]:
    journey = _get(store, journey_id, version)
    listed = [
        {"version": v["version"], "created_at": v["created_at"]}
        for v in versions(store, journey_id)
    ]
    return _out(store, journey) | {"versions": listed}


@router.get(
    "/v1/journeys/{journey_id}/versions",
    response_model=JourneyVersions,
    summary="Every version of a journey, oldest first",
    responses=NOT_FOUND,
)
def get_versions(store: StoreDep, journey_id: JourneyId) -> dict[str, Any]:
    try:
        return {"journey_id": journey_id, "versions": versions(store, journey_id)}
    except JourneyNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc


def _status(store: Store, journey_id: str, status: str) -> dict[str, Any]:
    try:
        return _out(store, set_status(store, journey_id, status))
    except JourneyNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.post(
    "/v1/journeys/{journey_id}/pause",
    response_model=JourneyOut,
    summary="Pause: no one enters, no step is taken; people in it wait where they are",
    responses=NOT_FOUND,
)
def post_pause(store: StoreDep, journey_id: JourneyId) -> dict[str, Any]:
    return _status(store, journey_id, "paused")


@router.post(
    "/v1/journeys/{journey_id}/resume",
    response_model=JourneyOut,
    summary="Make a paused or archived journey active again",
    responses=NOT_FOUND,
)
def post_resume(store: StoreDep, journey_id: JourneyId) -> dict[str, Any]:
    return _status(store, journey_id, "active")


@router.post(
    "/v1/journeys/{journey_id}/archive",
    response_model=JourneyOut,
    summary="Close a journey (kept with its versions and statistics)",
    responses=NOT_FOUND,
)
def post_archive(store: StoreDep, journey_id: JourneyId) -> dict[str, Any]:
    return _status(store, journey_id, "archived")
