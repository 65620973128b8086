"""Orders: ``/v1/orders/{order_id}`` and a person's orders at ``/v1/users/{user_id}/orders``
(read: ``read`` scope; write: ``ingest`` scope)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response

from recmind.api.deps import SettingsDep, StoreDep, require_scope
from recmind.api.errors import check_path_id, invalid_record
from recmind.api.schemas import (
    ERROR_RESPONSES,
    ErrorOut,
    OrderIn,
    OrderOut,
    OrderPage,
    Responses,
)
from recmind.data.orders import (
    MAX_PAGE,
    InvalidRecordError,
    get_order,
    orders_for_user,
    patch_order,
    put_order,
)

router = APIRouter(tags=["orders"], responses=ERROR_RESPONSES)
OrderId = Annotated[str, Path(min_length=1, max_length=255, description="The order's id.")]
UserId = Annotated[str, Path(min_length=1, max_length=255, description="The user's id.")]
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "No such order."}}
CREATED: Responses = {201: {"model": OrderOut, "description": "Created."}}
INVALID: Responses = {422: {"model": ErrorOut, "description": "A field failed validation (named)."}}


@router.get(
    "/v1/orders/{order_id}",
    response_model=OrderOut,
    summary="One order",
    responses=NOT_FOUND | INVALID,
    dependencies=[Depends(require_scope("read"))],
)
def get_one(store: StoreDep, order_id: OrderId) -> dict[str, Any]:
    check_path_id("order_id", order_id)
    found = get_order(store, order_id)
    if found is None:
        raise HTTPException(404, f"no order {order_id!r}")
    return found


@router.put(
    "/v1/orders/{order_id}",
    response_model=OrderOut,
    summary="Create or replace an order",
    description=(
        "201 when created, 200 when replaced. Fields not sent are cleared. Validated as "
        "`recmind import --orders` validates a row (the same reasons); the person is "
        "created if the store does not know them."
    ),
    responses=CREATED | INVALID,
    dependencies=[Depends(require_scope("ingest"))],
)
def put_one(
    store: StoreDep, settings: SettingsDep, response: Response, order_id: OrderId, body: OrderIn
) -> dict[str, Any]:
    check_path_id("order_id", order_id)
    try:
        stored, created = put_order(store, order_id, body.model_dump(exclude_unset=True), settings)
    except InvalidRecordError as exc:
        raise invalid_record(exc, ("order_id",)) from exc
    response.status_code = 201 if created else 200
    return stored


@router.patch(
    "/v1/orders/{order_id}",
    response_model=OrderOut,
    summary="Change some fields of an order",
    description="Only the fields sent change (a status, a tracking number); `null` clears one.",
    responses=NOT_FOUND | INVALID,
    dependencies=[Depends(require_scope("ingest"))],
)
def patch_one(
    store: StoreDep, settings: SettingsDep, order_id: OrderId, body: OrderIn
) -> dict[str, Any]:
    check_path_id("order_id", order_id)
    try:
        stored = patch_order(store, order_id, body.model_dump(exclude_unset=True), settings)
    except InvalidRecordError as exc:
        raise invalid_record(exc, ("order_id",)) from exc
    if stored is None:
        raise HTTPException(404, f"no order {order_id!r}")
    return stored


@router.get(
    "/v1/users/{user_id}/orders",
    response_model=OrderPage,
    summary="A person's orders, newest first",
    description="Only this person's orders; an unknown person has none (an empty page).",
    responses=INVALID,
    dependencies=[Depends(require_scope("read"))],
)
def get_user_orders(
    store: StoreDep,
    user_id: UserId,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> dict[str, Any]:
    check_path_id("user_id", user_id)
    rows, total = orders_for_user(store, user_id, limit=limit, offset=offset)
    return {"orders": rows, "total": total, "limit": limit, "offset": offset}
