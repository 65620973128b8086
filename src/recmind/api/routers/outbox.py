"""The outbox: ``/v1/outbox`` (``marketing`` scope): every outgoing message with its state,
counts, and retries of dead messages.

Sent messages are never retried and skipped ones stay skipped (a rule said no): a retry of
either is a 409 that says why.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, HTTPException, Path, Query

from recmind.api.deps import StoreDep, require_scope
from recmind.api.errors import UnprocessableError
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut, FieldProblem, Responses
from recmind.api.schemas_outbox import (
    OutboxChannel,
    OutboxMessageOut,
    OutboxPage,
    OutboxStatsOut,
    OutboxStatus,
    RetriedOut,
)
from recmind.api.stored_text import StoredText
from recmind.marketing.outbox.queries import (
    OutboxNotFoundError,
    OutboxQueryError,
    OutboxStateError,
    get_message,
    list_messages,
    outbox_stats,
    retry_dead,
    retry_message,
)

router = APIRouter(
    tags=["outbox"],
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_scope("marketing"))],
)
MessageRef = Annotated[
    str,
    Path(min_length=1, max_length=1000, description="A message id or idempotency key."),
]
Source = Annotated[
    StoredText | None,
    Query(
        max_length=200,
        description="`campaign:ID`, `journey:ID`, `test:ID`, or a bare source id.",
    ),
]
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "No such message."}}
CONFLICT: Responses = {
    409: {"model": ErrorOut, "description": "The message is sent or skipped: not retried."}
}


def _source_problem(exc: OutboxQueryError) -> UnprocessableError:
    return UnprocessableError(
        [FieldProblem(loc=["query", "source"], msg=str(exc), type="value_error", input=None)]
    )


def _out(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for key, empty in (("items", []), ("payload", None)):
        value = out.get(key)
        out[key] = orjson.loads(value) if isinstance(value, str) and value else empty
    return out


@router.get("/v1/outbox", response_model=OutboxPage, summary="Messages, newest first")
def get_outbox(
    store: StoreDep,
    *,
    status: Annotated[OutboxStatus | None, Query(description="Only this state.")] = None,
    user_id: Annotated[
        StoredText | None, Query(max_length=255, description="One person's.")
    ] = None,
    source: Source = None,
    channel: Annotated[OutboxChannel | None, Query(description="Only this channel.")] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> dict[str, Any]:
    try:
        total, rows = list_messages(
            store,
            status=status,
            user_id=user_id,
            source=source,
            channel=channel,
            limit=limit,
            offset=offset,
        )
    except OutboxQueryError as exc:
        raise _source_problem(exc) from exc
    return {"total": total, "offset": offset, "limit": limit, "messages": [_out(r) for r in rows]}


@router.get(
    "/v1/outbox/stats",
    response_model=OutboxStatsOut,
    summary="Counts by state and channel, what is due, skip and dead reasons",
)
def get_outbox_stats(store: StoreDep, source: Source = None) -> dict[str, Any]:
    try:
        return outbox_stats(store, now=time.time(), source=source)
    except OutboxQueryError as exc:
        raise _source_problem(exc) from exc


@router.post(
    "/v1/outbox/retry-dead",
    response_model=RetriedOut,
    summary="Make every dead message (of a source) due again",
)
def post_retry_dead(store: StoreDep, source: Source = None) -> dict[str, Any]:
    try:
        return {"retried": retry_dead(store, now=time.time(), source=source)}
    except OutboxQueryError as exc:
        raise _source_problem(exc) from exc


@router.get(
    "/v1/outbox/{message}",
    response_model=OutboxMessageOut,
    summary="One message, with its content",
    responses=NOT_FOUND,
)
def get_outbox_message(store: StoreDep, message: MessageRef) -> dict[str, Any]:
    try:
        return _out(get_message(store, message))
    except OutboxNotFoundError as exc:
        raise HTTPException(404, str(exc.args[0])) from exc


@router.post(
    "/v1/outbox/{message}/retry",
    response_model=OutboxMessageOut,
    summary="Make a dead (or pending) message due now",
    responses=NOT_FOUND | CONFLICT,
)
def post_retry(store: StoreDep, message: MessageRef) -> dict[str, Any]:
    try:
        return _out(retry_message(store, message, now=time.time()))
    except OutboxNotFoundError as exc:
        raise HTTPException(404, str(exc.args[0])) from exc
    except OutboxStateError as exc:
        raise HTTPException(409, str(exc)) from exc
