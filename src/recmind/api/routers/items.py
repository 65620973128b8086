"""The catalogue: ``/v1/items`` (read: ``read`` scope; write: ``ingest`` scope)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response

from recmind.api.deps import EngineDep, SettingsDep, StoreDep, require_scope
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

router = APIRouter(tags=["items"], responses=ERROR_RESPONSES)
ItemId = Annotated[str, Path(min_length=1, max_length=255, description="The item's id.")]
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "No such item."}}
CREATED: Responses = {201: {"model": ItemOut, "description": "Created."}}
INVALID: Responses = {422: {"model": ErrorOut, "description": "A field failed validation (named)."}}


@router.get(
    "/v1/items",
    response_model=ItemPage,
    summary="A page of the catalogue (in item-id order)",
    dependencies=[Depends(require_scope("read"))],
)
def get_items(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> dict[str, Any]:
    rows, total = list_items(store, limit, offset)
    return {"items": rows, "total": total, "limit": limit, "offset": offset}


@router.get(
    "/v1/items/{item_id}",
    response_model=ItemOut,
    summary="One item",
    responses=NOT_FOUND | INVALID,
    dependencies=[Depends(require_scope("read"))],
)
def get_item(store: StoreDep, item_id: ItemId) -> dict[str, Any]:
    check_path_id("item_id", item_id)
    found = get_record(store, "items", item_id)
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
def put_item(
    *,
    store: StoreDep,
    engine: EngineDep,
    settings: SettingsDep,
    response: Response,
    item_id: ItemId,
    body: ItemIn,
) -> dict[str, Any]:
    check_path_id("item_id", item_id)
    try:
        stored, created = put_record(
            store, "items", item_id, body.model_dump(exclude_unset=True), settings
        )
    except InvalidRecordError as exc:
        raise invalid_record(exc, ("item_id",)) from exc
    engine.items_changed([item_id])
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
def patch_item(
    store: StoreDep, engine: EngineDep, settings: SettingsDep, item_id: ItemId, body: ItemIn
) -> dict[str, Any]:
    check_path_id("item_id", item_id)
    try:
        stored = patch_record(
            store, "items", item_id, body.model_dump(exclude_unset=True), settings
        )
    except InvalidRecordError as exc:
        raise invalid_record(exc, ("item_id",)) from exc
    if stored is None:
        raise HTTPException(404, f"no item {item_id!r}")
    engine.items_changed([item_id])
    return stored


@router.delete(
    "/v1/items/{item_id}",
    status_code=204,
    summary="Remove an item from the catalogue",
    description="Its past events stay (they are history); it is no longer recommended.",
    responses=NOT_FOUND | INVALID,
    dependencies=[Depends(require_scope("ingest"))],
)
def remove_item(store: StoreDep, engine: EngineDep, item_id: ItemId) -> Response:
    check_path_id("item_id", item_id)
    if not delete_item(store, item_id):
        raise HTTPException(404, f"no item {item_id!r}")
    engine.items_changed([item_id])
    return Response(status_code=204)
