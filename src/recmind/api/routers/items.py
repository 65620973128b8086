"""The catalogue: ``/v1/items`` (read: ``read`` scope; write: ``ingest`` scope)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response

from recmind.api.deps import require_scope
from recmind.api.errors import check_path_id, invalid_record
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut, ItemIn, ItemOut, ItemPage, Responses
from recmind.data.record_writes import (
    InvalidRecordError,
    delete_item,
    get_record,
    list_items,
    patch_record,
    put_record,
)
from recmind.data.store import Store
from recmind.serving.engine import ServingEngine

router = APIRouter(tags=["items"], responses=ERROR_RESPONSES)
ItemId = Annotated[str, Path(min_length=1, max_length=255, description="The item's id.")]
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "No such item."}}
CREATED: Responses = {201: {"model": ItemOut, "description": "Created."}}
INVALID: Responses = {422: {"model": ErrorOut, "description": "A field failed validation (named)."}}


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _changed(request: Request, item_id: str) -> None:
    engine: ServingEngine = request.app.state.engine
    engine.items_changed([item_id])


@router.get(
    "/v1/items",
    response_model=ItemPage,
    summary="A page of the catalogue (in item-id order)",
    dependencies=[Depends(require_scope("read"))],
)
def get_items(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> dict[str, Any]:
    rows, total = list_items(_store(request), limit, offset)
    return {"items": rows, "total": total, "limit": limit, "offset": offset}


@router.get(
    "/v1/items/{item_id}",
    response_model=ItemOut,
    summary="One item",
    responses=NOT_FOUND | INVALID,
    dependencies=[Depends(require_scope("read"))],
)
def get_item(request: Request, item_id: ItemId) -> dict[str, Any]:
    check_path_id("item_id", item_id)
    found = get_record(_store(request), "items", item_id)
    if found is None:
        raise HTTPException(404, f"no item {item_id!r}")
    return found


@router.put(
    "/v1/items/{item_id}",
    response_model=ItemOut,
    summary="Create or replace an item",
    description="201 when created, 200 when replaced. Fields not sent are cleared.",
    responses=CREATED | INVALID,
    dependencies=[Depends(require_scope("ingest"))],
)
def put_item(request: Request, response: Response, item_id: ItemId, body: ItemIn) -> dict[str, Any]:
    check_path_id("item_id", item_id)
    settings = request.app.state.settings
    try:
        stored, created = put_record(
            _store(request), "items", item_id, body.model_dump(exclude_unset=True), settings
        )
    except InvalidRecordError as exc:
        raise invalid_record(exc, ("item_id",)) from exc
    _changed(request, item_id)
    response.status_code = 201 if created else 200
    return stored


@router.patch(
    "/v1/items/{item_id}",
    response_model=ItemOut,
    summary="Change some fields of an item",
    description="Only the fields sent change; `null` clears a field.",
    responses=NOT_FOUND | INVALID,
    dependencies=[Depends(require_scope("ingest"))],
)
def patch_item(request: Request, item_id: ItemId, body: ItemIn) -> dict[str, Any]:
    check_path_id("item_id", item_id)
    settings = request.app.state.settings
    try:
        stored = patch_record(
            _store(request), "items", item_id, body.model_dump(exclude_unset=True), settings
        )
    except InvalidRecordError as exc:
        raise invalid_record(exc, ("item_id",)) from exc
    if stored is None:
        raise HTTPException(404, f"no item {item_id!r}")
    _changed(request, item_id)
    return stored


@router.delete(
    "/v1/items/{item_id}",
    status_code=204,
    summary="Remove an item from the catalogue",
    description="Its past events stay (they are history); it is no longer recommended.",
    responses=NOT_FOUND | INVALID,
    dependencies=[Depends(require_scope("ingest"))],
)
def remove_item(request: Request, item_id: ItemId) -> Response:
    check_path_id("item_id", item_id)
    if not delete_item(_store(request), item_id):
        raise HTTPException(404, f"no item {item_id!r}")
    _changed(request, item_id)
    return Response(status_code=204)
