"""Audiences: ``/v1/audiences`` (``marketing`` scope): likely buyers of items or a
category in the next N days, and look-alikes of a seed list, from the store's events
before ``as_of`` (the same functions as ``recmind audiences``). Computing one fits small
models on the shop's history, so an answer takes seconds on a large store."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Depends

from recmind.api.deps import StoreDep, require_scope
from recmind.api.errors import UnprocessableError
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut, FieldProblem, Responses
from recmind.api.schemas_audiences import AudienceOut, BuyersIn, LookalikeIn
from recmind.marketing.audiences import (
    BuyersConfig,
    LookalikeConfig,
    SeedError,
    TargetError,
    buyers_from_store,
    lookalikes_from_store,
)

router = APIRouter(
    tags=["audiences"],
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_scope("marketing"))],
)
INVALID: Responses = {
    422: {"model": ErrorOut, "description": "A field, or targets or seeds nobody has (named)."}
}


def _problem(field: str, message: str, value: Any) -> UnprocessableError:
    return UnprocessableError(
        [FieldProblem(loc=["body", field], msg=message, type="invalid_value", input=value)]
    )


@router.post(
    "/v1/audiences/buyers",
    response_model=AudienceOut,
    summary="Likely buyers of items or a category in the next N days",
    responses=INVALID,
)
def post_buyers(store: StoreDep, body: BuyersIn) -> dict[str, Any]:
    if (body.item_ids is None) == (body.category is None):
        raise _problem("item_ids", "give exactly one of item_ids or category", body.item_ids)
    moment = time.time() if body.as_of is None else body.as_of
    config = BuyersConfig(window_days=body.window_days, top=body.top)
    try:
        audience = buyers_from_store(
            store, config, as_of=moment, item_ids=body.item_ids, category=body.category
        )
    except TargetError as exc:
        field = "item_ids" if body.item_ids is not None else "category"
        raise _problem(field, str(exc), body.item_ids or body.category) from exc
    return audience.to_json()


@router.post(
    "/v1/audiences/lookalike",
    response_model=AudienceOut,
    summary="Look-alikes of a seed list of people",
    responses=INVALID,
)
def post_lookalike(store: StoreDep, body: LookalikeIn) -> dict[str, Any]:
    moment = time.time() if body.as_of is None else body.as_of
    try:
        audience = lookalikes_from_store(
            store, body.seed_user_ids, LookalikeConfig(top=body.top), as_of=moment
        )
    except SeedError as exc:
        raise _problem("seed_user_ids", str(exc), body.seed_user_ids[:5]) from exc
    return audience.to_json()
