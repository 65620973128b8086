"""The assistant's handoff queue: ``GET /v1/handoffs`` and taking and closing one
(``support`` scope)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query

from recmind.api.deps import StoreDep, require_scope
from recmind.api.errors import check_path_id
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut, Responses
from recmind.api.schemas_handoffs import HandoffOut, HandoffPage, TakeIn
from recmind.data.handoffs import HandoffError, close, get_handoff, list_handoffs, take

router = APIRouter(tags=["handoffs"], responses=ERROR_RESPONSES)
HandoffId = Annotated[str, Path(min_length=1, max_length=64, description="The handoff's id.")]
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "No such handoff."}}
CONFLICT: Responses = {
    409: {"model": ErrorOut, "description": "Its status does not allow this (taken, closed)."}
}
INVALID: Responses = {422: {"model": ErrorOut, "description": "A field failed validation."}}
SUPPORT = [Depends(require_scope("support"))]


def _moved(store: Any, handoff_id: str, error: HandoffError) -> HTTPException:
    if get_handoff(store, handoff_id) is None:
        return HTTPException(404, f"no handoff {handoff_id!r}")
    return HTTPException(409, str(error))


@router.get(
    "/v1/handoffs",
    response_model=HandoffPage,
    summary="The handoff queue, oldest first",
    description="Open handoffs by default; `status=taken`, `closed` or `all` for others.",
    responses=INVALID,
    dependencies=SUPPORT,
)
def list_route(
    store: StoreDep,
    status: Annotated[Literal["open", "taken", "closed", "all"], Query()] = "open",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> dict[str, Any]:
    rows = list_handoffs(
        store, status=None if status == "all" else status, limit=limit, offset=offset
    )
    return {"handoffs": [r.to_json() for r in rows], "limit": limit, "offset": offset}


@router.post(
    "/v1/handoffs/{handoff_id}/take",
    response_model=HandoffOut,
    summary="Take an open handoff",
    responses=NOT_FOUND | CONFLICT | INVALID,
    dependencies=SUPPORT,
)
def take_route(store: StoreDep, handoff_id: HandoffId, body: TakeIn) -> dict[str, Any]:
    check_path_id("handoff_id", handoff_id)
    try:
        return take(store, handoff_id, body.taken_by).to_json()
    except HandoffError as exc:
        raise _moved(store, handoff_id, exc) from exc


@router.post(
    "/v1/handoffs/{handoff_id}/close",
    response_model=HandoffOut,
    summary="Close an open or taken handoff",
    responses=NOT_FOUND | CONFLICT | INVALID,
    dependencies=SUPPORT,
)
def close_route(store: StoreDep, handoff_id: HandoffId) -> dict[str, Any]:
    check_path_id("handoff_id", handoff_id)
    try:
        return close(store, handoff_id).to_json()
    except HandoffError as exc:
        raise _moved(store, handoff_id, exc) from exc
