"""Consent and suppressions: ``/v1/users/{user_id}/consent`` and ``/v1/suppressions``
(``marketing`` scope).

Both are read by every send-time decision, so a change here holds for the next message
already queued. A consent row wins over the profile's ``consent_email``; a suppression
outranks any consent.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response

from recmind.api.deps import StoreDep, require_scope
from recmind.api.errors import check_path_id
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut, Responses
from recmind.api.schemas_policy import (
    ConsentIn,
    ConsentList,
    SuppressionChannel,
    SuppressionIn,
    SuppressionOut,
    SuppressionPage,
    SuppressionReason,
)
from recmind.api.stored_text import StoredText
from recmind.marketing.policy.consent import get_consents, set_consent
from recmind.marketing.policy.suppression import (
    add_suppression,
    list_suppressions,
    remove_suppression,
)

router = APIRouter(
    tags=["consent"],
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_scope("marketing"))],
)
UserId = Annotated[str, Path(min_length=1, max_length=255, description="The person's id.")]
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "No such suppression."}}
INVALID: Responses = {422: {"model": ErrorOut, "description": "A field failed validation (named)."}}


def _consents(store: Any, user_id: str) -> dict[str, Any]:
    return {"user_id": user_id, "consents": [c.to_dict() for c in get_consents(store, user_id)]}


@router.get(
    "/v1/users/{user_id}/consent",
    response_model=ConsentList,
    summary="A person's consent on every channel",
    responses=INVALID,
)
def get_consent(store: StoreDep, user_id: UserId) -> dict[str, Any]:
    check_path_id("user_id", user_id)
    return _consents(store, user_id)


@router.put(
    "/v1/users/{user_id}/consent",
    response_model=ConsentList,
    summary="Record a person's consent on one channel",
    description="Effective at once: queued messages are checked again when they are sent.",
    responses=INVALID,
)
def put_consent(store: StoreDep, user_id: UserId, body: ConsentIn) -> dict[str, Any]:
    check_path_id("user_id", user_id)
    set_consent(store, user_id, body.channel, body.granted, now=time.time(), source=body.source)
    return _consents(store, user_id)


@router.get("/v1/suppressions", response_model=SuppressionPage, summary="The suppression list")
def get_suppressions(
    *,
    store: StoreDep,
    user_id: Annotated[StoredText | None, Query(max_length=255, description="One person.")] = None,
    channel: Annotated[SuppressionChannel | None, Query(description="One channel.")] = None,
    reason: Annotated[SuppressionReason | None, Query(description="One reason.")] = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    total, page = list_suppressions(
        store, user_id=user_id, channel=channel, reason=reason, offset=offset, limit=limit
    )
    return {
        "total": total,
        "offset": offset,
        "limit": limit,
        "suppressions": [s.to_dict() for s in page],
    }


@router.post(
    "/v1/suppressions",
    response_model=SuppressionOut,
    status_code=201,
    summary="Suppress a person on a channel",
    description="201 when added; 200 with the existing row when the person was already "
    "suppressed on that channel (the first reason is kept).",
    responses=INVALID | {200: {"model": SuppressionOut, "description": "Already there."}},
)
def post_suppression(store: StoreDep, body: SuppressionIn, response: Response) -> dict[str, Any]:
    check_path_id("user_id", body.user_id)
    new = add_suppression(
        store, body.user_id, body.channel, body.reason, now=time.time(), source=body.source
    )
    _, rows = list_suppressions(store, user_id=body.user_id, channel=body.channel, limit=1)
    response.status_code = 201 if new else 200
    return rows[0].to_dict()


@router.delete(
    "/v1/suppressions/{user_id}/{channel}",
    status_code=204,
    summary="Lift a suppression",
    responses=NOT_FOUND | INVALID,
)
def delete_suppression(
    store: StoreDep,
    user_id: UserId,
    channel: Annotated[SuppressionChannel, Path(description="The channel, or * for all.")],
) -> Response:
    check_path_id("user_id", user_id)
    if not remove_suppression(store, user_id, channel):
        raise HTTPException(404, f"{user_id!r} is not suppressed on {channel!r}")
    return Response(status_code=204)
