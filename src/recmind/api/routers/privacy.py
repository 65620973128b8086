"""Privacy: export everything about a user, or erase it everywhere (``admin`` scope)."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request

from recmind.api.deps import require_scope
from recmind.api.errors import check_path_id
from recmind.api.profiles import ProfileService
from recmind.api.routers.users import profile_body
from recmind.api.schemas import ERROR_RESPONSES, ErasureOut, ErrorOut, Responses, UserExport
from recmind.config import Settings
from recmind.data.privacy import quarantined, user_rows
from recmind.data.store import Store
from recmind.erasure import erase_user as erase_everywhere
from recmind.serving.engine import ServingEngine

router = APIRouter(tags=["privacy"], responses=ERROR_RESPONSES)
UserId = Annotated[str, Path(min_length=1, max_length=255, description="The user's id.")]
NOT_FOUND: Responses = {
    404: {"model": ErrorOut, "description": "Nothing is stored about this user."}
}
INVALID: Responses = {422: {"model": ErrorOut, "description": "The id cannot exist."}}


@router.get(
    "/v1/users/{user_id}/export",
    response_model=UserExport,
    summary="Everything stored about a user (JSON)",
    description=(
        "The user's row (consent included), events, reviews, orders, profile, generated "
        "texts and the rejected input rows that named them."
    ),
    responses=NOT_FOUND | INVALID,
    dependencies=[Depends(require_scope("admin"))],
)
def export_user(request: Request, user_id: UserId) -> dict[str, Any]:
    check_path_id("user_id", user_id)
    store: Store = request.app.state.store
    settings: Settings = request.app.state.settings
    profiles: ProfileService = request.app.state.profiles
    rows = user_rows(store, user_id)
    held = quarantined(settings.quarantine_dir, user_id)
    stored = (
        rows["user"] is not None
        or rows["events"]
        or rows["reviews"]
        or rows["orders"]
        or rows["handoffs"]
    )
    if not stored and not held:
        raise HTTPException(404, f"nothing is stored about user {user_id!r}")
    try:
        profile, _ = profiles.profile(user_id)
        profile_out = profile_body(profile, None)
    except KeyError:
        profile_out = None
    return {
        "user_id": user_id,
        "exported_at": time.time(),
        **rows,
        "profile": profile_out,
        "generated_texts": profiles.generated_texts(user_id),
        "quarantined": held,
    }


@router.delete(
    "/v1/users/{user_id}",
    response_model=ErasureOut,
    summary="Erase a user everywhere",
    description=(
        "Deletes the user's row, events, reviews and orders and records a tombstone (a keyed hash "
        "of the id, one transaction), their generated texts and every quarantined input "
        "row naming them; the served model stops using them at once (after a restart "
        "too), and the next training leaves them out of every model version it keeps."
    ),
    responses=NOT_FOUND | INVALID,
    dependencies=[Depends(require_scope("admin"))],
)
def erase_user(request: Request, user_id: UserId) -> dict[str, Any]:
    check_path_id("user_id", user_id)
    store: Store = request.app.state.store
    settings: Settings = request.app.state.settings
    profiles: ProfileService = request.app.state.profiles
    engine: ServingEngine = request.app.state.engine
    erased = erase_everywhere(store, settings, user_id, forget_texts=profiles.forget)
    if not erased.found:
        raise HTTPException(404, f"nothing is stored about user {user_id!r}")
    engine.forget_user(user_id)
    return {
        "user_id": user_id,
        "user_row": erased.user_row,
        "events": erased.events,
        "reviews": erased.reviews,
        "orders": erased.orders,
        "handoffs": erased.handoffs,
        "generated_texts": erased.generated_texts,
        "quarantine_rows": erased.quarantine_rows,
    }
