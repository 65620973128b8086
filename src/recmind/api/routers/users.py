"""Users and their profiles: ``/v1/users/{user_id}`` (read: ``read``; write: ``ingest``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response

from recmind.api.deps import require_scope
from recmind.api.errors import check_path_id, invalid_record
from recmind.api.profiles import ProfileService
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut, ProfileOut, Responses, UserIn, UserOut
from recmind.data.record_writes import InvalidRecordError, get_record, patch_record, put_record
from recmind.data.store import Store

router = APIRouter(tags=["users"], responses=ERROR_RESPONSES)
UserId = Annotated[str, Path(min_length=1, max_length=255, description="The user's id.")]
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "No such user."}}
CREATED: Responses = {201: {"model": UserOut, "description": "Created."}}
INVALID: Responses = {422: {"model": ErrorOut, "description": "A field failed validation (named)."}}


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


@router.get(
    "/v1/users/{user_id}",
    response_model=UserOut,
    summary="One user",
    responses=NOT_FOUND | INVALID,
    dependencies=[Depends(require_scope("read"))],
)
def get_user(request: Request, user_id: UserId) -> dict[str, Any]:
    check_path_id("user_id", user_id)
    found = get_record(_store(request), "users", user_id)
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
def put_user(request: Request, response: Response, user_id: UserId, body: UserIn) -> dict[str, Any]:
    check_path_id("user_id", user_id)
    try:
        stored, created = put_record(
            _store(request),
            "users",
            user_id,
            body.model_dump(exclude_unset=True),
            request.app.state.settings,
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
def patch_user(request: Request, user_id: UserId, body: UserIn) -> dict[str, Any]:
    check_path_id("user_id", user_id)
    try:
        stored = patch_record(
            _store(request),
            "users",
            user_id,
            body.model_dump(exclude_unset=True),
            request.app.state.settings,
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
        "The portrait is written from a template of the user's own tags and titles; with "
        "`generate=true` the language model writes it (checked against the same facts, "
        "cached until they change, erased with the user)."
    ),
    responses=NOT_FOUND | INVALID,
    dependencies=[Depends(require_scope("read"))],
)
def get_profile(
    request: Request,
    user_id: UserId,
    generate: Annotated[bool, Query(description="Write the portrait with the LLM.")] = False,
    recent: Annotated[int, Query(ge=0, le=100, description="Recent events listed.")] = 5,
) -> dict[str, Any]:
    check_path_id("user_id", user_id)
    service: ProfileService = request.app.state.profiles
    try:
        profile, note = service.profile(user_id, generate=generate, n_recent=recent)
    except KeyError as exc:
        raise HTTPException(404, f"no user {user_id!r}") from exc
    return profile_body(profile, note)
