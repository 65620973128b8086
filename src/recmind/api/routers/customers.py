"""One customer's intelligence: ``/v1/customers/{user_id}`` (``marketing`` scope)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path

from recmind.api.deps import StoreDep, require_scope
from recmind.api.errors import check_path_id
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut, Responses
from recmind.api.schemas_marketing import CustomerOut
from recmind.marketing.segments.customer import customer_record

router = APIRouter(
    tags=["customers"],
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_scope("marketing"))],
)
UserId = Annotated[str, Path(min_length=1, max_length=255, description="The user's id.")]
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "Nothing is known of them."}}
INVALID: Responses = {422: {"model": ErrorOut, "description": "The id cannot exist."}}


@router.get(
    "/v1/customers/{user_id}",
    response_model=CustomerOut,
    summary="A customer's features, predictions and segments",
    description=(
        "The materialised features, the lifetime-value predictions and the segments the "
        "customer is in now (as of each segment's last refresh). 404 when the store holds "
        "nothing about them (an erased customer included)."
    ),
    responses=NOT_FOUND | INVALID,
)
def get_customer(store: StoreDep, user_id: UserId) -> dict[str, Any]:
    check_path_id("user_id", user_id)
    found = customer_record(store, user_id)
    if found is None:
        raise HTTPException(404, f"no customer {user_id!r}")
    return found
