"""Users and their profiles: ``/v1/users/{user_id}`` (read: ``read``; write: ``ingest``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response

from recmind.api.deps import MetricsDep, ProfilesDep, SettingsDep, StoreDep, require_scope
from recmind.api.errors import check_path_id, invalid_record
from recmind.api.responses import json_response
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut, ProfileOut, Responses, UserIn, UserOut
from recmind.api.text_jobs import ACCEPTED, accepted, queue_full
from recmind.data.record_writes import InvalidRecordError, get_record, patch_record, put_record
from recmind.serving.generation import QueueFullError

router = APIRouter(tags=["users"], responses=ERROR_RESPONSES)
UserId = Annotated[str, Path(min_length=1, max_length=255, description="The user's id.")]
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "No such user."}}
CREATED: Responses = {201: {"model": UserOut, "description": "Created."}}
INVALID: Responses = {422: {"model": ErrorOut, "description": "A field failed validation (named)."}}


@router.get(
    "/v1/users/{user_id}",
    response_model=UserOut,
    summary="One user",
    responses=NOT_FOUND | INVALID,
    dependencies=[Depends(require_scope("read"))],
)
def get_user(store: StoreDep, user_id: UserId) -> dict[str, Any]:
    check_path_id("user_id", user_id)
    found = get_record(store, "users", user_id)
    if found is None:
        raise HTTPException(404, f"no user {user_id!r}")
    return found


@router.put(
    "/v1/users/{user_id}",
    response_model=UserOut,
    summary="Create or replace a user",
    description=(
        "201 when created, 200 when replaced. Fields not sent are cleared, except "
        "`created_at`, which keeps its stored value (now, for a new user)."
    ),
    responses=CREATED | INVALID,
    dependencies=[Depends(require_scope("ingest"))],
)
def put_user(
    store: StoreDep, settings: SettingsDep, response: Response, user_id: UserId, body: UserIn
) -> dict[str, Any]:
    check_path_id("user_id", user_id)
    try:
        stored, created = put_record(
            store, "users", user_id, body.model_dump(exclude_unset=True), settings
        )
    except InvalidRecordError as exc:
        raise invalid_record(exc, ("user_id",)) from exc
    response.status_code = 201 if created else 200
    return stored


@router.patch(
    "/v1/users/{user_id}",
    response_model=UserOut,
    summary="Change some fields of a user",
    description="Only the fields sent change; `null` clears a field.",
    responses=NOT_FOUND | INVALID,
    dependencies=[Depends(require_scope("ingest"))],
)
def patch_user(
    store: StoreDep, settings: SettingsDep, user_id: UserId, body: UserIn
) -> dict[str, Any]:
    check_path_id("user_id", user_id)
    try:
        stored = patch_record(
            store, "users", user_id, body.model_dump(exclude_unset=True), settings
        )
    except InvalidRecordError as exc:
        raise invalid_record(exc, ("user_id",)) from exc
    if stored is None:
        raise HTTPException(404, f"no user {user_id!r}")
    return stored


def profile_body(profile: Any, note: str | None) -> dict[str, Any]:
    body: dict[str, Any] = profile.to_dict()
    body["portrait_note"] = note
    return body


@router.get(
    "/v1/users/{user_id}/profile",
    response_model=ProfileOut,
    summary="Interest tags, portrait and recent activity",
    description=(
        "The portrait is written from a template of the user's own tags and titles. With "
        "`generate=true` the language model writes it (checked against the same facts, "
        "cached until they change, erased with the user) in a background job: while it is "
        "not ready the answer is 202 with the job's `status_url`; ask again once the job "
        "has succeeded. 503 with Retry-After when too many texts are waiting."
    ),
    responses=NOT_FOUND | INVALID | ACCEPTED,
    dependencies=[Depends(require_scope("read"))],
)
def get_profile(
    profiles: ProfilesDep,
    metrics: MetricsDep,
    user_id: UserId,
    generate: Annotated[bool, Query(description="Write the portrait with the LLM.")] = False,
    recent: Annotated[int, Query(ge=0, le=100, description="Recent events listed.")] = 5,
) -> Response:
    check_path_id("user_id", user_id)
    try:
        answer = profiles.answer(user_id, generate=generate, n_recent=recent)
    except KeyError as exc:
        raise HTTPException(404, f"no user {user_id!r}") from exc
    except QueueFullError as exc:
        metrics.generation_refused.inc()
        raise queue_full(exc) from None
    if answer.job is not None:
        return accepted(answer.job)
    return json_response(profile_body(answer.profile, answer.note))
